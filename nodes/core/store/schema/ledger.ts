/**
 * Store schema version 6: the payment ledger. Listed in store/migrations.ts; read and written by ledger/.
 *
 * - `ledger_payments`: one row per payment (source, payment id) holding the facts the processors reported; what
 *   counts is derived from them in code (ledger/payment-rules.ts), so no rule lives in SQL.
 * - `ledger_events`: every event recorded once, with what it changed (its delta) and whose money it moved, so a
 *   consumer that meets an event the ledger already has gets the same answer. It is also the local CRM's record of
 *   the events it has recorded.
 * - `ledger_refunds`: refunds reported one by one (Square, Zettle, Adyen, Clover, SumUp), so each counts once by its own id.
 *
 * The ledger starts from what the local CRM recorded before it (transactions: one payment row per payment, refund
 * rows holding what each refund added, dispute rows with their status, read by the PaymentEvent's convention: see
 * disputePhase), so a refund of an older payment is still set against it; the events the local CRM had recorded
 * become the ledger's (with no delta: what they changed is in the payments already), so a redelivery is a duplicate.
 *
 * No index by customer: every payment written would pay for one (random keys cost a page each), and a customer's
 * payments are found through the transactions they belong to (transactions_by_customer) or, for a listing, in
 * time order. The Segment and Loyalty steps now keep per payment only what they have counted: rows they kept
 * for a payment not yet seen are dropped (nothing of them was counted; the ledger remembers it instead), and the
 * chargeback the Segment step counted moves to a column of its own.
 */
