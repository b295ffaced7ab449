import { clvCommand } from './clv';
import type { Command } from './command';
import { identityCommand } from './identity';
import { linkCommand } from './link';
import { mergeCommand } from './merge';
import { outboxCommand } from './outbox';
import { reviewCommand } from './review';
import { segmentBatchCommand } from './segment-batch';
import { sandboxCommand } from './sandbox';
import { setupCommand } from './setup';
import { syncCommand } from './sync';
import { templatesCommand } from './templates';
import { unmergeCommand } from './unmerge';
import { workerCommand } from './worker';

/** Every `terminal-crm` subcommand, in the order `--help` lists them. */
export const COMMANDS: readonly Command[] = [setupCommand, sandboxCommand, workerCommand, clvCommand, linkCommand, mergeCommand, unmergeCommand, reviewCommand, identityCommand, segmentBatchCommand, outboxCommand, syncCommand, templatesCommand];
