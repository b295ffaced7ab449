import type { SqlExecutor, SqlValue } from '../store/sql-database';
import { InListQuery, MultiRowInsert } from '../store/sql-shapes';
import { paymentKeyOf } from './ledger-event';
import { chargebackOf, refundedOf, statusOf, type DisputePhase, type HeardMoney, type PaymentRecord, type PaymentStatus } from './payment-rules';

/**
 * A payment as the ledger reports it: its facts and what counts of them. Not the money heard aside before it counted
 * in another currency (PaymentRecord.otherMoney), which is the ledger's own bookkeeping and counts for nothing.
 */
export interface LedgerPayment extends Omit<PaymentRecord, 'otherMoney'> {
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
  const { otherMoney: _aside, ...facts } = r;
  return {
    ...facts,
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
  'occurred_at, first_seen, last_seen, card_brand, card_last4, card_token, entry_mode, wallet, reader_id, location_id, events, voided_at, restored_at, ' +
  'capture_failed_minor, refund_reversed_minor, sale_minor, captured_minor, unreferenced, dispute_at, authorised_minor, authorised_at, dispute_amount_at, dispute_amount_phase, other_money';

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
  voided_at: string | null;
  restored_at: string | null;
  capture_failed_minor: number;
  refund_reversed_minor: number;
  sale_minor: number;
  /** NULL for a payment counted before schema 26 (its amount stays as counted). */
  captured_minor: number | null;
  unreferenced: number;
  /** NULL for a dispute recorded before schema 30 (and for a payment with none). */
  dispute_at: string | null;
  /** NULL while no adjustment of the sale's authorisation is reported (and for every payment before schema 31). */
  authorised_minor: number | null;
  authorised_at: string | null;
  /** NULL while no report of the dispute stated its amount (schema 33). */
  dispute_amount_at: string | null;
  dispute_amount_phase: string | null;
  /** PaymentRecord.otherMoney as JSON; NULL when it holds none (and for every payment before schema 35). */
  other_money: string | null;
}

const otherMoneyOf = (json: string | null | undefined): readonly HeardMoney[] => (json ? (JSON.parse(json) as HeardMoney[]) : []);
const otherMoneyColumn = (r: PaymentRecord): string | null => (r.otherMoney.length === 0 ? null : JSON.stringify(r.otherMoney));

export function recordOfRow(r: PaymentRow): PaymentRecord {
  return {
    source: r.source,
    paymentId: r.payment_id,
    customerId: r.customer_id,
    currency: r.currency,
    seen: Number(r.seen) === 1,
    unreferenced: Number(r.unreferenced) === 1,
    grossMinor: Number(r.gross_minor),
    refundReportedMinor: Number(r.refund_reported_minor),
    refundSumMinor: Number(r.refund_sum_minor),
    refundReversedMinor: Number(r.refund_reversed_minor ?? 0),
    disputePhase: r.dispute_phase as DisputePhase | null,
    disputedMinor: Number(r.disputed_minor),
    disputeAt: r.dispute_at ?? null,
    disputeAmountAt: r.dispute_amount_at ?? null,
    disputeAmountPhase: (r.dispute_amount_phase ?? null) as DisputePhase | null,
    failed: Number(r.failed) === 1,
    voidedAt: r.voided_at ?? null,
    restoredAt: r.restored_at ?? null,
    captureFailedMinor: Number(r.capture_failed_minor ?? 0),
    saleMinor: Number(r.sale_minor ?? 0),
    capturedMinor: r.captured_minor === null || r.captured_minor === undefined ? null : Number(r.captured_minor),
    authorisedMinor: r.authorised_minor === null || r.authorised_minor === undefined ? null : Number(r.authorised_minor),
    authorisedAt: r.authorised_at ?? null,
    occurredAt: r.occurred_at,
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
    card: { brand: r.card_brand, last4: r.card_last4, token: r.card_token, entryMode: r.entry_mode, wallet: r.wallet },
    terminal: { readerId: r.reader_id, locationId: r.location_id },
    events: Number(r.events),
    otherMoney: otherMoneyOf(r.other_money),
  };
}

const INSERT_PAYMENTS = new MultiRowInsert(`INSERT INTO ledger_payments (${PAYMENT_COLUMNS}, updated_at)`, 36);
// An update leaves the key and the time index alone unless the time moved (a payment seen after its refund).
const UPDATE_SET = `customer_id = ?, currency = ?, seen = ?, gross_minor = ?, refund_reported_minor = ?, refund_sum_minor = ?,
  dispute_phase = ?, disputed_minor = ?, failed = ?, first_seen = ?, last_seen = ?, card_brand = ?, card_last4 = ?, card_token = ?,
  entry_mode = ?, wallet = ?, reader_id = ?, location_id = ?, events = ?, voided_at = ?, restored_at = ?, capture_failed_minor = ?, refund_reversed_minor = ?, sale_minor = ?, captured_minor = ?, unreferenced = ?, dispute_at = ?,
  authorised_minor = ?, authorised_at = ?, dispute_amount_at = ?, dispute_amount_phase = ?, other_money = ?, updated_at = ?`;
const UPDATE_PAYMENT = `UPDATE ledger_payments SET ${UPDATE_SET} WHERE source = ? AND payment_id = ?`;
const UPDATE_PAYMENT_AND_TIME = `UPDATE ledger_payments SET ${UPDATE_SET}, occurred_at = ? WHERE source = ? AND payment_id = ?`;

/**
 * Payments after the events just recorded, replacing what was there: the caller read them in the same transaction
 * (`stored`: the rows as read, by key) and derived the new ones. Each payment once, in its latest state.
 */
export async function writeRecords(tx: SqlExecutor, records: readonly PaymentRecord[], stored: ReadonlyMap<string, PaymentRecord>, now: string): Promise<void> {
  const inserts: SqlValue[][] = [];
  for (const r of records) {
    const before = stored.get(paymentKeyOf(r));
    if (!before) {
      inserts.push([
        r.source, r.paymentId, r.customerId, r.currency, r.seen ? 1 : 0, r.grossMinor, r.refundReportedMinor, r.refundSumMinor,
        r.disputePhase, r.disputedMinor, r.failed ? 1 : 0, r.occurredAt, r.firstSeen, r.lastSeen,
        r.card.brand, r.card.last4, r.card.token, r.card.entryMode, r.card.wallet, r.terminal.readerId, r.terminal.locationId, r.events,
        r.voidedAt, r.restoredAt, r.captureFailedMinor, r.refundReversedMinor, r.saleMinor, r.capturedMinor, r.unreferenced ? 1 : 0, r.disputeAt,
        r.authorisedMinor, r.authorisedAt, r.disputeAmountAt, r.disputeAmountPhase, otherMoneyColumn(r), now,
      ]);
      continue;
    }
    const set: SqlValue[] = [
      r.customerId, r.currency, r.seen ? 1 : 0, r.grossMinor, r.refundReportedMinor, r.refundSumMinor, r.disputePhase, r.disputedMinor,
      r.failed ? 1 : 0, r.firstSeen, r.lastSeen, r.card.brand, r.card.last4, r.card.token, r.card.entryMode, r.card.wallet,
      r.terminal.readerId, r.terminal.locationId, r.events, r.voidedAt, r.restoredAt, r.captureFailedMinor, r.refundReversedMinor, r.saleMinor,
      r.capturedMinor, r.unreferenced ? 1 : 0, r.disputeAt, r.authorisedMinor, r.authorisedAt, r.disputeAmountAt, r.disputeAmountPhase, otherMoneyColumn(r), now,
    ];
    if (r.occurredAt === before.occurredAt) await tx.run(UPDATE_PAYMENT, [...set, r.source, r.paymentId]);
    else await tx.run(UPDATE_PAYMENT_AND_TIME, [...set, r.occurredAt, r.source, r.paymentId]);
  }
  await INSERT_PAYMENTS.run(tx, inserts);
}

// Row values keep the lookup on the primary key; both SQLite and Postgres support them.
const READ_PAYMENTS = new InListQuery(`SELECT ${PAYMENT_COLUMNS} FROM ledger_payments WHERE (source, payment_id) IN (VALUES `, 2, ')');

/** The payments with these keys, by key. */
export async function readRecords(tx: Pick<SqlExecutor, 'all'>, keys: readonly { source: string; paymentId: string }[]): Promise<Map<string, PaymentRecord>> {
  const unique = [...new Map(keys.map((k) => [paymentKeyOf(k), [k.source, k.paymentId]])).values()];
  const out = new Map<string, PaymentRecord>();
  for (const r of await READ_PAYMENTS.all<PaymentRow>(tx, unique)) out.set(paymentKeyOf({ source: r.source, paymentId: r.payment_id }), recordOfRow(r));
  return out;
}
