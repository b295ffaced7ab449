import type { RecordSync } from '../contracts/payment-message';
import type { SqlExecutor } from '../store/sql-database';

export interface RecordRef {
  kind: 'customer' | 'payment';
  externalId: string;
}

/**
 * The latest word on records already on their way to `crm`: their newest outbox row, else their link (synced rows
 * are deleted after a day; crm_links keeps the CRM id). Records with neither are absent: nothing was ever queued.
 */
export async function recordSyncStates(
  db: Pick<SqlExecutor, 'all'>,
  crm: string,
  refs: readonly RecordRef[],
  /** Filled, when given, with each record's newest outbox payload (by syncKey), from the same read. */
  newestPayloads?: Map<string, string>,
): Promise<Map<string, RecordSync>> {
  const out = new Map<string, RecordSync>();
  const ids = [...new Set(refs.map((r) => r.externalId))];
  for (let i = 0; i < ids.length; i += 400) {
    const chunk = ids.slice(i, i + 400);
    const marks = chunk.map(() => '?').join(', ');
    const links = await db.all<{ kind: string; external_id: string; crm_id: string | null }>(
      `SELECT kind, external_id, crm_id FROM crm_links WHERE crm = ? AND kind IN ('customer', 'payment') AND external_id IN (${marks})`,
      [crm, ...chunk],
    );
    for (const l of links) {
      if (l.crm_id) out.set(syncKey(l.kind, l.external_id), { kind: l.kind as RecordRef['kind'], externalId: l.external_id, status: 'synced', crmId: l.crm_id });
    }
    // Row ids grow with the time they were queued (outbox/enqueue.ts newOutboxId): the last one is the newest.
    const rows = await db.all<{ id: string; kind: string; external_id: string; state: string; crm_id: string | null; last_error: string | null; next_attempt_at: string; payload: string }>(
      `SELECT id, kind, external_id, state, crm_id, last_error, next_attempt_at, payload FROM outbox
       WHERE crm = ? AND kind IN ('customer', 'payment') AND external_id IN (${marks}) ORDER BY id`,
      [crm, ...chunk],
    );
    for (const r of rows) {
      const at = { kind: r.kind as RecordRef['kind'], externalId: r.external_id };
      const key = syncKey(r.kind, r.external_id);
      newestPayloads?.set(key, r.payload);
      if (r.state === 'synced') out.set(key, { ...at, status: 'synced', crmId: r.crm_id ?? (out.get(key) as { crmId?: string } | undefined)?.crmId ?? '' });
      else if (r.state === 'rejected' || r.state === 'dead') out.set(key, { ...at, status: r.state, reason: r.last_error ?? (r.state === 'dead' ? 'given up' : 'refused by the CRM') });
      else if (r.state === 'inflight') out.set(key, { ...at, status: 'queued', reason: 'another drainer is sending it right now', nextAttemptAt: null });
      else out.set(key, { ...at, status: 'queued', reason: r.last_error ?? 'waits for the next CRM Sync', nextAttemptAt: r.next_attempt_at });
    }
  }
  return out;
}

export function syncKey(kind: string, externalId: string): string {
  return `${kind}\u0000${externalId}`;
}