export const LEDGER_MIGRATION = {
  version: 6,
  name: 'payment ledger: payments, events and refunds, started from the local CRM transactions',
  sql: `
    CREATE TABLE ledger_payments (
      source TEXT NOT NULL, payment_id TEXT NOT NULL,
      customer_id TEXT,
      currency TEXT NOT NULL,
      seen INTEGER NOT NULL DEFAULT 0,
      gross_minor INTEGER NOT NULL DEFAULT 0,
      refund_reported_minor INTEGER NOT NULL DEFAULT 0,
      refund_sum_minor INTEGER NOT NULL DEFAULT 0,
      dispute_phase TEXT, disputed_minor INTEGER NOT NULL DEFAULT 0,
      failed INTEGER NOT NULL DEFAULT 0,
      occurred_at TEXT NOT NULL, first_seen TEXT NOT NULL, last_seen TEXT NOT NULL,
      card_brand TEXT, card_last4 TEXT, card_token TEXT, entry_mode TEXT, wallet TEXT,
      reader_id TEXT, location_id TEXT,
      events INTEGER NOT NULL DEFAULT 0,
      updated_at TEXT NOT NULL,
      PRIMARY KEY (source, payment_id)
    );
    CREATE INDEX ledger_payments_by_time ON ledger_payments(occurred_at, source, payment_id);
    CREATE TABLE ledger_events (
      event_id TEXT PRIMARY KEY,
      source TEXT NOT NULL, payment_id TEXT NOT NULL, kind TEXT NOT NULL,
      outcome TEXT NOT NULL,
      customer_id TEXT,
      currency TEXT NOT NULL,
      payments INTEGER NOT NULL DEFAULT 0,
      gross_minor INTEGER NOT NULL DEFAULT 0,
      refunded_minor INTEGER NOT NULL DEFAULT 0,
      chargeback_minor INTEGER NOT NULL DEFAULT 0,
      disputes INTEGER NOT NULL DEFAULT 0,
      disputed_open_minor INTEGER NOT NULL DEFAULT 0,
      dispute_from TEXT, dispute_to TEXT,
      refund_added_minor INTEGER NOT NULL DEFAULT 0,
      occurred_at TEXT NOT NULL, recorded_at TEXT NOT NULL
    );
    CREATE TABLE ledger_refunds (
      source TEXT NOT NULL, payment_id TEXT NOT NULL, refund_id TEXT NOT NULL,
      amount_minor INTEGER NOT NULL, currency TEXT NOT NULL,
      event_id TEXT NOT NULL, recorded_at TEXT NOT NULL,
      PRIMARY KEY (source, payment_id, refund_id)
    );
    INSERT INTO ledger_payments (source, payment_id, customer_id, currency, seen, gross_minor, refund_reported_minor, refund_sum_minor,
      dispute_phase, disputed_minor, failed, occurred_at, first_seen, last_seen,
      card_brand, card_last4, card_token, entry_mode, wallet, reader_id, location_id, events, updated_at)
    SELECT source, payment_id,
      COALESCE(MAX(CASE WHEN kind = 'payment' THEN customer_id END), MAX(customer_id)),
      COALESCE(MAX(CASE WHEN kind = 'payment' THEN currency END), MAX(currency)),
      MAX(CASE WHEN kind = 'payment' THEN 1 ELSE 0 END),
      SUM(CASE WHEN kind = 'payment' THEN amount_minor ELSE 0 END),
      SUM(CASE WHEN kind = 'refund' THEN amount_minor ELSE 0 END),
      0,
      CASE WHEN MAX(CASE WHEN kind = 'dispute' AND status = 'refunded' THEN 1 ELSE 0 END) = 1 THEN 'lost'
           WHEN MAX(CASE WHEN kind = 'dispute' AND status = 'succeeded' THEN 1 ELSE 0 END) = 1 THEN 'won'
           WHEN MAX(CASE WHEN kind = 'dispute' THEN 1 ELSE 0 END) = 1 THEN 'open' END,
      COALESCE(MAX(CASE WHEN kind = 'dispute' THEN amount_minor END), 0),
      MAX(CASE WHEN kind = 'failure' THEN 1 ELSE 0 END),
      COALESCE(MIN(CASE WHEN kind = 'payment' THEN occurred_at END), MIN(occurred_at)),
      MIN(occurred_at), MAX(occurred_at),
      MAX(card_brand), MAX(card_last4), MAX(card_token), MAX(CASE WHEN entry_mode <> 'unknown' THEN entry_mode END), MAX(wallet),
      MAX(reader_id), MAX(location_id),
      COUNT(*), MAX(recorded_at)
    FROM transactions GROUP BY source, payment_id;
    INSERT INTO ledger_events (event_id, source, payment_id, kind, outcome, customer_id, currency, occurred_at, recorded_at)
    SELECT p.event_id, COALESCE(t.source, ''), COALESCE(t.payment_id, ''), COALESCE(t.kind, 'payment'), CASE WHEN t.event_id IS NULL THEN 'enriched' ELSE 'recorded' END,
      t.customer_id, COALESCE(t.currency, ''), COALESCE(t.occurred_at, p.processed_at), p.processed_at
    FROM processed_events p LEFT JOIN transactions t ON t.event_id = p.event_id
    WHERE p.scope = 'local-crm';
    DELETE FROM segment_payments WHERE counted = 0;
    ALTER TABLE segment_payments ADD COLUMN chargeback_minor INTEGER NOT NULL DEFAULT 0;
    UPDATE segment_payments SET chargeback_minor = disputed_minor WHERE dispute_state = 'lost';
    DELETE FROM loyalty_payments WHERE counted = 0`,
} as const;

/**
 * Store schema version 19: a refund reported per refund can be reversed (Adyen's REFUND_FAILED and
 * REFUNDED_REVERSED). `reversed_at` is when the ledger learnt it; a reversed refund counts nothing
 * (ledger/payment-rules.ts refundEntryAfter).
 *
 * Adyen refunds used to be kept under their event id ("adyen:<pspReference>:REFUND:true"); they now go by their
 * pspReference, which the reversal names, so the refunds recorded before take that id too (Adyen's pspReferences
 * are 16 characters; a row whose new id is taken already keeps its old one).
 */
