import { InputError } from '../../nodes/core/errors';
import { parseReviewResolution, type ReviewResolution } from '../../nodes/core/match/review-resolution';
import type { ReviewClient } from '../../temporal/review-client';
import type { PendingReview } from '../../workflows/review';
import type { CliIo, Command } from './command';

const usage = `Usage: terminal-crm review list
       terminal-crm review resolve <eventId> --link [customerId]
       terminal-crm review resolve <eventId> --new

Payments the matcher was not sure about ("review": probably a known customer,
but not surely enough) wait in their Temporal workflow for a person to decide,
for TERMINAL_CRM_REVIEW_WAIT (default 72h). Nobody answering records the payment
under a new customer, as --new does.

  list                      one JSON line per waiting payment:
                            {"eventId":…,"candidateId":…,"confidence":…,"explanation":…,"waitsUntil":…}
  resolve <eventId> --link  the payment is the candidate's: recorded under the candidate
  resolve <eventId> --link <customerId>
                            the payment is this other customer's
  resolve <eventId> --new   the payment is someone new: recorded under a new customer

Connects like the worker: TEMPORAL_ADDRESS (127.0.0.1:7233), TEMPORAL_NAMESPACE (default),
TEMPORAL_TASK_QUEUE (terminal-crm), TEMPORAL_API_KEY / TEMPORAL_TLS_CERT + TEMPORAL_TLS_KEY for Temporal Cloud.
A worker must be running: it answers for the waiting workflows.

Example:
  terminal-crm review list
  terminal-crm review resolve evt_3PqR8sLkd92 --link
`;

const WORKFLOW_PREFIX = 'payment-';
/** The same id scheme as temporal/start-payment/start-payment-workflow.ts, without loading the Temporal client for it. */
const workflowIdOf = (eventId: string) => `${WORKFLOW_PREFIX}${eventId}`;
const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export interface ResolveArgs {
  eventId: string;
  resolution: ReviewResolution;
}

/** `<eventId> --link [customerId]` or `<eventId> --new` (also --link=customerId); a pasted workflow id works too. */
export function parseResolveArgs(args: readonly string[]): ResolveArgs {
  const positionals: string[] = [];
  let resolution: ReviewResolution | undefined;
  const choose = (r: ReviewResolution) => {
    if (resolution) throw new InputError('--link/--new', 'both given, or one given twice', 'give either --link [customerId] or --new');
    resolution = r;
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--new') choose({ action: 'new' });
    else if (arg === '--link') {
      const next = args[i + 1];
      // The customer id is optional: the next word is it unless it is the event id still to come or another flag.
      const takesNext = next !== undefined && !next.startsWith('-') && positionals.length > 0;
      choose(parseReviewResolution(takesNext ? { action: 'link', customerId: next } : { action: 'link' }, '--link'));
      if (takesNext) i++;
    } else if (arg.startsWith('--link=')) choose(parseReviewResolution({ action: 'link', customerId: arg.slice('--link='.length) }, '--link'));
    else if (arg.startsWith('-')) throw new InputError(arg, 'is not an option of review resolve', 'use --link [customerId] or --new');
    else positionals.push(arg);
  }
  if (positionals.length !== 1) {
    throw new InputError('<eventId>', positionals.length ? `expected one event id, got ${positionals.join(' ')}` : 'missing', 'give the event id `terminal-crm review list` shows, e.g. terminal-crm review resolve evt_123 --link');
  }
  if (!resolution) throw new InputError('--link/--new', 'missing', 'say whose the payment is: --link (the candidate), --link <customerId>, or --new');
  const eventId = positionals[0]!.startsWith(WORKFLOW_PREFIX) ? positionals[0]!.slice(WORKFLOW_PREFIX.length) : positionals[0]!;
  return { eventId, resolution };
}

async function list(client: ReviewClient, io: CliIo): Promise<number> {
  let waiting = 0;
  for await (const workflowId of client.runningPaymentWorkflows()) {
    let pending: PendingReview | null;
    try {
      pending = await client.pendingReview(workflowId);
    } catch (e) {
      // One workflow that cannot answer (no worker for its code yet) must not hide the others.
      io.err(`${workflowId}: no answer (${message(e)})\n`);
      continue;
    }
    if (!pending) continue;
    waiting++;
    io.out(`${JSON.stringify(pending)}\n`);
  }
  if (waiting === 0) io.err('No payments are waiting for review.\n');
  return 0;
}

