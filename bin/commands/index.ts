import { backfillCommand } from './backfill';
import { clvCommand } from './clv';
import type { Command } from './command';
import { identityCommand } from './identity';
import { inboxCommand } from './inbox';
import { linkCommand } from './link';
import { mergeCommand } from './merge';
import { outboxCommand } from './outbox';
import { redriveCommand } from './redrive';
import { reconcileCommand } from './reconcile';
import { paymentsCommand } from './payments';
import { reviewCommand } from './review';
import { segmentBatchCommand } from './segment-batch';
import { sandboxCommand } from './sandbox';
import { setupCommand } from './setup';
import { syncCommand } from './sync';
import { templatesCommand } from './templates';
import { unmergeCommand } from './unmerge';
import { workerCommand } from './worker';

/** Every `terminal-crm` subcommand, in the order `--help` lists them. */
export const COMMANDS: readonly Command[] = [setupCommand, sandboxCommand, workerCommand, clvCommand, linkCommand, mergeCommand, unmergeCommand, reviewCommand, identityCommand, segmentBatchCommand, paymentsCommand, outboxCommand, syncCommand, inboxCommand, redriveCommand, backfillCommand, reconcileCommand, templatesCommand];
