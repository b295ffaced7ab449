import type { SqlExecutor } from '../store/sql-database';
import type { ClaimedRow } from './settle';

/**
 * The customers of a batch's payments and field updates that the CRM refused (their latest customer row is
 * rejected) and that never reached it (no CRM id in crm_links), with the CRM's reason. Such a record cannot land
 * on its customer: written anyway it would be a payment with nobody on it, retried until it dies.
 */
export async function refusedCustomersOf(db: SqlExecutor, crm: string, rows: readonly ClaimedRow[]): Promise<Map<string, string>> {
  const ids = [...new Set(rows.filter((r) => r.kind !== 'customer').map((r) => r.customerExternalId))];
  const out = new Map<string, string>();
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const marks = chunk.map(() => '?').join(', ');
    const refused = await db.all<{ external_id: string; last_error: string | null }>(
      `SELECT o.external_id, o.last_error FROM outbox o
        WHERE o.crm = ? AND o.kind = 'customer' AND o.state = 'rejected' AND o.external_id IN (${marks})
          AND NOT EXISTS (SELECT 1 FROM outbox n WHERE n.crm = o.crm AND n.kind = 'customer' AND n.external_id = o.external_id AND n.state <> 'rejected' AND n.created_at > o.created_at)
          AND NOT EXISTS (SELECT 1 FROM crm_links l WHERE l.crm = o.crm AND l.kind = 'customer' AND l.external_id = o.external_id AND l.crm_id IS NOT NULL)`,
      [crm, ...chunk],
    );
    for (const r of refused) out.set(r.external_id, r.last_error ?? 'refused');
  }
  return out;
}