export const LEDGER_REFUND_REVERSALS_MIGRATION = {
  version: 19,
  name: 'ledger: refunds reversed after they were reported',
  sql: `
    ALTER TABLE ledger_refunds ADD COLUMN reversed_at TEXT;
    UPDATE ledger_refunds SET refund_id = substr(event_id, 7, 16)
     WHERE source = 'adyen' AND refund_id = event_id AND substr(event_id, 1, 6) = 'adyen:' AND substr(event_id, 23, 1) = ':'
       AND NOT EXISTS (SELECT 1 FROM ledger_refunds taken WHERE taken.source = ledger_refunds.source
         AND taken.payment_id = ledger_refunds.payment_id AND taken.refund_id = substr(ledger_refunds.event_id, 7, 16))`,
} as const;

/**
 * Store schema version 20: a sale the processor reports void after it succeeded (Adyen's CAPTURE_FAILED, a SumUp
 * transaction read CANCELLED), and money moving for it again (Adyen's re-capture). `voided_at` and `restored_at`
 * are the latest times of each report; the later one decides (ledger/payment-rules.ts isVoided). Payments recorded
 * before keep both empty: nothing was reported void of them that the ledger acted on.
 */
export const LEDGER_SALE_VOIDS_MIGRATION = {
  version: 20,
  name: 'ledger: sales reported void after they succeeded, and captured again',
  sql: `
    ALTER TABLE ledger_payments ADD COLUMN voided_at TEXT;
    ALTER TABLE ledger_payments ADD COLUMN restored_at TEXT`,
} as const;

/** A ledger payment reported void and not captured again since (ledger/payment-rules.ts isVoided), as SQL. */
const VOID_NOW = `l.seen = 1 AND l.voided_at IS NOT NULL AND (l.restored_at IS NULL OR l.voided_at > l.restored_at)`;

/**
 * Store schema version 21: a void sale is no longer one of its customer's payments or visits (it kept counting as
 * one, refunded in full, under version 20). The segment statistics and the loyalty program keep which of the
 * payments they counted is void now, so a capture after the void counts it once again. Sales already void are
 * taken out of the payment counts, purchase days and visits here, as the new rule would have counted them.
 */
export const LEDGER_VOIDS_UNCOUNTED_MIGRATION = {
  version: 21,
  name: 'ledger: a void sale is not a payment or a visit',
  sql: `
    ALTER TABLE segment_payments ADD COLUMN voided INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE loyalty_payments ADD COLUMN voided INTEGER NOT NULL DEFAULT 0;
    UPDATE segment_payments SET voided = 1 WHERE counted = 1 AND EXISTS (
      SELECT 1 FROM ledger_payments l WHERE l.source = segment_payments.source AND l.payment_id = segment_payments.payment_id AND ${VOID_NOW});
    UPDATE segment_stats SET
      payments = (SELECT COUNT(*) FROM segment_payments p
        WHERE p.customer_id = segment_stats.customer_id AND p.currency = segment_stats.currency AND p.counted = 1 AND p.voided = 0),
      purchase_days = (SELECT COUNT(DISTINCT p.day) FROM segment_payments p
        WHERE p.customer_id = segment_stats.customer_id AND p.currency = segment_stats.currency AND p.counted = 1 AND p.voided = 0)
    WHERE EXISTS (SELECT 1 FROM segment_payments p WHERE p.customer_id = segment_stats.customer_id AND p.currency = segment_stats.currency AND p.voided = 1);
    UPDATE loyalty_payments SET voided = 1 WHERE counted = 1 AND EXISTS (
      SELECT 1 FROM ledger_payments l WHERE l.source = loyalty_payments.source AND l.payment_id = loyalty_payments.payment_id AND ${VOID_NOW});
    UPDATE loyalty_members SET visits = visits - (SELECT COUNT(*) FROM loyalty_payments p
      WHERE p.program_id = loyalty_members.program_id AND p.customer_id = loyalty_members.customer_id AND p.voided = 1);
    UPDATE customer_totals SET payments = payments - (SELECT COUNT(*) FROM ledger_payments l
      WHERE l.customer_id = customer_totals.customer_id AND l.currency = customer_totals.currency AND ${VOID_NOW})`,
} as const;

/** `column` of a customer's counted purchases (not void) in the row's currency, as SQL over segment_stats. */
const purchases = (select: string) =>
  `(SELECT ${select} FROM segment_payments p WHERE p.customer_id = segment_stats.customer_id AND p.currency = segment_stats.currency AND p.counted = 1 AND p.voided = 0)`;

