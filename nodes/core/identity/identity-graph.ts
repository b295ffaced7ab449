import type { MatchKeyKind, MatchResult } from '../contracts/customer';
import type { Crm } from '../contracts/crm';
import { LocalSqlCrm } from '../crm/local-sql-crm';
import type { CardDescriptor } from '../contracts/match-record';
import type { SqlDatabase, SqlExecutor } from '../store/sql-database';
import { areKeptApart } from './kept-apart';
import { resolveCustomerId } from './resolve-customer-id';

export { resolveCustomerId };
import { mergeCustomers, type MergeRecord } from './merge-customers';

export interface IdentityKey {
  kind: MatchKeyKind;
  value: string;
  /** The processor a processor-scoped key (customer id, payment id) comes from: "stripe", "square"… */
  processor?: string;
}

/**
 * One person as the store knows them: every key (card tokens, emails, phones, processor customer ids of every
 * processor) linked to the customer, the cards' descriptors, and the merges that made or unmade it.
 */
export interface IdentityView {
  customerId: string;
  /** Set when this id was merged away: the person now lives at that id. */
  mergedInto?: string;
  keys: IdentityKey[];
  processors: string[];
  /** Oldest first; the cards of one write (one batch) by their key, so every store and run lists them alike. */
  cards: CardDescriptor[];
  /** Oldest first; merges stamped with the same millisecond (Postgres' stamps may tie) by their id. */
  merges: (MergeRecord & { direction: 'absorbed' | 'absorbed-by' })[];
}

const SCOPED: ReadonlySet<MatchKeyKind> = new Set(['processorCustomerId', 'paymentId']);

export async function identityOf(db: SqlExecutor, customerId: string): Promise<IdentityView | undefined> {
  const row = await db.get<{ id: string; merged_into: string | null }>('SELECT id, merged_into FROM customers WHERE id = ?', [customerId]);
  if (!row) return undefined;
  const keys = (await db.all<{ kind: MatchKeyKind; value: string }>('SELECT kind, value FROM customer_keys WHERE customer_id = ? ORDER BY kind, value', [customerId])).map(
    (k): IdentityKey => (SCOPED.has(k.kind) && k.value.includes(':') ? { ...k, processor: k.value.slice(0, k.value.indexOf(':')) } : k),
  );
  const cards = (await db.all<{ bin: string | null; last4: string; exp_month: number | null; exp_year: number | null; brand: string | null; wallet: string | null; processor: string | null }>(
    'SELECT bin, last4, exp_month, exp_year, brand, wallet, processor FROM customer_cards WHERE customer_id = ? ORDER BY created_at, card_key', [customerId],
  )).map((c) => ({
    last4: c.last4,
    ...(c.bin ? { bin: c.bin } : {}), ...(c.exp_month ? { expMonth: c.exp_month } : {}), ...(c.exp_year ? { expYear: c.exp_year } : {}),
    ...(c.brand ? { brand: c.brand } : {}), ...(c.wallet ? { wallet: c.wallet } : {}), ...(c.processor ? { processor: c.processor } : {}),
  }));
  const merges = (await db.all<{ id: string; into_id: string; from_id: string; evidence: string; actor: string; merged_at: string; undone_at: string | null }>(
    'SELECT id, into_id, from_id, evidence, actor, merged_at, undone_at FROM identity_merges WHERE into_id = ? OR from_id = ? ORDER BY merged_at, id',
    [customerId, customerId],
  )).map((m) => ({
    id: m.id, into: m.into_id, from: m.from_id, evidence: JSON.parse(m.evidence) as unknown, actor: m.actor, mergedAt: m.merged_at,
    ...(m.undone_at ? { undoneAt: m.undone_at } : {}),
    direction: m.into_id === customerId ? ('absorbed' as const) : ('absorbed-by' as const),
  }));
  const processors = [...new Set(keys.map((k) => k.processor).filter((p): p is string => !!p))].sort();
  return { customerId, ...(row.merged_into ? { mergedInto: row.merged_into } : {}), keys, processors, cards, merges };
}

/** The store behind a CRM, when the CRM is the pack's own: merges are recorded there. */
export function identityStoreOf(crm: Crm): SqlDatabase | undefined {
  return crm instanceof LocalSqlCrm ? crm.db : undefined;
}

/**
 * Carries out the merges a match proposed as safe (`auto`); the others stay in the result for a person to
 * decide. Returns the merges made. A proposal whose customers changed meanwhile is skipped, not forced, and so is
 * one an operator decided against (Keep Apart).
 */
export async function applyAutoMerges(db: SqlDatabase, match: MatchResult): Promise<MergeRecord[]> {
  const done: MergeRecord[] = [];
  for (const p of match.merges ?? []) {
    if (!p.auto) continue;
    const [into, from] = await Promise.all([resolveCustomerId(db, p.into), resolveCustomerId(db, p.from)]);
    if (!into || !from || into === from) continue;
    if (await areKeptApart(db, into, from)) continue;
    try {
      done.push(await mergeCustomers(db, { into, from, evidence: p, actor: 'auto' }));
    } catch (e) {
      // Two payments of one new customer at once both propose the merge; the one that comes second finds it made.
      const [nowInto, nowFrom] = await Promise.all([resolveCustomerId(db, into), resolveCustomerId(db, from)]);
      if (nowInto && nowInto === nowFrom) continue;
      throw e;
    }
  }
  return done;
}
