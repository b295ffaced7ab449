import type { Client } from '@temporalio/client';
import { normalizeStripeEvent } from '../../../nodes/core/sources/stripe-terminal';
import { chargeObject, stripeEvent } from '../../../sandbox/simulator/stripe-terminal-events';
import { pendingReviewQuery, type PendingReview } from '../../../workflows/review';
import { seedCustomers, strangers } from '../../core/match/match-fixtures';
import { tempStore } from '../../support/temp-store';

let card = 7000;
/**
 * "John Smith, 94110" against a stored Jonathan Smith of 94110 scores about 0.69: in the review band. A new card
 * and charge each time; `refund` is Stripe's charge.refunded for that same charge.
 */
export function probablyJonPayment() {
  card++;
  const spec = { amount: 2500, name: 'John Smith', postalCode: '94110', card: { last4: String(card), fingerprint: `fp_rv_${card}` }, chargeId: `ch_rv${card}`, paymentIntentId: `pi_rv${card}` };
  return {
    sale: normalizeStripeEvent(stripeEvent('charge.succeeded', chargeObject(spec))),
    refund: (amountRefunded: number) => normalizeStripeEvent(stripeEvent('charge.refunded', chargeObject({ ...spec, amountRefunded }))),
  };
}
export const probablyJon = () => probablyJonPayment().sale;

/** A store of thirty strangers and Jonathan Smith (cus_jon), so probablyJon() is a review for cus_jon. */
export async function storeWithJonathan() {
  const s = await tempStore();
  await seedCustomers(s.crm, [...strangers(), { id: 'cus_jon', givenName: 'Jonathan', familyName: 'Smith', email: 'jonathan.smith@example.com', postalCode: '94110' }]);
  return s;
}

/** Queries do not move the test server's clock, so the wait cannot run out while this polls. */
export async function waitingReviewOf(client: Client, workflowId: string): Promise<PendingReview> {
  const handle = client.workflow.getHandle(workflowId);
  for (let i = 0; i < 200; i++) {
    const pending = await handle.query(pendingReviewQuery).catch(() => null);
    if (pending) return pending;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${workflowId} never started waiting for review`);
}

export const customerOf = async (s: Awaited<ReturnType<typeof tempStore>>, eventId: string) =>
  (await s.db.get<{ customer_id: string }>('SELECT customer_id FROM transactions WHERE event_id = ?', [eventId]))?.customer_id;