/**
 * Store schema version 22: a void sale is not its customer's first or last visit either (under version 21 it left the
 * payment counts but kept its place in first_seen, last_seen and the first day's value, so RFM read a recency the
 * customer never had). Rows with a void sale and a purchase take their dates from the purchases, as the Segment step
 * now does. The preference counters keep such sales' share (weekday and month were read in the shop's time zone,
 * which the store does not keep), and a capture after the void counts it once more there: preferences only.
 */
export const SEGMENT_VOID_VISITS_MIGRATION = {
  version: 22,
  name: 'segment: a void sale is not a first or last visit',
  sql: `
    UPDATE segment_stats SET
      first_seen = ${purchases('MIN(p.occurred_at)')},
      last_seen = ${purchases('MAX(p.occurred_at)')},
      first_day = ${purchases('MIN(p.day)')},
      last_day = ${purchases('MAX(p.day)')},
      first_day_value_minor = (SELECT COALESCE(SUM(v.amount_minor - v.refunded_minor - v.chargeback_minor), 0) FROM segment_payments v
        WHERE v.customer_id = segment_stats.customer_id AND v.currency = segment_stats.currency AND v.counted = 1 AND v.day = ${purchases('MIN(p.day)')})
    WHERE EXISTS (SELECT 1 FROM segment_payments p WHERE p.customer_id = segment_stats.customer_id AND p.currency = segment_stats.currency AND p.counted = 1 AND p.voided = 1)
      AND EXISTS ${purchases('1')}`,
} as const;

/**
 * Store schema version 24: a sale's captures reported one by one (Adyen's CAPTURE_FAILED and CAPTURE, by the
 * capture's pspReference), so a failed part capture takes back only what it was to collect and a re-capture brings
 * back only it. `ledger_captures` keeps each capture's amount and the latest time it was reported failed and
 * captured (ledger/payment-rules.ts captureEntryAfter); `capture_failed_minor` what the failed ones add up to.
 * A capture failure recorded before keeps voiding its whole sale (voided_at), until a capture after it.
 */
export const LEDGER_CAPTURES_MIGRATION = {
  version: 24,
  name: 'ledger: captures reported failed or captured, each by its id',
  sql: `
    ALTER TABLE ledger_payments ADD COLUMN capture_failed_minor INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE ledger_captures (
      source TEXT NOT NULL, payment_id TEXT NOT NULL, capture_id TEXT NOT NULL,
      amount_minor INTEGER NOT NULL, currency TEXT NOT NULL,
      failed_at TEXT, captured_at TEXT,
      event_id TEXT NOT NULL, recorded_at TEXT NOT NULL,
      PRIMARY KEY (source, payment_id, capture_id)
    )`,
} as const;

/**
 * Store schema version 25: a refund reported reversed is out of the payment's cumulative total too, not only out of
 * the sum of refunds counted one by one (ledger/payment-rules.ts reportedRefundOf). Stripe reports refunds as a
 * running total (charge.refunded's amount_refunded) and a refund that failed afterwards by the refund's id
 * (charge.refund.updated, refund.updated, refund.failed). `refund_reversed_minor` is the sum of a payment's refunds
 * reversed, each once; it starts from the refunds already reversed in ledger_refunds (in the payment's currency, as
 * the ledger sets them against it), which changes no payment recorded before: no source that reversed refunds then
 * also reported a cumulative total.
 */
export const LEDGER_REVERSED_OUT_OF_TOTALS_MIGRATION = {
  version: 25,
  name: 'ledger: a reversed refund is out of the cumulative total too',
  sql: `
    ALTER TABLE ledger_payments ADD COLUMN refund_reversed_minor INTEGER NOT NULL DEFAULT 0;
    UPDATE ledger_payments SET refund_reversed_minor = (SELECT COALESCE(SUM(r.amount_minor), 0) FROM ledger_refunds r
      WHERE r.source = ledger_payments.source AND r.payment_id = ledger_payments.payment_id AND r.currency = ledger_payments.currency
        AND r.reversed_at IS NOT NULL)
    WHERE EXISTS (SELECT 1 FROM ledger_refunds r WHERE r.source = ledger_payments.source AND r.payment_id = ledger_payments.payment_id
      AND r.reversed_at IS NOT NULL)`,
} as const;

