import type { CrmCustomer, CrmFieldUpdate, CrmPayment } from '../crm/saas/crm-adapter';
import type { SqlExecutor } from '../store/sql-database';
import type { ClaimedRow } from './settle';

/**
 * The records a claimed batch sends, with the CRM ids crm_links knows filled in: a customer's own id, a payment's
 * own id and its customer's (HubSpot then associates without looking the contact up, email-keyed accounts need
 * it), a field update's customer. The link table wins over what was queued: it holds the CRM's latest word.
 */
export async function recordsFor(db: SqlExecutor, crm: string, rows: readonly ClaimedRow[]): Promise<(CrmCustomer | CrmPayment | CrmFieldUpdate)[]> {
  const customers = await crmIds(db, crm, 'customer', rows.map((r) => r.customerExternalId));
  const payments = rows.some((r) => r.kind === 'payment') ? await crmIds(db, crm, 'payment', rows.filter((r) => r.kind === 'payment').map((r) => r.externalId)) : new Map<string, string>();
  return rows.map((row) => {
    const customerCrmId = customers.get(row.customerExternalId);
    if (row.kind === 'customer') {
      const c = row.payload as CrmCustomer;
      return customerCrmId ? { ...c, crmId: customerCrmId } : c;
    }
    if (row.kind === 'payment') {
      const p = row.payload as CrmPayment;
      const own = payments.get(row.externalId);
      return { ...p, ...(customerCrmId ? { customerCrmId } : {}), ...(own ? { crmId: own } : {}) };
    }
    const f = row.payload as CrmFieldUpdate;
    return customerCrmId ? { ...f, customerCrmId } : f;
  });
}

/** Many links in one query (a batch is up to the CRM's batch size, at most 1000 for Dynamics). */
async function crmIds(db: SqlExecutor, crm: string, kind: 'customer' | 'payment', externalIds: readonly string[]): Promise<Map<string, string>> {
  const ids = [...new Set(externalIds)];
  const out = new Map<string, string>();
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const rows = await db.all<{ external_id: string; crm_id: string | null }>(
      `SELECT external_id, crm_id FROM crm_links WHERE crm = ? AND kind = ? AND external_id IN (${chunk.map(() => '?').join(', ')})`,
      [crm, kind, ...chunk],
    );
    for (const r of rows) if (r.crm_id) out.set(r.external_id, r.crm_id);
  }
  return out;
}
