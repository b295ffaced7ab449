import type { MatchKey, MatchKeyKind } from '../contracts/customer';
import type { SqlExecutor } from '../store/sql-database';
import type { CustomerChangePage, MatchRecord } from '../contracts/match-record';
import { isGiftCardBrand } from '../sources/card-brand';

/**
 * A reader without the store's commit order (`terminal-crm link` reading a store through to its end) starts each
 * listing this far back: Postgres commits several transactions at once, so a row can commit with a stamp a little
 * older than one already read (re-reading a row is harmless, the index keeps it once).
 */
export const CHANGE_OVERLAP_MS = 2000;

/**
 * How the changes feed follows a store exactly, reading each change once. SQLite commits one writer at a time and
 * every writer takes its stamp from `changeStamp` inside its transaction, so updated_at follows commit order.
 * Postgres commits side by side: there the feed follows the id of the transaction that last changed each customer
 * (change_xid, schema 16), up to the oldest transaction still running (store/schema/change-order.ts).
 */
export type ChangeOrder = 'stamp' | 'commit';

export function changeOrderOf(dialect: 'sqlite' | 'postgres'): ChangeOrder {
  return dialect === 'postgres' ? 'commit' : 'stamp';
}

/**
 * The updated_at a write transaction gives the customers it changes. On SQLite it is later than every stamp
 * already committed (writers are serialized, so this makes stamps strictly increase in commit order).
 */
export async function changeStamp(tx: SqlExecutor, dialect: 'sqlite' | 'postgres'): Promise<string> {
  const now = Date.now();
  if (dialect !== 'sqlite') return new Date(now).toISOString();
  const last = await tx.get<{ m: string | null }>('SELECT MAX(updated_at) AS m FROM customers');
  const after = last?.m ? Date.parse(last.m) + 1 : 0;
  return new Date(Math.max(now, Number.isNaN(after) ? 0 : after)).toISOString();
}

/** Payment ids are looked up one by one in the store; the index holds the keys that identify a person. */
export const INDEXED_KINDS: readonly MatchKeyKind[] = ['processorCustomerId', 'email', 'phone', 'cardToken'];

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

function rewind(at: string, overlapMs: number): string {
  const t = Date.parse(at);
  return Number.isNaN(t) ? at : new Date(t - overlapMs).toISOString();
}

const opt = (v: string | null): string | undefined => (v === null || v === '' ? undefined : v);

/**
 * The keys of some customers. The indexed kinds are picked in code, not in SQL: given both lists, SQLite searches
 * the primary key by kind, which reads every email, phone and token key in the store (7.8 ms a refresh at 13,000
 * customers, and growing with them).
 */
export function keysOfCustomersSql(customers: number): string {
  return `SELECT kind, value, customer_id FROM customer_keys WHERE customer_id IN (${Array.from({ length: customers }, () => '?').join(',')})`;
}

const CUSTOMER_COLUMNS = 'id, name, given_name, family_name, email, phone, street, city, postal_code, region, country, date_of_birth, merged_into, updated_at';
/** "x:<change_xid>|<id>": a commit-order cursor. */
const COMMIT_CURSOR = /^x:(\d+)\|(.*)$/s;

export interface ChangeReading {
  /** 'commit' (Postgres, schema 16): in commit order, exactly. 'stamp' (the default): by updated_at. */
  order?: ChangeOrder;
  /** With 'stamp': how far back a listing that reached the end starts the next one (CHANGE_OVERLAP_MS by default; 0 where stamps follow commit order). */
  overlapMs?: number;
}

/** Customers of the local store changed after `cursor`, with their keys and cards, oldest change first. */
export async function readLocalCustomerChanges(
  db: SqlExecutor,
  cursor: string | null,
  limit: number,
  { order = 'stamp', overlapMs = CHANGE_OVERLAP_MS }: ChangeReading = {},
): Promise<CustomerChangePage> {
  if (order === 'commit') {
    // A cursor of another kind (from before schema 16) starts over: the index keeps each customer once.
    const [, xid = '0', id = ''] = COMMIT_CURSOR.exec(cursor ?? '') ?? [];
    const rows = await db.all<CustomerRow & { change_xid: string }>(
      `SELECT ${CUSTOMER_COLUMNS}, change_xid::text AS change_xid FROM customers
        WHERE (change_xid, id) > (?::xid8, ?) AND change_xid < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY change_xid, id LIMIT ?`,
      [xid, id, limit],
    );
    const last = rows[rows.length - 1];
    return { records: await withKeysAndCards(db, rows), next: last ? `x:${last.change_xid}|${last.id}` : cursor, more: rows.length === limit };
  }
  const from = parseCursor(cursor);
  const rows = await db.all<CustomerRow>(
    `SELECT ${CUSTOMER_COLUMNS} FROM customers WHERE (updated_at, id) > (?, ?)
       ORDER BY updated_at, id LIMIT ?`,
    // A row-value comparison is a range search on customers_by_update; the OR it replaces scanned the index.
    [from.at, from.id, limit],
  );
  const last = rows[rows.length - 1];
  const more = rows.length === limit;
  // A cursor that ends a listing starts the next one a little back; one that came from paging is exact.
  const exact = more || overlapMs === 0;
  const next = last ? (exact ? `${last.updated_at}|${last.id}` : rewind(last.updated_at, overlapMs)) : from.id && overlapMs > 0 ? rewind(from.at, overlapMs) : cursor;
  return { records: await withKeysAndCards(db, rows), next, more };
}

/** The rows as match records, with their identifying keys and their cards. */
async function withKeysAndCards(db: SqlExecutor, rows: readonly CustomerRow[]): Promise<CustomerChangePage['records']> {
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
    // Side by side: on Postgres each is a round trip (and on a pool, another connection).
    const [keys, cards] = await Promise.all([
      db.all<{ kind: MatchKeyKind; value: string; customer_id: string }>(keysOfCustomersSql(chunk.length), chunk),
      db.all<{
        customer_id: string; bin: string | null; last4: string; exp_month: number | null; exp_year: number | null;
        brand: string | null; wallet: string | null; token: string | null; processor: string | null;
      }>(`SELECT customer_id, bin, last4, exp_month, exp_year, brand, wallet, token, processor FROM customer_cards WHERE customer_id IN (${marks})`, chunk),
    ]);
    for (const k of keys) if (INDEXED_KINDS.includes(k.kind)) records.get(k.customer_id)?.keys.push({ kind: k.kind, value: k.value });
    for (const c of cards) {
      // A gift card kept before gift cards were told apart is no evidence of who pays (personal-card.ts).
      if (c.brand && isGiftCardBrand(c.brand)) continue;
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
  return [...records.values()];
}