/**
 * Store schema version 26: a sale captured under capture ids (Adyen's CAPTURE, by its pspReference) is its sale event
 * and its captures in any order (ledger/payment-rules.ts): a capture before its authorisation is remembered, not
 * taken for the sale, and once a capture is reported what the captures add up to decides what the sale brought.
 * `sale_minor` is what the sale event reported (the authorisation's amount); `captured_minor` what its captures
 * reported captured add up to, each once. A payment counted before keeps the amount it was counted with
 * (`captured_minor` NULL: its captures do not move it), so nothing counted changes; one not seen yet starts at 0
 * (a capture then always made its payment seen, so none has a capture reported captured).
 */
export const LEDGER_CAPTURES_ADD_UP_MIGRATION = {
  version: 26,
  name: 'ledger: a capture is never the sale; what the captures add up to is what the sale brought',
  sql: `
    ALTER TABLE ledger_payments ADD COLUMN sale_minor INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE ledger_payments ADD COLUMN captured_minor INTEGER;
    UPDATE ledger_payments SET sale_minor = gross_minor, captured_minor = CASE WHEN seen = 1 THEN NULL ELSE 0 END`,
} as const;

/**
 * Store schema version 29: a payment that is a refund naming no sale (Adyen's REFUND_WITH_DATA, an unreferenced
 * refund at the terminal) is marked `unreferenced`: it counts as soon as it arrives, as money given back with no sale
 * amount (payment-rules.ts). Nothing recorded before was one (such refunds were acknowledged and not recorded).
 */
export const LEDGER_UNREFERENCED_REFUNDS_MIGRATION = {
  version: 29,
  name: 'ledger: a refund that names no sale is a payment of its own, marked unreferenced',
  sql: 'ALTER TABLE ledger_payments ADD COLUMN unreferenced INTEGER NOT NULL DEFAULT 0',
} as const;

/**
 * Store schema version 30: a dispute's phase is the latest report's by time (payment-rules.ts disputeReportDecides),
 * so a won dispute can be lost after all to a second chargeback, and won again. `dispute_at` is the time of the report
 * that set the phase: for a dispute recorded before, the latest event the ledger recorded moving it to that phase;
 * where none is found (a dispute the ledger took over from an older store) it stays NULL, and that dispute keeps the
 * rule it was recorded under (never reopened).
 */
export const LEDGER_DISPUTE_TIME_MIGRATION = {
  version: 30,
  name: 'ledger: the latest dispute report by time decides the dispute',
  sql: `
    ALTER TABLE ledger_payments ADD COLUMN dispute_at TEXT;
    UPDATE ledger_payments SET dispute_at = (
      SELECT MAX(e.occurred_at) FROM ledger_events e
       WHERE e.source = ledger_payments.source AND e.payment_id = ledger_payments.payment_id AND e.dispute_to = ledger_payments.dispute_phase
    ) WHERE dispute_phase IS NOT NULL`,
} as const;

/**
 * Store schema version 31: a sale's authorisation adjusted before its capture (Adyen's AUTHORISATION_ADJUSTMENT) is read
 * (payment-rules.ts): `sale_minor` is the largest amount the sale was authorised at, and `authorised_minor` /
 * `authorised_at` what the latest adjustment by time set it to. Nothing recorded before was one (such notifications
 * were acknowledged and not recorded), so both stay NULL.
 */
export const LEDGER_AUTHORISATION_ADJUSTMENT_MIGRATION = {
  version: 31,
  name: 'ledger: a sale counts at the most it was authorised at, the latest adjustment saying what it will bring',
  sql: `
    ALTER TABLE ledger_payments ADD COLUMN authorised_minor INTEGER;
    ALTER TABLE ledger_payments ADD COLUMN authorised_at TEXT`,
} as const;

