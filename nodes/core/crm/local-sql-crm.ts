import type { MatchKey, MatchKeyKind } from '../contracts/customer';
import { changeOverlapMs, changeStamp, INDEXED_KINDS, readLocalCustomerChanges } from '../match/local-store-changes';
import type { CardDescriptor, CustomerChangePage } from '../match/match-record';
import type { SqlDatabase, SqlExecutor } from '../store/sql-database';
import { chargedBackMinor } from './chargebacks';
import type { Crm, CustomerTotal, CustomerUpsert, KeyHit, TransactionOutcome, TransactionRecord } from './crm';
import { PROFILE_COLUMNS } from './customer-columns';

const SCOPE = 'local-crm';
const LOOKUP_CHUNK = 400;

/**
 * The CRM that needs no SaaS account: customers and transactions in the pack's own SQL store. It is also the
 * reference for what every CRM adapter must get right: idempotent by event id, one payment counted once however
 * many of its events arrive, refunds lowering net spend by what was newly refunded, and a lost dispute by what
 * went back to the cardholder (counted as refunded, see chargebacks.ts).
 */
export class LocalSqlCrm implements Crm {
  readonly name = 'local';
  constructor(readonly db: SqlDatabase) {}

  get indexScope(): object {
    return this.db;
  }

  customerChanges(cursor: string | null, limit: number): Promise<CustomerChangePage> {
    return readLocalCustomerChanges(this.db, cursor, limit, changeOverlapMs(this.db.dialect));
  }

  async findByKeys(keys: readonly MatchKey[]): Promise<KeyHit[]> {
    const hits: KeyHit[] = [];
    for (let i = 0; i < keys.length; i += LOOKUP_CHUNK) {
      const chunk = keys.slice(i, i + LOOKUP_CHUNK);
      // Row values keep the lookup on the (kind, value) primary key; both SQLite and Postgres support them.
      const rows = await this.db.all<{ kind: string; value: string; customer_id: string }>(
        `SELECT kind, value, customer_id FROM customer_keys WHERE (kind, value) IN (VALUES ${chunk.map(() => '(?, ?)').join(', ')})`,
        chunk.flatMap((k) => [k.kind, k.value]),
      );
      for (const r of rows) hits.push({ kind: r.kind as MatchKeyKind, value: r.value, customerId: r.customer_id });
    }
    return hits;
  }

  async upsertCustomers(customers: readonly CustomerUpsert[]): Promise<void> {
    const lockKeys = customers.map((c) => `customer:${c.id}`);
    await this.db.transaction(async (tx) => {
      // Stamped inside the write transaction, so the match index reads each change once (local-store-changes.ts).
      const now = await changeStamp(tx, this.db.dialect);
      for (const c of customers) {
        const p = c.profile;
        const values = PROFILE_COLUMNS.map(([field]) => p[field] ?? null);
        // Known details are kept; a payment only fills in what the customer record lacks. updated_at moves only
        // when something was filled in, so the match index re-reads customers that changed, not every payer.
        const filledIn = PROFILE_COLUMNS.map(([, col]) => `(customers.${col} IS NULL AND excluded.${col} IS NOT NULL)`).join(' OR ');
        await tx.run(
          `INSERT INTO customers (id, ${PROFILE_COLUMNS.map(([, col]) => col).join(', ')}, created_at, updated_at)
           VALUES (?, ${PROFILE_COLUMNS.map(() => '?').join(', ')}, ?, ?)
           ON CONFLICT(id) DO UPDATE SET
             ${PROFILE_COLUMNS.map(([, col]) => `${col} = COALESCE(customers.${col}, excluded.${col})`).join(', ')},
             updated_at = CASE WHEN ${filledIn} THEN excluded.updated_at ELSE customers.updated_at END`,
          [c.id, ...values, now, now],
        );
        let added = 0;
        for (const card of c.cards ?? []) {
          added += (await tx.run(
            `INSERT INTO customer_cards (customer_id, card_key, bin, last4, exp_month, exp_year, brand, wallet, token, processor, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(customer_id, card_key) DO NOTHING`,
            [
              c.id, cardKey(card), card.bin ?? null, card.last4, card.expMonth ?? null, card.expYear ?? null, card.brand ?? null,
              card.wallet ?? null, card.token ?? null, card.processor ?? null, now,
            ],
          )).changes;
        }
        for (const k of c.keys) {
          const { changes } = await tx.run(
            'INSERT INTO customer_keys (kind, value, customer_id, created_at) VALUES (?, ?, ?, ?) ON CONFLICT(kind, value) DO NOTHING',
            [k.kind, k.value, c.id, now],
          );
          // Payment ids are not in the match index: attaching one is not a change it must see.
          if (INDEXED_KINDS.includes(k.kind)) added += changes;
        }
        // A new card or identifying key is a change the match index must see.
        if (added > 0) await tx.run('UPDATE customers SET updated_at = ? WHERE id = ? AND updated_at < ?', [now, c.id, now]);
      }
    }, { lockKeys });
  }

