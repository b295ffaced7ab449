import type { SqlExecutor } from '../store/sql-database';

/**
 * Fields written back to the CRM. The local CRM keeps them in `customer_fields`; a SaaS CRM adapter receives the
 * same map (CRM field name → value) and writes its own custom properties.
 */
export type CustomerFieldValue = string | number | boolean | null;
export type CustomerFields = Record<string, CustomerFieldValue>;

/** Our field names → the operator's CRM field names; unmapped or null-mapped fields are left out. */
export function mapFields(values: Record<string, CustomerFieldValue>, mapping: Record<string, string | null>): CustomerFields {
  const out: CustomerFields = {};
  for (const [ours, theirs] of Object.entries(mapping)) {
    if (theirs && ours in values) out[theirs] = values[ours]!;
  }
  return out;
}

/** One statement for all fields of a customer; idempotent (the same values written twice leave the same row). */
export async function writeLocalCustomerFields(tx: SqlExecutor, customerId: string, fields: CustomerFields, now: string): Promise<void> {
  const entries = Object.entries(fields);
  if (entries.length === 0) return;
  await tx.run(
    `INSERT INTO customer_fields (customer_id, name, value, updated_at) VALUES ${entries.map(() => '(?, ?, ?, ?)').join(', ')}
     ON CONFLICT (customer_id, name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    entries.flatMap(([name, value]) => [customerId, name, storedText(value), now]),
  );
}

export async function readLocalCustomerFields(tx: Pick<SqlExecutor, 'all'>, customerId: string): Promise<Record<string, string | null>> {
  const rows = await tx.all<{ name: string; value: string | null }>('SELECT name, value FROM customer_fields WHERE customer_id = ? ORDER BY name', [customerId]);
  return Object.fromEntries(rows.map((r) => [r.name, r.value]));
}

/** The store's copy of many customers' fields (value as stored: text, JSON for numbers and booleans). */
export async function localFieldsOf(tx: Pick<SqlExecutor, 'all'>, customerIds: readonly string[]): Promise<Map<string, Record<string, string | null>>> {
  const out = new Map<string, Record<string, string | null>>();
  for (let i = 0; i < customerIds.length; i += 500) {
    const ids = customerIds.slice(i, i + 500);
    if (ids.length === 0) continue;
    const rows = await tx.all<{ customer_id: string; name: string; value: string | null }>(
      `SELECT customer_id, name, value FROM customer_fields WHERE customer_id IN (${ids.map(() => '?').join(', ')})`,
      ids,
    );
    for (const r of rows) {
      const fields = out.get(r.customer_id) ?? {};
      fields[r.name] = r.value;
      out.set(r.customer_id, fields);
    }
  }
  return out;
}

/** The fields whose value differs from the stored copy (a field never stored counts as changed). */
export function changedFields(stored: Record<string, string | null>, fields: CustomerFields): CustomerFields {
  const out: CustomerFields = {};
  for (const [name, value] of Object.entries(fields)) {
    if (!(name in stored) || stored[name] !== storedText(value)) out[name] = value;
  }
  return out;
}

function storedText(value: CustomerFieldValue): string | null {
  return value === null ? null : typeof value === 'string' ? value : JSON.stringify(value);
}
