import { InputError } from '../errors';
import type { SqlDatabase, SqlValue } from '../store/sql-database';
import { DEFAULT_REDRIVE_AFTER_MS } from './redrive';

/** What waits in the inbox from one source. */
export interface InboxSourceCount {
  source: string;
  /** Accepted (answered 2xx) and not done. */
  waiting: number;
  /** The oldest waiting event's `received_at`. */
  oldestReceivedAt: string;
  /** Waiting at least the grace period: a redrive takes them. */
  due: number;
  /**
   * A redrive took them (attempts > 0) and they still wait: it failed (with its reason), or it died and its claim ran
   * out before it handed them to a workflow. An event a redrive is on for the first time right now is claimed, not
   * failed; one the latest redrive handed to a workflow is inWorkflow, not failed.
   */
  failed: number;
  /** The reason the latest failed redrive kept, if any kept one. */
  lastError: string | null;
  /** Claimed by a redrive right now (claimed_until in the future): another redrive leaves them alone until then. */
  claimed: number;
  /**
   * The latest redrive that took them handed them to a durable workflow (the worker's), which has them: they wait
   * while it runs (retrying a CRM that is down, say), whether or not that redrive's claim still holds.
   */
  inWorkflow: number;
}

/** The durable workflow the latest redrive of an event handed it to. */
export interface InboxHandOff {
  /** Its id in the engine (Temporal's workflow id: payment-<…>). */
  workflowId: string;
  /** When that redrive handed it over; the worker hands it again each time its claim runs out. */
  handedOffAt: string;
}

/** One waiting event, as an operator needs it: never its payload. */
export interface InboxWaitingEvent {
  eventId: string;
  source: string;
  type: string;
  receivedAt: string;
  /** Redrives that took it. */
  attempts: number;
  lastError: string | null;
  /** Until when a redrive holds it, when one does now. */
  claimedUntil: string | null;
  /** Waiting at least the grace period: a redrive takes it. */
  due: boolean;
  /** The workflow the latest redrive that took it handed it to; null when none did (no redrive yet, or it failed or died). */
  inWorkflow: InboxHandOff | null;
}

export interface InboxReport {
  /** The grace period `due` is measured with. */
  olderThanMs: number;
  /** Per source, those the query selects. */
  sources: InboxSourceCount[];
  /** The waiting events the query selects, oldest first, at most `limit`. */
  events: InboxWaitingEvent[];
  /** Waiting events beyond `limit`. */
  more: number;
}

export interface InboxQuery {
  source?: string;
  /** The redrive grace period (default DEFAULT_REDRIVE_AFTER_MS, as a redrive's). */
  olderThanMs?: number;
  limit?: number;
  now?: number;
}

interface CountRow {
  source: string;
  waiting: number;
  oldest: string;
  due: number;
  failed: number;
  claimed: number;
  in_workflow: number;
}

interface EventRow {
  event_id: string;
  source: string;
  event_type: string;
  received_at: string;
  attempts: number;
  last_error: string | null;
  claimed_until: string | null;
  workflow_id: string | null;
  handed_off_at: string | null;
}

/** Every claim clears the hand-off (redrive.ts), so a kept workflow id is the doing of the latest redrive that took it. */
const IN_WORKFLOW = 'workflow_id IS NOT NULL';
const FAILED = `attempts > 0 AND NOT (${IN_WORKFLOW}) AND (last_error IS NOT NULL OR claimed_until IS NULL OR claimed_until <= ?)`;

/**
 * What the inbox holds that no flow finished (state accepted), for an operator: per source how many wait, since
 * when, how many a redrive failed on and why, how many a redrive holds now, how many a workflow has; then the
 * events, oldest first. It only reads, and never the stored payload.
 */
export async function inboxReport(db: SqlDatabase, q: InboxQuery = {}): Promise<InboxReport> {
  const olderThanMs = q.olderThanMs ?? DEFAULT_REDRIVE_AFTER_MS;
  const limit = q.limit ?? 50;
  if (!Number.isFinite(olderThanMs) || olderThanMs < 0) throw new InputError('olderThan', `${olderThanMs} ms is not a wait`, 'give a duration of zero or more, e.g. "5m"');
  if (!Number.isSafeInteger(limit) || limit < 1) throw new InputError('limit', `${limit} is not a number of events`, 'give a whole number of at least 1');
  const now = new Date(q.now ?? Date.now()).toISOString();
  const dueBefore = new Date(Date.parse(now) - olderThanMs).toISOString();
  const bySource = q.source === undefined ? '' : ' AND source = ?';
  const sourceParam: SqlValue[] = q.source === undefined ? [] : [q.source];

  const counts = await db.all<CountRow>(
    `SELECT source, COUNT(*) AS waiting, MIN(received_at) AS oldest,
       SUM(CASE WHEN received_at <= ? THEN 1 ELSE 0 END) AS due,
       SUM(CASE WHEN ${FAILED} THEN 1 ELSE 0 END) AS failed,
       SUM(CASE WHEN claimed_until > ? THEN 1 ELSE 0 END) AS claimed,
       SUM(CASE WHEN ${IN_WORKFLOW} THEN 1 ELSE 0 END) AS in_workflow
     FROM inbox_events WHERE state = 'accepted'${bySource} GROUP BY source ORDER BY source`,
    [dueBefore, now, now, ...sourceParam],
  );
  const sources: InboxSourceCount[] = [];
  for (const c of counts) {
    // The claim a failed redrive set is not cleared: the latest claim is the latest attempt, and its reason the latest.
    const latest = Number(c.failed) === 0 ? undefined : await db.get<{ last_error: string }>(
      `SELECT last_error FROM inbox_events WHERE state = 'accepted' AND source = ? AND last_error IS NOT NULL
       ORDER BY COALESCE(claimed_until, '') DESC, received_at DESC, event_id LIMIT 1`,
      [c.source],
    );
    sources.push({
      source: c.source,
      waiting: Number(c.waiting),
      oldestReceivedAt: c.oldest,
      due: Number(c.due),
      failed: Number(c.failed),
      lastError: latest?.last_error ?? null,
      claimed: Number(c.claimed),
      inWorkflow: Number(c.in_workflow),
    });
  }

  const rows = await db.all<EventRow>(
    `SELECT event_id, source, event_type, received_at, attempts, last_error, claimed_until, workflow_id, handed_off_at FROM inbox_events
     WHERE state = 'accepted'${bySource} ORDER BY received_at, event_id LIMIT ?`,
    [...sourceParam, limit],
  );
  const events = rows.map((r): InboxWaitingEvent => ({
    eventId: r.event_id,
    source: r.source,
    type: r.event_type,
    receivedAt: r.received_at,
    attempts: Number(r.attempts),
    lastError: r.last_error,
    claimedUntil: r.claimed_until !== null && r.claimed_until > now ? r.claimed_until : null,
    due: r.received_at <= dueBefore,
    inWorkflow: r.workflow_id === null ? null : { workflowId: r.workflow_id, handedOffAt: r.handed_off_at ?? '' },
  }));
  const waiting = sources.reduce((n, s) => n + s.waiting, 0);
  return { olderThanMs, sources, events, more: Math.max(0, waiting - events.length) };
}
