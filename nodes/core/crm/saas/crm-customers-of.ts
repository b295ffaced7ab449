import type { SqlExecutor } from '../../store/sql-database';
import { PROFILE_COLUMNS } from '../customer-columns';
import type { CrmCustomer } from './crm-adapter';

/**
 * Customers as a SaaS CRM receives them: the store's record (every detail any payment filled in), not one
 * payment's hints, so a CRM contact is never written with less than the pack knows. Ids the store lacks are absent.
 */
export async function crmCustomersOf(db: Pick<SqlExecutor, 'all'>, ids: readonly string[]): Promise<Map<string, CrmCustomer>> {
  const unique = [...new Set(ids)];
  const out = new Map<string, CrmCustomer>();
  const columns = PROFILE_COLUMNS.map(([, column]) => column).join(', ');
  for (let i = 0; i < unique.length; i += 500) {
    const chunk = unique.slice(i, i + 500);
    const rows = await db.all<Record<string, string | null>>(`SELECT id, ${columns} FROM customers WHERE id IN (${chunk.map(() => '?').join(', ')})`, chunk);
    for (const row of rows) {
      const profile: CrmCustomer['profile'] = {};
      for (const [field, column] of PROFILE_COLUMNS) {
        const value = row[column];
        if (value !== null && value !== undefined && value !== '') profile[field] = String(value);
      }
      out.set(String(row.id), { externalId: String(row.id), profile });
    }
  }
  return out;
}
