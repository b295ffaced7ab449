import { CRM_LINKS_MIGRATION } from './schema/crm-links';
import { CURSORS_MIGRATION } from './schema/cursors';
import { KEPT_APART_MIGRATION } from './schema/kept-apart';
import { CHANGE_ORDER_MIGRATION } from './schema/change-order';
import { INBOX_CONSUMERS_MIGRATION } from './schema/inbox-consumers';
import { STEP_RESULTS_BY_TIME_MIGRATION, STEP_RESULTS_MIGRATION } from './step-results';
import { INBOX_MIGRATION } from './schema/inbox';
import { INBOX_REDRIVE_MIGRATION, INBOX_WORKFLOW_HAND_OFF_MIGRATION } from './schema/inbox-redrive';
import {
  LEDGER_CAPTURES_ADD_UP_MIGRATION, LEDGER_CAPTURES_MIGRATION, LEDGER_MIGRATION, LEDGER_REFUND_REVERSALS_MIGRATION, LEDGER_REVERSED_OUT_OF_TOTALS_MIGRATION, LEDGER_SALE_VOIDS_MIGRATION,
  LEDGER_UNREFERENCED_REFUNDS_MIGRATION, LEDGER_DISPUTE_TIME_MIGRATION, LEDGER_AUTHORISATION_ADJUSTMENT_MIGRATION, LEDGER_REFUNDS_REVERSED_MIGRATION, LEDGER_VOIDS_UNCOUNTED_MIGRATION, SEGMENT_VOID_VISITS_MIGRATION,
  LEDGER_DISPUTE_AMOUNT_STATED_MIGRATION, LEDGER_CAPTURE_FAILED_FIRST_MIGRATION, LEDGER_OTHER_MONEY_MIGRATION,
  LEDGER_ENTRIES_BY_CURRENCY_MIGRATION,
} from './schema/ledger';
import { MATCH_WEIGHTS_MIGRATION } from './schema/match-weights';
import { MESSAGES_MIGRATION } from './schema/messages';
import { OUTBOX_MIGRATION } from './schema/outbox';
import { LOYALTY_EARN_MULTIPLIER_MIGRATION, SEGMENT_LOYALTY_MIGRATION } from './schema/segment-loyalty';
import { LEDGER_REFUND_REPORTS_MIGRATION } from './schema/refund-reports';
import { LOYALTY_REVIEW_EVENTS_MIGRATION } from './schema/loyalty-review-events';
import { LOYALTY_TIER_CHANGES_MIGRATION } from './schema/loyalty-tier-changes';
import { SEGMENT_SALE_CATEGORIES_MIGRATION } from './schema/segment-sale-categories';
import { schemaStatementFor } from './dialect';
import type { SqlDatabase } from './sql-database';

/**
 * Schema versions, applied in order and recorded in schema_migrations. Never edit a released entry: add one.
 * Money columns are integer minor units beside an ISO currency code.
 */
