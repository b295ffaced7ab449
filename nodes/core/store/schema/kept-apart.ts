/**
 * Schema 14: pairs of customers an operator said are different people (Resolve Review's Keep Apart). Without it
 * the decision lives only in an execution's output: a later payment carrying a key of each would merge them
 * automatically, undoing what a person decided.
 */
export const KEPT_APART_MIGRATION = {
  version: 14,
  name: 'identity: customers an operator kept apart',
  sql: `
    CREATE TABLE kept_apart (
      customer_a TEXT NOT NULL, customer_b TEXT NOT NULL,
      reason TEXT, actor TEXT NOT NULL, via TEXT,
      decided_at TEXT NOT NULL,
      PRIMARY KEY (customer_a, customer_b)
    );
    CREATE INDEX customers_by_merged_into ON customers(merged_into)`,
} as const;
