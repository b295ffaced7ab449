import { clvCommand } from './clv';
import type { Command } from './command';
import { linkCommand } from './link';
import { sandboxCommand } from './sandbox';
import { setupCommand } from './setup';
import { workerCommand } from './worker';

/** Every `terminal-crm` subcommand, in the order `--help` lists them. */
export const COMMANDS: readonly Command[] = [setupCommand, sandboxCommand, workerCommand, clvCommand, linkCommand];
