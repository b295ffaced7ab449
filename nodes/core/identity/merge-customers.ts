import { changeStamp } from '../match/local-store-changes';
import { randomBytes } from 'node:crypto';
import { InputError } from '../errors';
import type { SqlDatabase, SqlExecutor, SqlValue } from '../store/sql-database';
import { PROFILE_COLUMN_NAMES } from '../crm/customer-columns';
import { movePayments } from '../ledger/read-payments';
import { giveBackSegments, moveSegments, type SegmentsMoved } from '../segment/merged-customers';
import { giveBackLoyalty, moveLoyalty, type LoyaltyMoved } from '../loyalty/merged-members';
import { addedTotals, ledgerTotalsOfEvents, takenTotals, totalsRowsOf, writeTotalsRows, type TotalsRow } from './merged-totals';
import { seenOf } from '../crm/local-sql-crm';
import { forgetKeptApart } from './kept-apart';
import { queueMergeForCrms } from './merge-to-crms';

interface CardRow {
  card_key: string;
  bin: string | null;
  last4: string;
  exp_month: number | null;
  exp_year: number | null;
  brand: string | null;
  wallet: string | null;
  token: string | null;
  processor: string | null;
  created_at: string;
}

/** Exactly what a merge changed, so undo can put back that and nothing else. */
interface Moved {
  keys: { kind: string; value: string }[];
  transactions: string[];
  /** Every card row `from` had, and which of them were new to `into`. */
  cards: CardRow[];
  cardsAdded: string[];
  /** Columns of `into` that were empty and took `from`'s value. */
  filled: Record<string, string>;
  /** `from`'s totals, added to `into`'s (absent from merges recorded before merges kept them). */
  totals?: TotalsRow[];
  /** The ledger's payments that named `from` (absent from merges recorded before the ledger's payments moved). */
  payments?: { source: string; paymentId: string }[];
  /** `from`'s segment payments and counters (absent from merges recorded before segment statistics moved). */
  segments?: SegmentsMoved;
  /** `from`'s loyalty payments and memberships (absent from merges recorded before points followed merges). */
  loyalty?: LoyaltyMoved;
}

export interface MergeRecord {
  id: string;
  into: string;
  from: string;
  evidence: unknown;
  actor: string;
  mergedAt: string;
  undoneAt?: string;
}

export interface MergeRequest {
  into: string;
  from: string;
  /** Why: a MergeProposal, an operator's note, the link command's output line. Stored as JSON. */
  evidence: unknown;
  /** Who decided: "auto" for the matcher, or an operator's name. */
  actor?: string;
}

async function customer(tx: SqlExecutor, id: string, field: string): Promise<Record<string, SqlValue> & { merged_into: string | null }> {
  const row = await tx.get<Record<string, SqlValue> & { merged_into: string | null }>('SELECT * FROM customers WHERE id = ?', [id]);
  if (!row) throw new InputError(field, `there is no customer "${id}"`, 'use a customer id from the store (cus_…)');
  return row;
}

/**
 * The ledger's payments that name this customer, among those of its transactions (the ledger has no index by
 * customer): the payments a merge moves with the transactions.
 */
async function ledgerPaymentsOf(tx: SqlExecutor, customerId: string): Promise<{ source: string; paymentId: string }[]> {
  const rows = await tx.all<{ source: string; payment_id: string }>(
    `SELECT DISTINCT t.source, t.payment_id FROM transactions t
       JOIN ledger_payments p ON p.source = t.source AND p.payment_id = t.payment_id
      WHERE t.customer_id = ? AND p.customer_id = ?`,
    [customerId, customerId],
  );
  return rows.map((r) => ({ source: r.source, paymentId: r.payment_id }));
}

/**
 * The survivor's events recorded since the merge about the payments the merge moved (a refund, a dispute of the
 * merged-away customer's sale): they belong with their payment, so an undo gives them back with it.
 */
async function laterEventsOfMoved(tx: SqlExecutor, into: string, movedEvents: readonly string[]): Promise<string[]> {
  if (!movedEvents.length) return [];
  const moved = new Set(movedEvents);
  const payments = new Set<string>();
  for (let i = 0; i < movedEvents.length; i += 400) {
    const chunk = movedEvents.slice(i, i + 400);
    const rows = await tx.all<{ source: string; payment_id: string }>(
      `SELECT source, payment_id FROM transactions WHERE event_id IN (${chunk.map(() => '?').join(', ')})`,
      chunk,
    );
    for (const r of rows) payments.add(`${r.source}\u0000${r.payment_id}`);
  }
  const held = await tx.all<{ event_id: string; source: string; payment_id: string }>('SELECT event_id, source, payment_id FROM transactions WHERE customer_id = ?', [into]);
  return held.filter((r) => !moved.has(r.event_id) && payments.has(`${r.source}\u0000${r.payment_id}`)).map((r) => r.event_id).sort();
}

