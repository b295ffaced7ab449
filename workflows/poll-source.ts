import { proxyActivities } from '@temporalio/workflow';
import { SCHEDULED_RUN_HEARTBEAT_TIMEOUT } from './heartbeat-timeout';
import type { PollActivities, PollSourceInput, PollSummary } from './activity-contracts/poll-activities';

/**
 * A poll lists a few pages and starts a workflow per event: seconds, or minutes for a first poll reaching back a
 * day. A failed poll is tried again a couple of times; after that the next scheduled run carries on from the cursor
 * in the store, so nothing is lost by giving up. A setup mistake (no token) fails at once, with the fix. The
 * activity heartbeats while it works, so a lost attempt (dead worker, restarted server) does not make the schedule
 * skip its runs until the start-to-close timeout.
 */
const { pollSourceActivity } = proxyActivities<PollActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: SCHEDULED_RUN_HEARTBEAT_TIMEOUT,
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 3, nonRetryableErrorTypes: ['InputError'] },
});

/** A backlog beyond this many activity rounds is left to the next scheduled run. */
export const MAX_POLL_ROUNDS = 5;

export interface PollSourceResult extends Omit<PollSummary, 'more' | 'raced'> {
  rounds: number;
  /** A backlog was still waiting when the run stopped. */
  more: boolean;
}

/**
 * One scheduled poll of a source (Temporal Schedule "terminal-crm-poll-<source>"): the activity reads pages into the
 * inbox and starts the payment workflows; while it reports a backlog, another round follows, up to MAX_POLL_ROUNDS.
 * Deterministic: it only orchestrates, the activity does all I/O.
 */
export async function pollSource(input: PollSourceInput): Promise<PollSourceResult> {
  const result: PollSourceResult = { source: input.source, fresh: 0, duplicates: 0, pages: 0, workflowIds: [], rounds: 0, more: false };
  for (;;) {
    const round = await pollSourceActivity(input);
    result.rounds++;
    result.fresh += round.fresh;
    result.duplicates += round.duplicates;
    result.pages += round.pages;
    result.workflowIds.push(...round.workflowIds.slice(0, Math.max(0, 100 - result.workflowIds.length)));
    for (const note of round.notes ?? []) if (!result.notes?.includes(note)) (result.notes ??= []).push(note);
    result.more = round.more && !round.raced;
    // Another poller took over the cursor: it carries on, this run has nothing left to do.
    if (!result.more || result.rounds >= MAX_POLL_ROUNDS) return result;
  }
}