/**
 * `sql` is split at semicolons and adapted to the dialect (dialect.ts); `postgres`, when there, are statements run
 * as written on Postgres only (a function body has semicolons of its own).
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
  postgres?: readonly string[];
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'local crm: customers, keys, transactions, processed events',
    sql: `
      CREATE TABLE customers (
        id TEXT PRIMARY KEY,
        name TEXT, email TEXT, phone TEXT, postal_code TEXT,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL
      );
      CREATE TABLE customer_keys (
        kind TEXT NOT NULL, value TEXT NOT NULL,
        customer_id TEXT NOT NULL REFERENCES customers(id),
        created_at TEXT NOT NULL,
        PRIMARY KEY (kind, value)
      );
      CREATE INDEX customer_keys_by_customer ON customer_keys(customer_id);
      CREATE TABLE transactions (
        event_id TEXT PRIMARY KEY,
        customer_id TEXT REFERENCES customers(id),
        source TEXT NOT NULL, payment_id TEXT NOT NULL, kind TEXT NOT NULL,
        amount_minor INTEGER NOT NULL, currency TEXT NOT NULL, status TEXT NOT NULL,
        occurred_at TEXT NOT NULL,
        card_brand TEXT, card_last4 TEXT, card_token TEXT, entry_mode TEXT, wallet TEXT,
        reader_id TEXT, location_id TEXT,
        recorded_at TEXT NOT NULL
      );
      CREATE INDEX transactions_by_payment ON transactions(source, payment_id, kind);
      CREATE INDEX transactions_by_customer ON transactions(customer_id, occurred_at);
      CREATE TABLE customer_totals (
        customer_id TEXT NOT NULL REFERENCES customers(id), currency TEXT NOT NULL,
        payments INTEGER NOT NULL DEFAULT 0,
        gross_minor INTEGER NOT NULL DEFAULT 0, refunded_minor INTEGER NOT NULL DEFAULT 0,
        first_seen TEXT, last_seen TEXT,
        PRIMARY KEY (customer_id, currency)
      );
      CREATE TABLE processed_events (
        scope TEXT NOT NULL, event_id TEXT NOT NULL, result TEXT NOT NULL, processed_at TEXT NOT NULL,
        PRIMARY KEY (scope, event_id)
      );`,
  },
  {
    version: 2,
    name: 'customer details for matching, card descriptors, identity merges',
    sql: `
      ALTER TABLE customers ADD COLUMN given_name TEXT;
      ALTER TABLE customers ADD COLUMN family_name TEXT;
      ALTER TABLE customers ADD COLUMN street TEXT;
      ALTER TABLE customers ADD COLUMN city TEXT;
      ALTER TABLE customers ADD COLUMN region TEXT;
      ALTER TABLE customers ADD COLUMN country TEXT;
      ALTER TABLE customers ADD COLUMN date_of_birth TEXT;
      ALTER TABLE customers ADD COLUMN merged_into TEXT;
      CREATE INDEX customers_by_update ON customers(updated_at, id);
      CREATE TABLE customer_cards (
        customer_id TEXT NOT NULL REFERENCES customers(id),
        card_key TEXT NOT NULL,
        bin TEXT, last4 TEXT NOT NULL, exp_month INTEGER, exp_year INTEGER, brand TEXT, wallet TEXT,
        token TEXT, processor TEXT,
        created_at TEXT NOT NULL,
        PRIMARY KEY (customer_id, card_key)
      );
      CREATE TABLE identity_merges (
        id TEXT PRIMARY KEY,
        into_id TEXT NOT NULL REFERENCES customers(id), from_id TEXT NOT NULL REFERENCES customers(id),
        evidence TEXT NOT NULL, moved TEXT NOT NULL, actor TEXT NOT NULL,
        merged_at TEXT NOT NULL, undone_at TEXT
      );
      CREATE INDEX identity_merges_by_customer ON identity_merges(into_id, from_id)`,
  },
  SEGMENT_LOYALTY_MIGRATION,
  INBOX_MIGRATION,
  CURSORS_MIGRATION,
  LEDGER_MIGRATION,
  OUTBOX_MIGRATION,
  CRM_LINKS_MIGRATION,
  INBOX_REDRIVE_MIGRATION,
  MATCH_WEIGHTS_MIGRATION,
  MESSAGES_MIGRATION,
  KEPT_APART_MIGRATION,
  INBOX_CONSUMERS_MIGRATION,
  CHANGE_ORDER_MIGRATION,
  STEP_RESULTS_MIGRATION,
  STEP_RESULTS_BY_TIME_MIGRATION,
  LEDGER_REFUND_REVERSALS_MIGRATION,
  LEDGER_SALE_VOIDS_MIGRATION,
  LEDGER_VOIDS_UNCOUNTED_MIGRATION,
  SEGMENT_VOID_VISITS_MIGRATION,
  SEGMENT_SALE_CATEGORIES_MIGRATION,
  LEDGER_CAPTURES_MIGRATION,
  LEDGER_REVERSED_OUT_OF_TOTALS_MIGRATION,
  LEDGER_CAPTURES_ADD_UP_MIGRATION,
  LOYALTY_EARN_MULTIPLIER_MIGRATION,
  LEDGER_REFUND_REPORTS_MIGRATION,
  LEDGER_UNREFERENCED_REFUNDS_MIGRATION,
  LEDGER_DISPUTE_TIME_MIGRATION,
  LEDGER_AUTHORISATION_ADJUSTMENT_MIGRATION,
  LEDGER_REFUNDS_REVERSED_MIGRATION,
  LEDGER_DISPUTE_AMOUNT_STATED_MIGRATION,
  LEDGER_CAPTURE_FAILED_FIRST_MIGRATION,
  LEDGER_OTHER_MONEY_MIGRATION,
  LEDGER_ENTRIES_BY_CURRENCY_MIGRATION,
  INBOX_WORKFLOW_HAND_OFF_MIGRATION,
  LOYALTY_REVIEW_EVENTS_MIGRATION,
  LOYALTY_TIER_CHANGES_MIGRATION,
];

/** Held while migrating, so two instances starting at once do not both apply a version: the second waits, then finds it applied. */
export const MIGRATION_LOCK_KEY = 'terminal-crm:schema-migrations';

export async function migrate(db: SqlDatabase): Promise<void> {
  await db.transaction(
    async (tx) => {
      await tx.run('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
      const done = new Set((await tx.all<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => Number(r.version)));
      for (const m of MIGRATIONS) {
        if (done.has(m.version)) continue;
        for (const statement of m.sql.split(';').map((s) => s.trim()).filter(Boolean)) await tx.run(schemaStatementFor(db.dialect, statement));
        if (db.dialect === 'postgres') for (const statement of m.postgres ?? []) await tx.run(statement);
        await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [m.version, m.name, new Date().toISOString()]);
      }
    },
    { lockKeys: [MIGRATION_LOCK_KEY] },
  );
}
