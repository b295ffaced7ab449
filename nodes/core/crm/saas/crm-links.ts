import type { SqlExecutor } from '../../store/sql-database';

/**
 * Which CRM record is which of the pack's records: (crm, kind, external id) → the CRM's own id. Written by the
 * customer refresh (a CRM contact without the pack's id gets a local customer, linked here) and by the outbox
 * after a write the CRM answered with its id; read by both, so a payment can name its contact by CRM id and a
 * contact typed in by a salesperson is written back to, not duplicated.
 */
export interface CrmLink {
  crm: string;
  /** 'customer', 'payment', … */
  kind: string;
  /** The pack's id (cus_…, "<source>:<paymentId>"). */
  externalId: string;
  crmId: string;
}

/** The pack's id of a CRM record, when a link names it. */
export async function externalIdOf(db: SqlExecutor, crm: string, kind: string, crmId: string): Promise<string | undefined> {
  const row = await db.get<{ external_id: string }>(
    'SELECT external_id FROM crm_links WHERE crm = ? AND kind = ? AND crm_id = ? ORDER BY external_id LIMIT 1',
    [crm, kind, crmId],
  );
  return row?.external_id;
}

/** The CRM's id of one of the pack's records, when known. */
export async function crmIdOf(db: SqlExecutor, crm: string, kind: string, externalId: string): Promise<string | undefined> {
  const row = await db.get<{ crm_id: string | null }>('SELECT crm_id FROM crm_links WHERE crm = ? AND kind = ? AND external_id = ?', [crm, kind, externalId]);
  return row?.crm_id ?? undefined;
}

/** Records (or moves) a link; the CRM's latest word wins. Returns whether anything changed. */
export async function saveLink(db: SqlExecutor, link: CrmLink, at = new Date()): Promise<boolean> {
  const { changes } = await db.run(
    `INSERT INTO crm_links (crm, kind, external_id, crm_id, updated_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (crm, kind, external_id) DO UPDATE SET crm_id = excluded.crm_id, updated_at = excluded.updated_at
     WHERE crm_links.crm_id IS NULL OR crm_links.crm_id <> excluded.crm_id`,
    [link.crm, link.kind, link.externalId, link.crmId, at.toISOString()],
  );
  return changes > 0;
}
