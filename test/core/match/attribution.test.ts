import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { TokenizedPaymentEvent } from '../../../nodes/core/contracts/payment-event';
import { matchCustomer } from '../../../nodes/core/match/match-customer';
import { normalizeStripeEvent } from '../../../nodes/core/sources/stripe-terminal';
import { pushMetadata, STRIPE_METADATA_KEYS } from '../../../nodes/core/terminal-push/push-metadata';
import { SaleRequestSchema, type SaleRequest } from '../../../nodes/core/terminal-push/terminal-push';
import { tokenize } from '../../../nodes/core/tokenize/tokenize';
import { chargeObject, paymentIntentObject, stripeEvent, type ChargeSpec } from '../../../sandbox/simulator/stripe-terminal-events';
import { testKeys } from '../../support/temp-store';
import { matchAndRecord, payment, seedCustomers, strangers } from './match-fixtures';
import { dialectStores, type DialectStore } from './store-dialects';

/** The metadata the Stripe adapter writes to the PaymentIntent of a pushed sale (stripe-terminal-push.ts). */
const pushedTo = (customerId: string, over: Partial<SaleRequest> = {}) =>
  pushMetadata(SaleRequestSchema.parse({ amount: { minor: 4500, currency: 'USD' }, readerId: 'tmr_FrontDesk', customerId, crmRecordId: 'deal-9001', reference: 'deal-9001', ...over }), STRIPE_METADATA_KEYS);

let card = 0;
/**
 * The charge.succeeded Stripe sends when the pushed sale is paid: Stripe copies the PaymentIntent's metadata to the
 * charge it creates (Stripe support, "How metadata works with related objects"). A card never seen before, and only
 * what the spec adds.
 */
function paidPushedSale(metadata: Record<string, string>, spec: Partial<ChargeSpec> = {}): TokenizedPaymentEvent {
  card++;
  const charge = chargeObject({ amount: 4500, metadata, card: { last4: String(4000 + card), fingerprint: `fp_pushed_${card}` }, ...spec });
  return tokenize(normalizeStripeEvent(stripeEvent('charge.succeeded', charge)), testKeys());
}

for (const store of dialectStores('tcrm-attribution')) describe(`matchCustomer on ${store.dialect}: a sale pushed by Send to Terminal names its customer`, { timeout: 30_000 }, () => {
  let s: DialectStore;
  beforeEach(async () => {
    s = await store.open();
    await seedCustomers(s.crm, [
      ...strangers(),
      { id: 'cus_ana', givenName: 'Ana', familyName: 'Ruiz', email: 'ana.ruiz@example.com' },
      { id: 'cus_bob', givenName: 'Bob', familyName: 'Keller', email: 'bob.keller@example.com' },
    ]);
  });
  afterEach(async () => { await s.remove(); });

  it('links the paid sale to the customer in its metadata although it carries no email, name or known card, and records it there', async () => {
    const event = paidPushedSale(pushedTo('cus_ana'));
    assert.deepEqual(event.customerHints, {}, 'nothing else to go by');
    const fingerprint = `fp_pushed_${card}`;
    const last4 = String(4000 + card);
    const { match, upsert } = await matchAndRecord(s.crm, event);
    assert.equal(match.decision, 'link', match.explanation);
    assert.equal(match.customerId, 'cus_ana');
    assert.equal(match.tier, 'exact');
    assert.equal(match.confidence, 1);
    assert.equal(match.explanation, 'Matched cus_ana by the payment itself: Send to Terminal sent it to the reader for them, CRM record deal-9001, reference deal-9001.');
    assert.equal(upsert.customerId, 'cus_ana');
    const row = await s.db.get<{ customer_id: string }>('SELECT customer_id FROM transactions WHERE event_id = ?', [event.id]);
    assert.equal(row?.customer_id, 'cus_ana');

    // The card now sits on Ana: the next tap of it, pushed or not, is hers.
    const again = payment({ card: { fingerprint, last4 } });
    const next = await matchCustomer(again, { crm: s.crm });
    assert.equal(next.customerId, 'cus_ana', next.explanation);
    assert.deepEqual(next.matchedOn, ['cardToken']);

    // The PaymentIntent's own event (no card on it) says the same.
    const intent = tokenize(normalizeStripeEvent(stripeEvent('payment_intent.succeeded', paymentIntentObject({ amount: 4500, metadata: pushedTo('cus_ana') }))), testKeys());
    assert.equal((await matchCustomer(intent, { crm: s.crm })).customerId, 'cus_ana');
    // Without the metadata such a payment makes a new customer.
    assert.equal((await matchCustomer(paidPushedSale({}), { crm: s.crm })).decision, 'create');
  });

  it('decides before any other key: a pushed sale paid with Bob\'s email on the receipt is still Ana\'s', async () => {
    const m = await matchCustomer(paidPushedSale(pushedTo('cus_ana'), { email: 'bob.keller@example.com' }), { crm: s.crm });
    assert.equal(m.customerId, 'cus_ana', m.explanation);
    // Without the metadata the same payment is Bob's by email.
    const plain = await matchCustomer(paidPushedSale({}, { email: 'bob.keller@example.com' }), { crm: s.crm });
    assert.equal(plain.customerId, 'cus_bob');
  });

  it('falls back to normal matching when the named customer does not exist, and says so', async () => {
    const byEmail = await matchCustomer(paidPushedSale(pushedTo('cus_ghost'), { email: 'bob.keller@example.com' }), { crm: s.crm });
    assert.equal(byEmail.decision, 'link');
    assert.equal(byEmail.customerId, 'cus_bob');
    assert.deepEqual(byEmail.matchedOn, ['email']);
    assert.match(byEmail.explanation, /^The payment names customer cus_ghost \(Send to Terminal\), who is not a known customer .*; matched as any other payment\. Matched cus_bob on email/);

    const { match, upsert } = await matchAndRecord(s.crm, paidPushedSale(pushedTo('cus_ghost')));
    assert.equal(match.decision, 'create');
    assert.notEqual(upsert.customerId, 'cus_ghost', 'a mistyped id in a flow never becomes a customer');
    assert.equal((await s.db.get<{ n: number }>("SELECT COUNT(*) AS n FROM customers WHERE id = 'cus_ghost'"))!.n, 0);
  });

  it('finds a customer created after the match index was loaded, even within its refresh interval', async () => {
    const config = { refreshIntervalMs: 60 * 60 * 1000 };
    await matchCustomer(payment({ email: 'someone@example.net' }), { crm: s.crm }, config);
    await seedCustomers(s.crm, [{ id: 'cus_new', givenName: 'Nia', familyName: 'Okafor' }]);
    const m = await matchCustomer(paidPushedSale(pushedTo('cus_new')), { crm: s.crm }, config);
    assert.equal(m.customerId, 'cus_new', m.explanation);
  });
});