/**
 * Store schema version 32: the refunds reported reversed, by their id within their source (`ledger_refunds_reversed`),
 * so an unreferenced refund (a payment of its own under its id) finds a reversal of it heard before it on the payment
 * the reversal named (Adyen's REFUND_FAILED carries an originalReference), and counts as reversed
 * (ledger/record-events.ts). Only reversed refunds are in it: a refund written is not made to pay for it.
 */
export const LEDGER_REFUNDS_REVERSED_MIGRATION = {
  version: 32,
  name: 'ledger: refunds reported reversed, by their id, for the unreferenced refund a reversal named another payment for',
  sql: 'CREATE INDEX ledger_refunds_reversed ON ledger_refunds(source, refund_id) WHERE reversed_at IS NOT NULL',
} as const;

/**
 * Store schema version 33: a dispute's amount is the one the latest report that stated an amount gave
 * (payment-rules.ts statedAmountDecides); a report stating none (Square's amount_money null, recorded at the payment's
 * total) sets it only while none has. `dispute_amount_at` / `dispute_amount_phase` are the time and phase of that
 * report. A dispute recorded before is taken as stated by the report that set its phase (dispute_at, dispute_phase):
 * every source but Square's amountless reports states its amount, and a stated amount is what a later amountless
 * report must not overwrite. One recorded before schema 30 (dispute_at NULL) keeps NULL and the rule it was recorded
 * under.
 */
export const LEDGER_DISPUTE_AMOUNT_STATED_MIGRATION = {
  version: 33,
  name: 'ledger: a dispute keeps the amount last stated for it when a later report states none',
  sql: `
    ALTER TABLE ledger_payments ADD COLUMN dispute_amount_at TEXT;
    ALTER TABLE ledger_payments ADD COLUMN dispute_amount_phase TEXT;
    UPDATE ledger_payments SET dispute_amount_at = dispute_at, dispute_amount_phase = dispute_phase WHERE dispute_at IS NOT NULL`,
} as const;

/** A capture of a seen ledger payment recorded failed and never captured (ledger_captures), as SQL over ledger_captures. */
const FAILED_FIRST_OF_SEEN = `ledger_captures.captured_at IS NULL AND EXISTS (SELECT 1 FROM ledger_payments p
  WHERE p.source = ledger_captures.source AND p.payment_id = ledger_captures.payment_id AND p.seen = 1)`;

/** Captures of an unseen ledger payment in its currency recorded failed and never captured, as SQL over ledger_payments. */
const failedFirstOfUnseen = (select: string) => `(SELECT ${select} FROM ledger_captures c WHERE c.source = ledger_payments.source
  AND c.payment_id = ledger_payments.payment_id AND c.currency = ledger_payments.currency AND c.captured_at IS NULL)`;

/**
 * Store schema version 34: a capture counts among what the sale's captures were to collect (`captured_minor`) from its
 * first report, captured or failed (ledger/payment-rules.ts captureEntryAfter): one reported failed before it was
 * reported captured (Adyen's CAPTURE_FAILED ahead of its CAPTURE) counted there only once its CAPTURE came, so until
 * then its amount went back twice, as its failure and as what the captures left of the authorisation.
 * `ledger_captures.added_up` says whether a capture's amount is in its payment's `captured_minor`. For a payment not
 * seen yet nothing is counted, so its captures recorded failed are added here and it reads by the new rule when its
 * authorisation comes. A payment seen already keeps what it was counted with (the CRM totals, the segment statistics,
 * the loyalty points and the ledger's events add up to it): its captures recorded failed and never captured are
 * marked not added up (0), and each counts there when its CAPTURE comes, as it then did.
 */
export const LEDGER_CAPTURE_FAILED_FIRST_MIGRATION = {
  version: 34,
  name: 'ledger: a capture heard failed before it is heard captured counts among the captures at once',
  sql: `
    ALTER TABLE ledger_captures ADD COLUMN added_up INTEGER NOT NULL DEFAULT 1;
    UPDATE ledger_captures SET added_up = 0 WHERE ${FAILED_FIRST_OF_SEEN};
    UPDATE ledger_payments SET captured_minor = captured_minor + ${failedFirstOfUnseen('COALESCE(SUM(c.amount_minor), 0)')}
    WHERE seen = 0 AND captured_minor IS NOT NULL AND EXISTS ${failedFirstOfUnseen('1')}`,
} as const;

