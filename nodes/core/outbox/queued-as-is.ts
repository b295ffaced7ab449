import type { SqlExecutor } from '../store/sql-database';
import { externalIdOf, type OutboxItem } from './types';

/**
 * For each item: does the outbox already carry this record in exactly this state? True when the record's newest
 * row (waiting, in flight, synced, rejected or dead) holds the same payload.
 *
 * A step that meets an event again (a redelivery, a retried activity, the saga that records an event in one
 * activity and syncs it in the next) may skip what is queued as it is, but an event being a duplicate says nothing
 * about its records: a later event of the same payment may have changed the payment since its row was queued (a
 * refund recorded by another step), or the process stopped between recording and queuing. Only the record's state
 * tells. A record whose rows are gone (synced more than a day ago) counts as not carried: sending it once more is
 * one keyed write.
 */
export async function queuedAsItIs(db: Pick<SqlExecutor, 'all'>, crm: string, items: readonly OutboxItem[]): Promise<boolean[]> {
  const newest = new Map<string, string>();
  const ids = [...new Set(items.map(externalIdOf))];
  for (let i = 0; i < ids.length; i += 400) {
    const chunk = ids.slice(i, i + 400);
    // Row ids grow with the time they were queued (enqueue.ts newOutboxId): the last one per record is the newest.
    const rows = await db.all<{ kind: string; external_id: string; payload: string }>(
      `SELECT kind, external_id, payload FROM outbox WHERE crm = ? AND external_id IN (${chunk.map(() => '?').join(', ')}) ORDER BY id`,
      [crm, ...chunk],
    );
    for (const r of rows) newest.set(`${r.kind}\u0000${r.external_id}`, r.payload);
  }
  return items.map((item) => carriedAsItIs(newest.get(`${item.kind}\u0000${externalIdOf(item)}`), item));
}

/** Whether a record's newest outbox payload (undefined: none) is exactly this item's record. */
export function carriedAsItIs(newestPayload: string | undefined, item: OutboxItem): boolean {
  // The payload is stored as JSON.stringify of the record enqueue was given; records built the same way compare equal.
  return newestPayload !== undefined && newestPayload === JSON.stringify(item.record);
}