/**
 * The run waiting on this event: paymentToCrm's is found by its id (`payment-<eventId>`, a pasted workflow id works
 * too); a payment saga's id names the payment, not the event, so when no run has that id the running payment
 * workflows are asked.
 */
async function waitingRun(client: ReviewClient, eventId: string): Promise<{ workflowId: string; pending: PendingReview } | { unreachable?: string }> {
  const direct = workflowIdOf(eventId);
  let unreachable: string | undefined;
  try {
    const pending = await client.pendingReview(direct);
    // That run exists and answered: it is the event's, waiting or not.
    return pending ? { workflowId: direct, pending } : {};
  } catch (e) {
    unreachable = message(e);
  }
  for await (const workflowId of client.runningPaymentWorkflows()) {
    if (workflowId === direct) continue;
    const pending = await client.pendingReview(workflowId).catch(() => null);
    if (pending?.eventId === eventId) return { workflowId, pending };
  }
  return { unreachable };
}

async function resolve(client: ReviewClient, args: readonly string[], io: CliIo): Promise<number> {
  const { eventId, resolution } = parseResolveArgs(args);
  const found = await waitingRun(client, eventId);
  if (!('pending' in found)) {
    if (found.unreachable !== undefined) {
      throw new Error(`${eventId}: cannot reach its workflow ${workflowIdOf(eventId)} (${found.unreachable}), and no running payment saga waits on it. Fix: check the event id with \`terminal-crm review list\`, and that a worker is running`);
    }
    throw new Error(`${eventId}: not waiting for a review (already decided, timed out, or never in the review band). Fix: \`terminal-crm review list\` shows the payments that are`);
  }
  const { workflowId, pending } = found;
  await client.resolveReview(workflowId, resolution);
  const target = resolution.action === 'new' ? 'a new customer' : (resolution.customerId ?? `${pending.candidateId} (the candidate)`);
  io.out(`${pending.eventId}: sent — it will be recorded under ${target}\n`);
  return 0;
}

export async function runReview(args: readonly string[], io: CliIo, open: () => Promise<ReviewClient>): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'list' && sub !== 'resolve') {
    throw new InputError('review', sub === undefined ? 'needs list or resolve' : `"${sub}" is neither list nor resolve`, 'run terminal-crm review list, or terminal-crm review resolve <eventId> --link|--new');
  }
  if (sub === 'list' && rest.length) throw new InputError('review list', `takes no arguments, got ${rest.join(' ')}`, 'run terminal-crm review list');
  // Arguments are checked before connecting: a typo is reported at once, not after a connection timeout.
  if (sub === 'resolve') parseResolveArgs(rest);
  const client = await open();
  try {
    return sub === 'list' ? await list(client, io) : await resolve(client, rest, io);
  } finally {
    await client.close();
  }
}

/** The Temporal client, configured from the environment as the worker is. Loaded only here: the engines' installs never need it. */
async function openFromEnv(): Promise<ReviewClient> {
  try {
    require.resolve('@temporalio/client');
  } catch {
    throw new Error('The Temporal SDK is not installed. Fix: npm install @temporalio/client@1.24.0 @temporalio/worker@1.24.0 @temporalio/workflow@1.24.0 @temporalio/activity@1.24.0 @temporalio/common@1.24.0');
  }
  const [{ temporalConfigFromEnv }, { connectClient }, { temporalReviewClient }] = await Promise.all([
    import('../../temporal/connection-config.js'),
    import('../../temporal/connect.js'),
    import('../../temporal/review-client.js'),
  ]);
  const config = temporalConfigFromEnv();
  return temporalReviewClient(await connectClient(config), config.taskQueue);
}

export const reviewCommand: Command = {
  name: 'review',
  summary: 'list payments waiting for a person to confirm their customer, and decide them (Temporal)',
  usage,
  run: (args, io) => runReview(args, io, openFromEnv),
};
