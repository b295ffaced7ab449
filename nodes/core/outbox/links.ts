import type { CrmLink } from '../crm/saas/crm-links';
import type { SqlExecutor } from '../store/sql-database';

/**
 * Saves many links in one statement per 200, with saveLink's rule (crm-links.ts): the CRM's latest word wins.
 * A drained batch of 100 synced records is then one round trip instead of 100, which is what a shared Postgres
 * store notices. (Belongs beside saveLink in crm-links.ts; kept here until that file takes it.)
 */
export async function saveLinks(db: SqlExecutor, links: readonly CrmLink[], at: Date): Promise<void> {
  // One statement may not touch a row twice (Postgres refuses it): the last link for a key wins.
  const latest = [...new Map(links.map((l) => [`${l.crm}\u0000${l.kind}\u0000${l.externalId}`, l])).values()];
  for (let i = 0; i < latest.length; i += 200) {
    const chunk = latest.slice(i, i + 200);
    await db.run(
      `INSERT INTO crm_links (crm, kind, external_id, crm_id, updated_at) VALUES ${chunk.map(() => '(?, ?, ?, ?, ?)').join(', ')}
       ON CONFLICT (crm, kind, external_id) DO UPDATE SET crm_id = excluded.crm_id, updated_at = excluded.updated_at
       WHERE crm_links.crm_id IS NULL OR crm_links.crm_id <> excluded.crm_id`,
      chunk.flatMap((l) => [l.crm, l.kind, l.externalId, l.crmId, at.toISOString()]),
    );
  }
}