/**
 * Store schema version 35: money heard for a payment before it counts, in another currency than the one it was first
 * heard in (a refund, capture, adjustment or dispute report naming another currency than the sale's), is kept aside
 * (`other_money`, JSON: each report's money facts and what the ledger's refund and capture entries said it moved:
 * ledger/payment-rules.ts PaymentRecord.otherMoney), so a sale arriving in that currency sets it against itself as
 * when it is heard after the sale: money in the sale's currency counts whenever heard, in another never. Until now
 * it was dropped, so it counted or not by the order the reports came in. Money heard so before this version was not
 * kept, and stays uncounted.
 */
export const LEDGER_OTHER_MONEY_MIGRATION = {
  version: 35,
  name: "ledger: money heard before the sale in another currency than the payment's first is kept for a sale in that currency",
  sql: 'ALTER TABLE ledger_payments ADD COLUMN other_money TEXT',
} as const;

/**
 * Store schema version 36: a refund or capture reported by its id is kept once per id and currency (primary keys of
 * `ledger_refunds` and `ledger_captures` with the currency), so a report naming another currency than the refund's or
 * capture's (a reversal or a failure in another currency) is an entry of its own and never changes the first
 * (ledger/payment-rules.ts RefundEntry, CaptureEntry): only the entries in the payment's currency move its money, in
 * any order. Until now one entry per id took whichever currency's report came first, so a refund in the sale's
 * currency counted or not by whether a reversal of it in another currency came before or after it. The tables are
 * rebuilt with their rows as they were (SQLite cannot change a primary key); what the payments counted stays.
 */
export const LEDGER_ENTRIES_BY_CURRENCY_MIGRATION = {
  version: 36,
  name: "ledger: a refund's or capture's entry is its id in one currency, so a report in another currency never changes it",
  sql: `
    CREATE TABLE ledger_refunds_by_currency (
      source TEXT NOT NULL, payment_id TEXT NOT NULL, refund_id TEXT NOT NULL,
      amount_minor INTEGER NOT NULL, currency TEXT NOT NULL,
      event_id TEXT NOT NULL, recorded_at TEXT NOT NULL, reversed_at TEXT,
      PRIMARY KEY (source, payment_id, refund_id, currency)
    );
    INSERT INTO ledger_refunds_by_currency (source, payment_id, refund_id, amount_minor, currency, event_id, recorded_at, reversed_at)
      SELECT source, payment_id, refund_id, amount_minor, currency, event_id, recorded_at, reversed_at FROM ledger_refunds;
    DROP TABLE ledger_refunds;
    ALTER TABLE ledger_refunds_by_currency RENAME TO ledger_refunds;
    CREATE INDEX ledger_refunds_reversed ON ledger_refunds(source, refund_id) WHERE reversed_at IS NOT NULL;
    CREATE TABLE ledger_captures_by_currency (
      source TEXT NOT NULL, payment_id TEXT NOT NULL, capture_id TEXT NOT NULL,
      amount_minor INTEGER NOT NULL, currency TEXT NOT NULL,
      failed_at TEXT, captured_at TEXT,
      event_id TEXT NOT NULL, recorded_at TEXT NOT NULL,
      added_up INTEGER NOT NULL DEFAULT 1,
      PRIMARY KEY (source, payment_id, capture_id, currency)
    );
    INSERT INTO ledger_captures_by_currency (source, payment_id, capture_id, amount_minor, currency, failed_at, captured_at, event_id, recorded_at, added_up)
      SELECT source, payment_id, capture_id, amount_minor, currency, failed_at, captured_at, event_id, recorded_at, added_up FROM ledger_captures;
    DROP TABLE ledger_captures;
    ALTER TABLE ledger_captures_by_currency RENAME TO ledger_captures`,
} as const;