  async recordTransactions(records: readonly TransactionRecord[]): Promise<TransactionOutcome[]> {
    // What two instances handling one payment or one customer at once would both read and then write.
    const lockKeys = records.flatMap((r) => [`payment:${r.source}:${r.paymentId}`, ...(r.customerId ? [`customer:${r.customerId}`] : [])]);
    return this.db.transaction(async (tx) => {
      const out: TransactionOutcome[] = [];
      for (const r of records) out.push(await this.recordOne(tx, r));
      return out;
    }, { lockKeys });
  }

  private async recordOne(tx: SqlExecutor, r: TransactionRecord): Promise<TransactionOutcome> {
    const seen = await tx.get<{ result: string }>('SELECT result FROM processed_events WHERE scope = ? AND event_id = ?', [SCOPE, r.eventId]);
    if (seen) {
      const first = JSON.parse(seen.result) as { customerId: string | null };
      return { eventId: r.eventId, outcome: 'duplicate', customerId: first.customerId, totals: await totalsOf(tx, first.customerId) };
    }
    let outcome: TransactionOutcome['outcome'] = 'recorded';
    let customerId = r.customerId;
    if (r.kind === 'payment') {
      const existing = await tx.get<{ event_id: string; customer_id: string | null }>(
        "SELECT event_id, customer_id FROM transactions WHERE source = ? AND payment_id = ? AND kind = 'payment'",
        [r.source, r.paymentId],
      );
      if (existing) {
        outcome = 'enriched';
        customerId = existing.customer_id ?? customerId;
        await enrichPayment(tx, existing.event_id, r, customerId);
      } else {
        await insertRow(tx, r, r.amount.minor);
        if (customerId) await addToTotals(tx, customerId, r.amount.currency, { payments: 1, gross: r.amount.minor, seenAt: r.occurredAt });
      }
    } else if (r.kind === 'refund') {
      const total = r.refundedTotal ?? r.amount;
      const before = await tx.get<{ s: number | null }>(
        "SELECT SUM(amount_minor) AS s FROM transactions WHERE source = ? AND payment_id = ? AND kind = 'refund' AND currency = ?",
        [r.source, r.paymentId, total.currency],
      );
      // Stripe reports the cumulative refunded amount; only what is new since the last refund event counts.
      const delta = Math.max(0, total.minor - Number(before?.s ?? 0));
      await insertRow(tx, r, delta);
      if (customerId && delta > 0) await addToTotals(tx, customerId, total.currency, { refunded: delta, seenAt: r.occurredAt });
    } else {
      const chargedBack = await chargedBackMinor(tx, r);
      await insertRow(tx, r, r.amount.minor);
      if (customerId && chargedBack > 0) await addToTotals(tx, customerId, r.amount.currency, { refunded: chargedBack, seenAt: r.occurredAt });
    }
    await tx.run('INSERT INTO processed_events (scope, event_id, result, processed_at) VALUES (?, ?, ?, ?)', [
      SCOPE,
      r.eventId,
      JSON.stringify({ customerId, outcome }),
      new Date().toISOString(),
    ]);
    return { eventId: r.eventId, outcome, customerId, totals: await totalsOf(tx, customerId) };
  }
}

