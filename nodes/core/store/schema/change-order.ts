/**
 * Store schema version 16 (Postgres only): customers carry the id of the transaction that last changed them, so
 * the match index reads changes in commit order, exactly once. Postgres commits transactions side by side, so a
 * row can commit with an updated_at older than one already read; the changes feed used to start each read two
 * seconds back to catch such rows, and under load re-read (with keys and cards) every customer of those two
 * seconds before every payment: most of the pipeline's 3.6 ms a payment on Postgres at 1,000 customers. Rows are
 * read only below the oldest transaction still running (pg_snapshot_xmin), so nothing can later commit behind the
 * cursor. SQLite commits one writer at a time and keeps its exact updated_at cursor: nothing to add there.
 */
export const CHANGE_ORDER_MIGRATION = {
  version: 16,
  name: 'customers in commit order for the match index (postgres)',
  sql: '',
  postgres: [
    'ALTER TABLE customers ADD COLUMN change_xid xid8 NOT NULL DEFAULT pg_current_xact_id()',
    'CREATE INDEX customers_by_change ON customers (change_xid, id)',
    `CREATE FUNCTION terminal_crm_customer_changed() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         NEW.change_xid := pg_current_xact_id();
         RETURN NEW;
       END
     $$`,
    // Every update, even one that leaves the row as it was: the write that gives a customer a new card or key
    // updates the customer row in the same transaction, and that must count as a change (it is read once more).
    `CREATE TRIGGER customers_changed BEFORE UPDATE ON customers FOR EACH ROW
       EXECUTE FUNCTION terminal_crm_customer_changed()`,
  ],
} as const;
