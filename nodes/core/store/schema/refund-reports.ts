/**
 * Store schema version 28: what each refund event reported, at the processor's time (`ledger_refund_reports`), so a
 * refund's transaction can hold what it adds to the payment's refunds in the processor's order, whatever order its
 * events arrived in (ledger/refund-order.ts). A running total (Stripe's charge.refunded) has no `refund_id` and its
 * `amount_minor` is the total so far; a per-refund report names its refund and its own amount, `reversed` when it
 * takes the refund back. `occurred_at` is when the processor says it happened: when the refund first stood is the
 * earliest of its reports not reversed.
 *
 * The store kept only each per-refund refund's first report (ledger_refunds.event_id), so that is what existing
 * stores start from: it stood, unless it was recorded reversed (reversed when first recorded, and what it added then
 * was nothing). A running total's figure and a later report of a refund were never kept: a payment with such a row
 * keeps its transactions as they were recorded (crm/refund-rows.ts leaves it alone).
 */
export const LEDGER_REFUND_REPORTS_MIGRATION = {
  version: 28,
  name: 'ledger: each refund report at the processor\'s time, so refund transactions do not depend on delivery order',
  sql: `
    CREATE TABLE ledger_refund_reports (
      source TEXT NOT NULL, payment_id TEXT NOT NULL, event_id TEXT NOT NULL,
      refund_id TEXT,
      reversed INTEGER NOT NULL DEFAULT 0,
      amount_minor INTEGER NOT NULL, currency TEXT NOT NULL,
      occurred_at TEXT NOT NULL,
      PRIMARY KEY (source, payment_id, event_id)
    );
    INSERT INTO ledger_refund_reports (source, payment_id, event_id, refund_id, reversed, amount_minor, currency, occurred_at)
    SELECT r.source, r.payment_id, r.event_id, r.refund_id,
      CASE WHEN r.reversed_at IS NOT NULL AND r.reversed_at <= r.recorded_at AND e.refund_added_minor <= 0 THEN 1 ELSE 0 END,
      r.amount_minor, r.currency, e.occurred_at
    FROM ledger_refunds r JOIN ledger_events e ON e.event_id = r.event_id`,
} as const;
