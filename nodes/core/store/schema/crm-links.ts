/** Store schema version 8: links between the pack's records and each CRM's records. */
export const CRM_LINKS_MIGRATION = {
  version: 8,
  name: 'links between pack records and CRM records',
  sql: `
    CREATE TABLE crm_links (
      crm TEXT NOT NULL, kind TEXT NOT NULL, external_id TEXT NOT NULL, crm_id TEXT, updated_at TEXT,
      PRIMARY KEY (crm, kind, external_id)
    );
    CREATE INDEX crm_links_by_crm_id ON crm_links(crm, kind, crm_id)`,
} as const;
