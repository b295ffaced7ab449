import { enqueue } from '../outbox/enqueue';
import { paymentItemsOf } from '../outbox/payment-items';
import type { SqlExecutor } from '../store/sql-database';

/**
 * A merge (or its undo) reaches the SaaS CRMs too: every CRM that holds either customer, or has one queued in its
 * outbox, gets the customer the payments now belong to (its record as the store has it, details filled in by the
 * merge included) and each moved payment, whose record now names that customer. They are queued in the merge's own
 * transaction, so the CRM follows exactly the merges the store keeps. The CRM then shows the payments on that
 * customer's contact: HubSpot associates each deal with it (an association to the other contact stays), the
 * other CRMs point the payment's contact lookup at it. The CRM's two contacts are not merged; that is the CRM's
 * own tool, and the merged-away one simply gets no new payments.
 */
export async function queueMergeForCrms(
  tx: SqlExecutor,
  customerIds: readonly [string, string],
  payments: readonly { source: string; paymentId: string }[],
  at: Date,
): Promise<void> {
  if (payments.length === 0) return;
  const crms = await tx.all<{ crm: string }>(
    `SELECT crm FROM crm_links WHERE kind = 'customer' AND external_id IN (?, ?)
     UNION SELECT crm FROM outbox WHERE kind = 'customer' AND external_id IN (?, ?)`,
    [...customerIds, ...customerIds],
  );
  if (crms.length === 0) return;
  const items = await paymentItemsOf(tx, payments);
  if (items.length === 0) return;
  for (const { crm } of crms) await enqueue(tx, crm, items, at);
}
