import type { MatchKey, MatchKeyKind } from '../contracts/customer';
import type { SqlExecutor } from '../store/sql-database';
import type { CustomerChangePage, MatchRecord } from './match-record';

/**
 * Writers stamp updated_at before they commit, and several processes share the store, so a row can commit with
 * a stamp a little older than one already read. Each refresh therefore starts this far back; re-reading a row
 * is harmless, the index keeps it once.
 */
export const CHANGE_OVERLAP_MS = 2000;

/** Payment ids are looked up one by one in the store; the index holds the keys that identify a person. */
const INDEXED_KINDS: readonly MatchKeyKind[] = ['processorCustomerId', 'email', 'phone', 'cardToken'];

interface CustomerRow {
  id: string;
  name: string | null;
  given_name: string | null;
  family_name: string | null;
  email: string | null;
  phone: string | null;
  street: string | null;
  city: string | null;
  postal_code: string | null;
  region: string | null;
  country: string | null;
  date_of_birth: string | null;
  merged_into: string | null;
  updated_at: string;
}

function parseCursor(cursor: string | null): { at: string; id: string } {
  if (!cursor) return { at: '', id: '' };
  const sep = cursor.indexOf('|');
  return sep < 0 ? { at: cursor, id: '' } : { at: cursor.slice(0, sep), id: cursor.slice(sep + 1) };
}

function rewind(at: string): string {
  const t = Date.parse(at);
  return Number.isNaN(t) ? at : new Date(t - CHANGE_OVERLAP_MS).toISOString();
}

const opt = (v: string | null): string | undefined => (v === null || v === '' ? undefined : v);

/** Customers of the local store changed after `cursor`, with their keys and cards, oldest change first. */
export async function readLocalCustomerChanges(db: SqlExecutor, cursor: string | null, limit: number): Promise<CustomerChangePage> {
  const from = parseCursor(cursor);
  const rows = await db.all<CustomerRow>(
    `SELECT id, name, given_name, family_name, email, phone, street, city, postal_code, region, country, date_of_birth,
            merged_into, updated_at
       FROM customers WHERE updated_at > ? OR (updated_at = ? AND id > ?)
       ORDER BY updated_at, id LIMIT ?`,
    [from.at, from.at, from.id, limit],
  );
  const records = new Map<string, MatchRecord & { keys: MatchKey[]; cards: NonNullable<MatchRecord['cards']>[number][] }>();
  for (const r of rows) {
    records.set(r.id, {
      id: r.id,
      name: opt(r.name), givenName: opt(r.given_name), familyName: opt(r.family_name), email: opt(r.email), phone: opt(r.phone),
      street: opt(r.street), city: opt(r.city), postalCode: opt(r.postal_code), region: opt(r.region), country: opt(r.country),
      dateOfBirth: opt(r.date_of_birth), mergedInto: opt(r.merged_into), updatedAt: r.updated_at,
      keys: [], cards: [],
    });
  }
  const ids = [...records.keys()];
  for (let i = 0; i < ids.length; i += 400) {
    const chunk = ids.slice(i, i + 400);
    const marks = chunk.map(() => '?').join(',');
    const keys = await db.all<{ kind: MatchKeyKind; value: string; customer_id: string }>(
      `SELECT kind, value, customer_id FROM customer_keys WHERE customer_id IN (${marks}) AND kind IN (${INDEXED_KINDS.map(() => '?').join(',')})`,
      [...chunk, ...INDEXED_KINDS],
    );
    for (const k of keys) records.get(k.customer_id)?.keys.push({ kind: k.kind, value: k.value });
    const cards = await db.all<{
      customer_id: string; bin: string | null; last4: string; exp_month: number | null; exp_year: number | null;
      wallet: string | null; token: string | null; processor: string | null;
    }>(
      `SELECT customer_id, bin, last4, exp_month, exp_year, wallet, token, processor FROM customer_cards WHERE customer_id IN (${marks})`,
      chunk,
    );
    for (const c of cards) {
      records.get(c.customer_id)?.cards.push({
        last4: c.last4,
        ...(c.bin ? { bin: c.bin } : {}),
        ...(c.exp_month ? { expMonth: Number(c.exp_month) } : {}),
        ...(c.exp_year ? { expYear: Number(c.exp_year) } : {}),
        ...(c.wallet ? { wallet: c.wallet } : {}),
        ...(c.token && c.processor ? { token: c.token, processor: c.processor } : {}),
      });
    }
  }
  const last = rows[rows.length - 1];
  const more = rows.length === limit;
  // A cursor that ends a listing starts the next one a little back; one that came from paging is exact.
  const next = last ? (more ? `${last.updated_at}|${last.id}` : rewind(last.updated_at)) : from.id ? rewind(from.at) : cursor;
  return { records: [...records.values()], next, more };
}