/**
 * Merges customer `from` into `into`: keys, cards, transactions, the ledger's payments and the segment statistics'
 * payments move, empty profile fields of `into` are filled from `from`, `from`'s totals are added to `into`'s,
 * `into`'s segment statistics are rebuilt from the payments it now holds, its loyalty points, spend and visits
 * include `from`'s, and `from` is kept as a tombstone
 * pointing at `into`. The merge is recorded with its evidence and with what it moved, so `undoMerge` can restore
 * both customers.
 */
export async function mergeCustomers(db: SqlDatabase, request: MergeRequest): Promise<MergeRecord> {
  const { into, from } = request;
  if (into === from) throw new InputError('from', 'a customer cannot be merged into itself', 'pick two different customers');
  return db.transaction(async (tx) => {
    const target = await customer(tx, into, 'into');
    const source = await customer(tx, from, 'from');
    if (target.merged_into) throw new InputError('into', `${into} was itself merged into ${target.merged_into}`, `merge into ${target.merged_into} instead`);
    if (source.merged_into) throw new InputError('from', `${from} is already merged into ${source.merged_into}`, 'undo that merge first, or leave it');
    const now = await changeStamp(tx, db.dialect);
    const keys = await tx.all<{ kind: string; value: string }>('SELECT kind, value FROM customer_keys WHERE customer_id = ?', [from]);
    await tx.run('UPDATE customer_keys SET customer_id = ? WHERE customer_id = ?', [into, from]);
    const transactions = (await tx.all<{ event_id: string }>('SELECT event_id FROM transactions WHERE customer_id = ?', [from])).map((r) => r.event_id);
    // The ledger's payments follow their transactions, so listing a customer's payments finds them.
    const payments = await ledgerPaymentsOf(tx, from);
    await movePayments(tx, from, into, payments);
    await tx.run('UPDATE transactions SET customer_id = ? WHERE customer_id = ?', [into, from]);
    const cards = await tx.all<CardRow>(
      'SELECT card_key, bin, last4, exp_month, exp_year, brand, wallet, token, processor, created_at FROM customer_cards WHERE customer_id = ?',
      [from],
    );
    const had = new Set((await tx.all<{ card_key: string }>('SELECT card_key FROM customer_cards WHERE customer_id = ?', [into])).map((r) => r.card_key));
    const cardsAdded = cards.filter((c) => !had.has(c.card_key)).map((c) => c.card_key);
    for (const key of cardsAdded) {
      await tx.run('UPDATE customer_cards SET customer_id = ? WHERE customer_id = ? AND card_key = ?', [into, from, key]);
    }
    await tx.run('DELETE FROM customer_cards WHERE customer_id = ?', [from]);
    const filled: Record<string, string> = {};
    // A merge fills in, on the surviving customer, only the profile columns it has nothing in.
    for (const col of PROFILE_COLUMN_NAMES) {
      const v = source[col];
      if ((target[col] === null || target[col] === undefined) && typeof v === 'string' && v !== '') filled[col] = v;
    }
    const cols = Object.keys(filled);
    if (cols.length) {
      await tx.run(`UPDATE customers SET ${cols.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`, [...cols.map((c) => filled[c]!), into]);
    }
    await tx.run('UPDATE customers SET merged_into = ?, updated_at = ? WHERE id = ?', [into, now, from]);
    await tx.run('UPDATE customers SET updated_at = ? WHERE id = ?', [now, into]);
    const totals = await totalsRowsOf(tx, from);
    await writeTotalsRows(tx, into, addedTotals(await totalsRowsOf(tx, into), totals));
    await writeTotalsRows(tx, from, []);
    const segments = await moveSegments(tx, from, into, now);
    const loyalty = await moveLoyalty(tx, from, into, now);
    await queueMergeForCrms(tx, [into, from], payments, new Date(now));
    const moved: Moved = { keys, transactions, cards, cardsAdded, filled, totals, payments, segments, loyalty };
    const id = `mrg_${randomBytes(12).toString('base64url')}`;
    const actor = request.actor ?? 'operator';
    // A person merging the two overrides an earlier Keep Apart of the same pair.
    if (actor !== 'auto') await forgetKeptApart(tx, into, from);
    await tx.run(
      'INSERT INTO identity_merges (id, into_id, from_id, evidence, moved, actor, merged_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [id, into, from, JSON.stringify(request.evidence ?? null), JSON.stringify(moved), actor, now],
    );
    return { id, into, from, evidence: request.evidence ?? null, actor, mergedAt: now };
  }, { lockKeys: [`customer:${into}`, `customer:${from}`] });
}

/**
 * What goes back to `from` on an undo: the totals the merge moved (or, for a merge recorded before merges kept
 * them, the ledger's deltas of its transactions) and the ledger's deltas of the events recorded since about its
 * payments, first and last seen read again from `from`'s transactions where those events count.
 */
