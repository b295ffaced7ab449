import type { SqlValue } from '../store/sql-database';
import { drain, type DrainOptions, type DrainResult } from './drain';
import { enqueue, outboxLockKeys, type EnqueuedItem } from './enqueue';
import { pacingFor } from '../crm/saas/paced-transport';
import { customerExternalIdOf, type OutboxItem, type OutboxKind } from './types';

/** What became of one item within the flush's time. */
export type FlushOutcome =
  /** `notes`: what was fitted to the CRM's lengths in the record this flush wrote (CrmItemResult), if anything. */
  | { kind: OutboxKind; externalId: string; outboxId: string; status: 'synced'; crmId: string; notes?: string[] }
  | { kind: OutboxKind; externalId: string; outboxId: string; status: 'queued'; reason: string; nextAttemptAt: string | null }
  | { kind: OutboxKind; externalId: string; outboxId: string; status: 'rejected'; reason: string }
  | { kind: OutboxKind; externalId: string; outboxId: string; status: 'dead'; reason: string };

export interface FlushResult {
  /** One per item, in the order given. */
  items: FlushOutcome[];
  drain: DrainResult;
}

/**
 * For CRM Upsert, which wants the CRM's answer while the flow runs: queues the items (so nothing is lost whatever
 * happens next), then sends those same items — and the pending upserts of their customers, which go first — for
 * at most `deadlineMs`. Each item comes back synced (with the CRM id), rejected (with the CRM's message), or queued
 * (with why, and when it is tried next): a queued item is not lost, the next drain sends it.
 */
export async function flushNow(options: Omit<DrainOptions, 'only' | 'deadlineMs' | 'maxBatches'>, items: readonly OutboxItem[], flush: { deadlineMs: number }): Promise<FlushResult> {
  const crm = options.adapter.name;
  const now = options.now ?? Date.now;
  const queued = await options.db.transaction((tx) => enqueue(tx, crm, items, new Date(now())), { lockKeys: outboxLockKeys(crm, items) });
  return flushQueued(options, queued, items.map(customerExternalIdOf), flush);
}

/**
 * flushNow for rows a step already queued inside its own transaction (Segment and Loyalty queue field updates with
 * the local state they describe): sends those rows, and the pending upserts of `customers` first, for at most
 * `deadlineMs`, and says per queued item what became of it.
 */
export async function flushQueued(
  options: Omit<DrainOptions, 'only' | 'deadlineMs' | 'maxBatches'>,
  queued: readonly EnqueuedItem[],
  customerIds: readonly string[],
  flush: { deadlineMs: number },
): Promise<FlushResult> {
  const { db, adapter } = options;
  const crm = adapter.name;
  const now = options.now ?? Date.now;
  const ids = [...new Set(queued.map((q) => q.id))];
  const customers = [...new Set(customerIds)];
  const gate = customers.length
    ? await db.all<{ id: string }>(
        `SELECT id FROM outbox WHERE crm = ? AND kind = 'customer' AND state IN ('pending', 'inflight') AND external_id IN (${customers.map(() => '?').join(', ')})`,
        [crm, ...customers],
      )
    : [];
  const result = await drain({ ...options, only: [...new Set([...ids, ...gate.map((g) => g.id)])], deadlineMs: flush.deadlineMs });
  // A row may be due while the CRM's rate limit (a Retry-After) still holds every request back: it goes then.
  const sendableAt = pacingFor(adapter, { now, sleep: options.sleep ?? (async () => undefined) }).limiter.nextStartAt();
  const nextAttempt = (due: string) => (Number.isFinite(sendableAt) && sendableAt > Date.parse(due) ? new Date(sendableAt).toISOString() : due);

  const rows = new Map(
    (await db.all<{ id: string; state: string; crm_id: string | null; last_error: string | null; next_attempt_at: string; customer_external_id: string; kind: string }>(
      `SELECT id, state, crm_id, last_error, next_attempt_at, customer_external_id, kind FROM outbox WHERE id IN (${ids.map(() => '?').join(', ') || 'NULL'})`,
      ids as SqlValue[],
    )).map((r) => [r.id, r]),
  );
  // What the adapter fitted in the records this drain wrote: a row synced by another drainer has none here.
  const notesOf = new Map(result.outcomes.flatMap((o) => (o.status === 'synced' && o.notes?.length ? [[o.id, o.notes] as const] : [])));
  const outcomes = queued.map((q): FlushOutcome => {
    const at = { kind: q.kind, externalId: q.externalId, outboxId: q.id };
    const row = rows.get(q.id);
    if (!row) return { ...at, status: 'queued', reason: 'a newer state of this record was queued meanwhile and goes in its place', nextAttemptAt: null };
    if (row.state === 'synced') {
      const notes = notesOf.get(q.id);
      return { ...at, status: 'synced', crmId: row.crm_id ?? '', ...(notes ? { notes: [...notes] } : {}) };
    }
    if (row.state === 'rejected') return { ...at, status: 'rejected', reason: row.last_error ?? 'refused by the CRM' };
    if (row.state === 'dead') return { ...at, status: 'dead', reason: row.last_error ?? 'given up' };
    const reason =
      row.state === 'inflight'
        ? 'another drainer is sending it right now'
        : (row.last_error ?? result.stop?.message ?? (row.kind !== 'customer' ? `waits for customer ${row.customer_external_id} to reach ${crm} first, or for its turn` : 'not sent before the deadline'));
    return { ...at, status: 'queued', reason, nextAttemptAt: row.state === 'pending' ? nextAttempt(row.next_attempt_at) : null };
  });
  return { items: outcomes, drain: result };
}
