import type { SqlExecutor, SqlValue } from '../store/sql-database';
import { insertMany } from './insert-many';
import { paymentKeyOf } from './ledger-event';
import { chargebackOf, refundedOf, statusOf, type DisputePhase, type PaymentRecord, type PaymentStatus } from './payment-rules';

/** A payment as the ledger reports it: its facts and what counts of them. */
export interface LedgerPayment extends PaymentRecord {
  /** "<source>:<paymentId>" */
  key: string;
  /** The payment itself was seen, so it counts in every total. */
  counted: boolean;
  refundedMinor: number;
  chargebackMinor: number;
  /** Gross less refunds and chargebacks. */
  netMinor: number;
  status: PaymentStatus;
}

export function ledgerPaymentOf(r: PaymentRecord): LedgerPayment {
  const refundedMinor = refundedOf(r);
  const chargebackMinor = chargebackOf(r);
  return {
    ...r,
    key: paymentKeyOf(r),
    counted: r.seen,
    refundedMinor,
    chargebackMinor,
    netMinor: r.seen ? r.grossMinor - refundedMinor - chargebackMinor : 0,
    status: statusOf(r),
  };
}

export const PAYMENT_COLUMNS =
  'source, payment_id, customer_id, currency, seen, gross_minor, refund_reported_minor, refund_sum_minor, dispute_phase, disputed_minor, failed, ' +
  'occurred_at, first_seen, last_seen, card_brand, card_last4, card_token, entry_mode, wallet, reader_id, location_id, events';

export interface PaymentRow {
  source: string;
  payment_id: string;
  customer_id: string | null;
  currency: string;
  seen: number;
  gross_minor: number;
  refund_reported_minor: number;
  refund_sum_minor: number;
  dispute_phase: string | null;
  disputed_minor: number;
  failed: number;
  occurred_at: string;
  first_seen: string;
  last_seen: string;
  card_brand: string | null;
  card_last4: string | null;
  card_token: string | null;
  entry_mode: string | null;
  wallet: string | null;
  reader_id: string | null;
  location_id: string | null;
  events: number;
}

export function recordOfRow(r: PaymentRow): PaymentRecord {
  return {
    source: r.source,
    paymentId: r.payment_id,
    customerId: r.customer_id,
    currency: r.currency,
    seen: Number(r.seen) === 1,
    grossMinor: Number(r.gross_minor),
    refundReportedMinor: Number(r.refund_reported_minor),
    refundSumMinor: Number(r.refund_sum_minor),
    disputePhase: r.dispute_phase as DisputePhase | null,
    disputedMinor: Number(r.disputed_minor),
    failed: Number(r.failed) === 1,
    occurredAt: r.occurred_at,
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
    card: { brand: r.card_brand, last4: r.card_last4, token: r.card_token, entryMode: r.entry_mode, wallet: r.wallet },
    terminal: { readerId: r.reader_id, locationId: r.location_id },
    events: Number(r.events),
  };
}

/**
 * Whole rows, replacing what was there: the caller read them in the same transaction and derived the new ones.
 * Each payment once (its latest state).
 */
export async function writeRecords(tx: SqlExecutor, records: readonly PaymentRecord[], now: string): Promise<void> {
  const rows = records.map((r): SqlValue[] => [
    r.source, r.paymentId, r.customerId, r.currency, r.seen ? 1 : 0, r.grossMinor, r.refundReportedMinor, r.refundSumMinor,
    r.disputePhase, r.disputedMinor, r.failed ? 1 : 0, r.occurredAt, r.firstSeen, r.lastSeen,
    r.card.brand, r.card.last4, r.card.token, r.card.entryMode, r.card.wallet, r.terminal.readerId, r.terminal.locationId, r.events, now,
  ]);
  await insertMany(tx, `INSERT INTO ledger_payments (${PAYMENT_COLUMNS}, updated_at)`, 23, rows, `ON CONFLICT (source, payment_id) DO UPDATE SET
       customer_id = excluded.customer_id, currency = excluded.currency, seen = excluded.seen, gross_minor = excluded.gross_minor,
       refund_reported_minor = excluded.refund_reported_minor, refund_sum_minor = excluded.refund_sum_minor,
       dispute_phase = excluded.dispute_phase, disputed_minor = excluded.disputed_minor, failed = excluded.failed,
       occurred_at = excluded.occurred_at, first_seen = excluded.first_seen, last_seen = excluded.last_seen,
       card_brand = excluded.card_brand, card_last4 = excluded.card_last4, card_token = excluded.card_token,
       entry_mode = excluded.entry_mode, wallet = excluded.wallet, reader_id = excluded.reader_id, location_id = excluded.location_id,
       events = excluded.events, updated_at = excluded.updated_at`);
}

/**
 * Lists padded to a power of two (by repeating the last item), so a lookup of n items compiles one of a few
 * statements instead of one per n: the SQLite store caches a fixed number of them.
 */
export function padded<T>(items: readonly T[]): T[] {
  let size = 1;
  while (size < items.length) size *= 2;
  const out = [...items];
  while (out.length < size) out.push(items[items.length - 1]!);
  return out;
}

export const LOOKUP_CHUNK = 256;

/** The payments with these keys, by key. */
export async function readRecords(tx: Pick<SqlExecutor, 'all'>, keys: readonly { source: string; paymentId: string }[]): Promise<Map<string, PaymentRecord>> {
  const out = new Map<string, PaymentRecord>();
  const unique = [...new Map(keys.map((k) => [paymentKeyOf(k), k])).values()];
  for (let i = 0; i < unique.length; i += LOOKUP_CHUNK) {
    const chunk = padded(unique.slice(i, i + LOOKUP_CHUNK));
    // Row values keep the lookup on the primary key; both SQLite and Postgres support them.
    const rows = await tx.all<PaymentRow>(
      `SELECT ${PAYMENT_COLUMNS} FROM ledger_payments WHERE (source, payment_id) IN (VALUES ${chunk.map(() => '(?, ?)').join(', ')})`,
      chunk.flatMap((k) => [k.source, k.paymentId]),
    );
    for (const r of rows) out.set(paymentKeyOf({ source: r.source, paymentId: r.payment_id }), recordOfRow(r));
  }
  return out;
}