async function givenBackTotals(tx: SqlExecutor, from: string, moved: Moved, since: readonly string[]): Promise<TotalsRow[]> {
  if (!moved.totals) return ledgerTotalsOfEvents(tx, [...moved.transactions, ...since]);
  if (!since.length) return moved.totals;
  const later = await ledgerTotalsOfEvents(tx, since);
  const seen = await seenOf(tx, from);
  const touched = new Set(later.map((r) => r.currency));
  return addedTotals(moved.totals, later).map((r) => (touched.has(r.currency) && seen.has(r.currency) ? { ...r, ...seen.get(r.currency)! } : r));
}

/**
 * Undoes a merge: what it moved goes back to the customer it came from (its totals as they were moved),
 * filled-in fields that still hold the merged value are emptied again. What happened after the merge stays
 * with the surviving customer: a payment recorded for it since was matched to it on its own evidence. An event
 * recorded since about a payment the merge moved (a later refund of it) goes back with that payment, its
 * transaction and what it added to the totals alike.
 */
export async function undoMerge(db: SqlDatabase, mergeId: string, actor = 'operator'): Promise<MergeRecord> {
  const ids = await db.get<{ into_id: string; from_id: string }>('SELECT into_id, from_id FROM identity_merges WHERE id = ?', [mergeId]);
  const lockKeys = ids ? [`customer:${ids.into_id}`, `customer:${ids.from_id}`] : [];
  return db.transaction(async (tx) => {
    const row = await tx.get<{ id: string; into_id: string; from_id: string; evidence: string; moved: string; actor: string; merged_at: string; undone_at: string | null }>(
      'SELECT * FROM identity_merges WHERE id = ?',
      [mergeId],
    );
    if (!row) throw new InputError('mergeId', `there is no merge "${mergeId}"`, 'list merges with identityOf(customerId) and use a mrg_… id from there');
    if (row.undone_at) throw new InputError('mergeId', `merge ${mergeId} was already undone at ${row.undone_at}`, 'nothing to do');
    const target = await customer(tx, row.into_id, 'into');
    if (target.merged_into) {
      throw new InputError('mergeId', `${row.into_id} has since been merged into ${target.merged_into}`, `undo that later merge of ${row.into_id} first`);
    }
    const moved = JSON.parse(row.moved) as Moved;
    const into = row.into_id;
    const from = row.from_id;
    const now = await changeStamp(tx, db.dialect);
    for (const k of moved.keys) {
      await tx.run('UPDATE customer_keys SET customer_id = ? WHERE kind = ? AND value = ? AND customer_id = ?', [from, k.kind, k.value, into]);
    }
    const since = await laterEventsOfMoved(tx, into, moved.transactions);
    for (const eventId of [...moved.transactions, ...since]) {
      await tx.run('UPDATE transactions SET customer_id = ? WHERE event_id = ? AND customer_id = ?', [from, eventId, into]);
    }
    await movePayments(tx, into, from, moved.payments ?? []);
    for (const key of moved.cardsAdded) await tx.run('DELETE FROM customer_cards WHERE customer_id = ? AND card_key = ?', [into, key]);
    for (const c of moved.cards) {
      await tx.run(
        `INSERT INTO customer_cards (customer_id, card_key, bin, last4, exp_month, exp_year, brand, wallet, token, processor, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(customer_id, card_key) DO NOTHING`,
        [from, c.card_key, c.bin, c.last4, c.exp_month, c.exp_year, c.brand, c.wallet, c.token, c.processor, c.created_at],
      );
    }
    for (const [col, value] of Object.entries(moved.filled)) {
      if (!PROFILE_COLUMN_NAMES.includes(col)) continue;
      await tx.run(`UPDATE customers SET ${col} = NULL WHERE id = ? AND ${col} = ?`, [into, value]);
    }
    await tx.run('UPDATE customers SET merged_into = NULL, updated_at = ? WHERE id = ?', [now, from]);
    await tx.run('UPDATE customers SET updated_at = ? WHERE id = ?', [now, into]);
    const back = await givenBackTotals(tx, from, moved, since);
    await writeTotalsRows(tx, into, takenTotals(await totalsRowsOf(tx, into), back, await seenOf(tx, into)));
    await writeTotalsRows(tx, from, back);
    if (moved.segments) await giveBackSegments(tx, moved.segments, from, into, now);
    if (moved.loyalty) await giveBackLoyalty(tx, moved.loyalty, from, into, now);
    await queueMergeForCrms(tx, [into, from], moved.payments ?? [], new Date(now));
    await tx.run('UPDATE identity_merges SET undone_at = ? WHERE id = ?', [now, mergeId]);
    return { id: row.id, into, from, evidence: JSON.parse(row.evidence), actor, mergedAt: row.merged_at, undoneAt: now };
  }, { lockKeys });
}
