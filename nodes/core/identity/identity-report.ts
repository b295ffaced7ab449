import type { SqlExecutor, SqlValue } from '../store/sql-database';
import { identityOf, resolveCustomerId, type IdentityView } from './identity-graph';

const PROFILE = {
  name: 'name', given_name: 'givenName', family_name: 'familyName', email: 'email', phone: 'phone', street: 'street', city: 'city',
  postal_code: 'postalCode', region: 'region', country: 'country', date_of_birth: 'dateOfBirth',
} as const;

export interface CustomerTotals {
  currency: string;
  payments: number;
  grossMinor: number;
  refundedMinor: number;
  firstSeen: string | null;
  lastSeen: string | null;
}

/** What an operator needs to judge a customer before merging or unmerging: who, what they paid, and their identity. */
export interface IdentityReport extends IdentityView {
  profile: Partial<Record<(typeof PROFILE)[keyof typeof PROFILE], string>>;
  totals: CustomerTotals[];
  /** For a customer merged away: the customer that holds the person now, at the end of the chain of merges. */
  currentId?: string;
  createdAt: string;
}

export async function identityReport(db: SqlExecutor, customerId: string): Promise<IdentityReport | undefined> {
  const view = await identityOf(db, customerId);
  if (!view) return undefined;
  const row = (await db.get<Record<string, SqlValue>>('SELECT * FROM customers WHERE id = ?', [customerId]))!;
  const profile: IdentityReport['profile'] = {};
  for (const [column, field] of Object.entries(PROFILE)) {
    const v = row[column];
    if (typeof v === 'string' && v !== '') profile[field] = v;
  }
  const totals = (await db.all<{ currency: string; payments: number; gross_minor: number; refunded_minor: number; first_seen: string | null; last_seen: string | null }>(
    'SELECT currency, payments, gross_minor, refunded_minor, first_seen, last_seen FROM customer_totals WHERE customer_id = ? ORDER BY currency',
    [customerId],
  )).map((t) => ({
    currency: t.currency, payments: Number(t.payments), grossMinor: Number(t.gross_minor), refundedMinor: Number(t.refunded_minor), firstSeen: t.first_seen, lastSeen: t.last_seen,
  }));
  const currentId = view.mergedInto ? await resolveCustomerId(db, customerId) : undefined;
  return { ...view, profile, totals, ...(currentId && currentId !== customerId ? { currentId } : {}), createdAt: String(row.created_at) };
}
