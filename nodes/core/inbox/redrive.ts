import { InputError } from '../errors';
import type { SqlDatabase } from '../store/sql-database';

/** How long an accepted event may wait before a redrive takes it: a flow that is merely slow must get to finish. */
export const DEFAULT_REDRIVE_AFTER_MS = 5 * 60_000;
/** A redrive that claimed an event and died leaves it to the next redrive after this long. */
export const DEFAULT_REDRIVE_LEASE_MS = 5 * 60_000;
export const DEFAULT_REDRIVE_LIMIT = 100;
/** The fewest events a run may take (whole numbers only), for the editors' bounds too: 0 would redrive nothing. */
export const MIN_REDRIVE_LIMIT = 1;

export interface RedriveOptions {
  /** Only events accepted at least this long ago (ms). */
  olderThanMs?: number;
  /** At most this many events per run (the oldest first). */
  limit?: number;
  /** How long the claim of a run keeps other redrivers off its events (ms). */
  leaseMs?: number;
  now?: () => Date;
}

/** An event a trigger accepted and no flow finished: the event as the inbox kept it (tokenized when it could be). */
export interface WaitingEvent {
  eventId: string;
  source: string;
  receivedAt: string;
  /** Redrives that took it, this one included. */
  attempts: number;
  event: unknown;
}

export interface RedriveReport<T> {
  /** Finished by this run, with what the handler returned (the message after CRM Upsert, the workflow id…). */
  redriven: { eventId: string; receivedAt: string; attempts: number; result: T }[];
  /** Still waiting, with the reason; the next redrive after the lease tries again. */
  failed: { eventId: string; receivedAt: string; attempts: number; error: string }[];
  /**
   * Accepted and not done after this run: the failed ones, the too recent (a flow may still be on them), those
   * another redrive holds and those a workflow this run started is still on.
   */
  waiting: number;
}

/**
 * Finishes what a trigger accepted (kept in the inbox, answered 2xx) but no flow finished: the engine crashed
 * between the answer and the CRM write, or a step failed. Each waiting event goes to `handle` once per run, one by
 * one so a bad event costs only itself: through tokenize → match → upsert, whose ledger write marks it done in
 * the same transaction (inbox/mark-done.ts). Claims keep concurrent redrivers (a schedule in each engine, the
 * worker, an operator) off each other's events; upsert is idempotent by event id, so even a flow that finishes late
 * next to a redrive records the payment once. A redrive that hands events to durable workflows is
 * redriveIntoWorkflows.
 */
export function redriveInbox<T>(db: SqlDatabase, handle: (event: unknown) => Promise<T>, o: RedriveOptions = {}): Promise<RedriveReport<T>> {
  return redrive(db, handle, o);
}

/**
 * The redrive of a face with a durable workflow engine (the worker): `start` hands each waiting event to its
 * workflow and returns the workflow's id, and the inbox keeps that id and the time (`workflow_id`,
 * `handed_off_at`), so the inbox report counts the event as in a workflow while that workflow runs (for hours when
 * the CRM is down) instead of failed once the claim runs out. Claims, grace and limits are redriveInbox's; any
 * redrive's next claim of the event clears the hand-off, so one that then fails or dies leaves it failed.
 */
export function redriveIntoWorkflows(db: SqlDatabase, start: (event: unknown) => Promise<string>, o: RedriveOptions = {}): Promise<RedriveReport<string>> {
  return redrive(db, start, o, (workflowId) => workflowId);
}

/** `workflowOf`: the durable workflow a result says the event was handed to, to keep in the inbox. */
async function redrive<T>(db: SqlDatabase, handle: (event: unknown) => Promise<T>, o: RedriveOptions, workflowOf?: (result: T) => string): Promise<RedriveReport<T>> {
  const clock = o.now ?? (() => new Date());
  const claimed = await claimWaitingEvents(db, clock(), o);
  const report: RedriveReport<T> = { redriven: [], failed: [], waiting: 0 };
  for (const w of claimed) {
    const about = { eventId: w.eventId, receivedAt: w.receivedAt, attempts: w.attempts };
    try {
      const result = await handle(w.event);
      // The workflow owns the event now: what an earlier redrive failed with no longer says why it waits.
      if (workflowOf) {
        await db.run(
          "UPDATE inbox_events SET workflow_id = ?, handed_off_at = ?, last_error = NULL WHERE event_id = ? AND state = 'accepted'",
          [workflowOf(result), clock().toISOString(), w.eventId],
        );
      }
      report.redriven.push({ ...about, result });
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      await db.run('UPDATE inbox_events SET last_error = ? WHERE event_id = ?', [error.slice(0, 2000), w.eventId]);
      report.failed.push({ ...about, error });
    }
  }
  report.waiting = await countWaiting(db);
  return report;
}

interface WaitingRow {
  event_id: string;
  source: string;
  received_at: string;
  attempts: number;
  payload: string;
}

/**
 * Takes the oldest waiting events for one run (a lease, so a redrive that dies hands them on). A hand-off to a
 * workflow an earlier redrive recorded is cleared: until this run hands the event on again it is this run's, so a
 * run that dies leaves it failed once the claim runs out.
 */
export async function claimWaitingEvents(db: SqlDatabase, now: Date, o: RedriveOptions = {}): Promise<WaitingEvent[]> {
  const olderThanMs = o.olderThanMs ?? DEFAULT_REDRIVE_AFTER_MS;
  const limit = o.limit ?? DEFAULT_REDRIVE_LIMIT;
  const leaseMs = o.leaseMs ?? DEFAULT_REDRIVE_LEASE_MS;
  if (!Number.isFinite(olderThanMs) || olderThanMs < 0) throw new InputError('olderThan', `${olderThanMs} ms is not a wait`, 'give a duration of zero or more, e.g. "5m"');
  if (!Number.isSafeInteger(limit) || limit < MIN_REDRIVE_LIMIT) throw new InputError('limit', `${limit} is not a number of events`, `give a whole number of at least ${MIN_REDRIVE_LIMIT}`);
  const at = now.toISOString();
  const rows = await db.transaction(
    async (tx) => {
      const picked = await tx.all<WaitingRow>(
        `SELECT event_id, source, received_at, attempts, payload FROM inbox_events
         WHERE state = 'accepted' AND received_at <= ? AND (claimed_until IS NULL OR claimed_until <= ?)
         ORDER BY received_at, event_id LIMIT ?`,
        [new Date(now.getTime() - olderThanMs).toISOString(), at, limit],
      );
      const until = new Date(now.getTime() + leaseMs).toISOString();
      for (const r of picked) {
        await tx.run('UPDATE inbox_events SET claimed_until = ?, attempts = attempts + 1, workflow_id = NULL, handed_off_at = NULL WHERE event_id = ?', [until, r.event_id]);
      }
      return picked;
    },
    // Two redrivers on Postgres queue here instead of racing for the same rows.
    { lockKeys: ['inbox:redrive'] },
  );
  return rows.map((r) => ({ eventId: r.event_id, source: r.source, receivedAt: r.received_at, attempts: Number(r.attempts) + 1, event: JSON.parse(r.payload) as unknown }));
}

/** Accepted and not done, whatever its age. */
export async function countWaiting(db: SqlDatabase): Promise<number> {
  const row = await db.get<{ n: number }>("SELECT COUNT(*) AS n FROM inbox_events WHERE state = 'accepted'");
  return Number(row?.n ?? 0);
}