/** One row per distinct card of a customer (its token where there is one); a wallet's device card is a card of its own. */
export function cardKey(card: CardDescriptor): string {
  return card.token ?? `${card.bin ?? ''}:${card.last4}:${card.expMonth ?? ''}/${card.expYear ?? ''}`;
}

async function insertRow(tx: SqlExecutor, r: TransactionRecord, amountMinor: number): Promise<void> {
  const currency = (r.kind === 'refund' ? r.refundedTotal?.currency : undefined) ?? r.amount.currency;
  await tx.run(
    `INSERT INTO transactions (event_id, customer_id, source, payment_id, kind, amount_minor, currency, status, occurred_at,
       card_brand, card_last4, card_token, entry_mode, wallet, reader_id, location_id, recorded_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      r.eventId, r.customerId, r.source, r.paymentId, r.kind, amountMinor, currency, r.status, r.occurredAt,
      r.card?.brand ?? null, r.card?.last4 ?? null, r.card?.token ?? null, r.card?.entryMode ?? null, r.card?.wallet ?? null,
      r.terminal?.readerId ?? null, r.terminal?.locationId ?? null, new Date().toISOString(),
    ],
  );
}

/** A second event of a recorded payment (the charge after its PaymentIntent) fills in what the first lacked. */
async function enrichPayment(tx: SqlExecutor, eventId: string, r: TransactionRecord, customerId: string | null): Promise<void> {
  await tx.run(
    `UPDATE transactions SET
       customer_id = COALESCE(customer_id, ?), card_brand = COALESCE(card_brand, ?), card_last4 = COALESCE(card_last4, ?),
       card_token = COALESCE(card_token, ?), entry_mode = COALESCE(entry_mode, ?), wallet = COALESCE(wallet, ?),
       reader_id = COALESCE(reader_id, ?), location_id = COALESCE(location_id, ?)
     WHERE event_id = ?`,
    [
      customerId, r.card?.brand ?? null, r.card?.last4 ?? null, r.card?.token ?? null, r.card?.entryMode ?? null,
      r.card?.wallet ?? null, r.terminal?.readerId ?? null, r.terminal?.locationId ?? null, eventId,
    ],
  );
}

async function addToTotals(
  tx: SqlExecutor,
  customerId: string,
  currency: string,
  d: { payments?: number; gross?: number; refunded?: number; seenAt: string },
): Promise<void> {
  await tx.run(
    `INSERT INTO customer_totals (customer_id, currency, payments, gross_minor, refunded_minor, first_seen, last_seen)
     VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT(customer_id, currency) DO UPDATE SET
       payments = customer_totals.payments + excluded.payments,
       gross_minor = customer_totals.gross_minor + excluded.gross_minor,
       refunded_minor = customer_totals.refunded_minor + excluded.refunded_minor,
       first_seen = CASE WHEN customer_totals.first_seen IS NULL OR excluded.first_seen < customer_totals.first_seen
                         THEN excluded.first_seen ELSE customer_totals.first_seen END,
       last_seen = CASE WHEN customer_totals.last_seen IS NULL OR excluded.last_seen > customer_totals.last_seen
                        THEN excluded.last_seen ELSE customer_totals.last_seen END`,
    [customerId, currency, d.payments ?? 0, d.gross ?? 0, d.refunded ?? 0, d.seenAt, d.seenAt],
  );
}

export async function totalsOf(db: Pick<SqlExecutor, 'all'>, customerId: string | null): Promise<CustomerTotal[]> {
  if (!customerId) return [];
  const rows = await db.all<{ currency: string; payments: number; gross_minor: number; refunded_minor: number }>(
    'SELECT currency, payments, gross_minor, refunded_minor FROM customer_totals WHERE customer_id = ? ORDER BY currency',
    [customerId],
  );
  return rows.map((t) => ({
    currency: t.currency,
    payments: Number(t.payments),
    grossMinor: Number(t.gross_minor),
    refundedMinor: Number(t.refunded_minor),
    netMinor: Number(t.gross_minor) - Number(t.refunded_minor),
  }));
}
