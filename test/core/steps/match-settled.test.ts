import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { MatchKey } from '../../../nodes/core/contracts/customer';
import type { CustomerChangePage } from '../../../nodes/core/contracts/match-record';
import { matchStepSettled } from '../../../nodes/core/steps/match-settled';
import { newCustomerId } from '../../../nodes/core/match/new-customer';
import { normalizeStripeEvent } from '../../../nodes/core/sources/stripe-terminal';
import { matchStep, upsertStep } from '../../../nodes/core/steps/steps';
import { tokenize } from '../../../nodes/core/tokenize/tokenize';
import { paymentIntentObject, stripeEvent } from '../../../sandbox/simulator/stripe-terminal-events';
import { testKeys } from '../../support/temp-store';
import { matchAndRecord, payment, seedCustomers, strangers } from '../match/match-fixtures';
import { dialectStores, type DialectStore } from '../match/store-dialects';

const stores = dialectStores('tcrm-match-batch');

/** Counts the store calls Match Customer makes: payment-id lookups (with their sizes) and change-feed reads. */
function countCalls(s: DialectStore): { lookups: number[]; changeReads: number } {
  const calls = { lookups: [] as number[], changeReads: 0 };
  const findByKeys = s.crm.findByKeys.bind(s.crm);
  const customerChanges = s.crm.customerChanges.bind(s.crm);
  s.crm.findByKeys = async (keys: readonly MatchKey[]) => {
    calls.lookups.push(keys.length);
    return findByKeys(keys);
  };
  s.crm.customerChanges = async (cursor: string | null, limit: number): Promise<CustomerChangePage> => {
    calls.changeReads++;
    return customerChanges(cursor, limit);
  };
  return calls;
}

const wallet = { fingerprint: 'fp_wallet_batch', wallet: 'apple_pay' as const, last4: '3131' };

for (const store of stores) describe(`Match Customer over a batch of items on ${store.dialect}`, () => {
  let s: DialectStore;
  beforeEach(async () => {
    s = await store.open();
    await seedCustomers(s.crm, strangers());
    // The index is loaded, as after a node's first execution.
    await matchStep(payment({ email: 'warm.up@example.com' }), s.crm);
  });
  afterEach(async () => { await s.remove(); });

  it('asks the store once for all payment ids and reads the customer changes once, not once per item', async () => {
    const calls = countCalls(s);
    const items = [1, 2, 3, 4, 5].map((n) => payment({ email: `batch.${n}@example.com`, paymentIntentId: `pi_batch_${n}` }));
    const results = await matchStepSettled(items, s.crm);
    assert.deepEqual(results.map((r) => r.ok && r.value.match?.decision), ['create', 'create', 'create', 'create', 'create']);
    assert.deepEqual(calls, { lookups: [5], changeReads: 1 });
  });

  it('decides as item-by-item matching would, across a merge made by an earlier item of the batch', async () => {
    const tap = await matchAndRecord(s.crm, payment({ card: wallet, paymentIntentId: 'pi_wallet_tap' }));
    await seedCustomers(s.crm, [{ id: 'cus_kim_batch', givenName: 'Kim', familyName: 'Park', email: 'kim.batch@example.com' }]);
    const results = await matchStepSettled([
      // Carries Kim's email and the wallet: the anonymous tap's customer is merged into Kim.
      payment({ email: 'kim.batch@example.com', card: wallet }),
      // The refund-like second event of the tap's payment, found by its payment id: it follows the merge.
      payment({ card: wallet, paymentIntentId: 'pi_wallet_tap' }),
      // Another tap of the wallet, decided on the index: it sees the merge too.
      payment({ card: wallet }),
    ], s.crm);
    const matches = results.map((r) => (r.ok ? r.value.match : undefined));
    assert.deepEqual(matches[0]?.merges?.map((m) => [m.from, m.into, m.auto]), [[tap.upsert.customerId, 'cus_kim_batch', true]]);
    assert.deepEqual(matches.map((m) => [m?.customerId, m?.matchedOn[0]]), [
      ['cus_kim_batch', matches[0]?.matchedOn[0]],
      ['cus_kim_batch', 'paymentId'],
      ['cus_kim_batch', 'cardToken'],
    ]);
  });

  it('sends a payment\'s later events in the batch where its first event goes, as they would go once it is recorded', async () => {
    // The first event makes a new customer; the second carries a stranger's email, yet it is the same payment.
    const first = payment({ email: 'split.payment@example.com', paymentIntentId: 'pi_split_batch' });
    const second = payment({ email: 'olga.abbott@example.org', paymentIntentId: 'pi_split_batch' });
    // A declined attempt makes nobody: the same PaymentIntent's success is decided on its own evidence.
    const declined = tokenize(normalizeStripeEvent(stripeEvent('payment_intent.payment_failed', paymentIntentObject({
      amount: 900, paymentIntentId: 'pi_retry_batch', email: 'retry.batch@example.com', failed: { code: 'card_declined', message: 'Declined' },
    }))), testKeys());
    const retried = payment({ email: 'olga.abbott@example.org', paymentIntentId: 'pi_retry_batch' });
    const results = await matchStepSettled([first, second, declined, retried], s.crm);
    const matches = results.map((r) => (r.ok ? r.value.match : undefined));
    assert.deepEqual(matches.map((m) => [m?.decision, m?.customerId, m?.matchedOn[0]]), [
      ['create', null, undefined],
      ['link', newCustomerId(first), 'paymentId'],
      ['create', null, undefined],
      ['link', 'cus_stranger_0_0', 'email'],
    ]);
  });

  it('makes one customer of one new person\'s different sales in a batch, as one sale at a time would, and records them so', async () => {
    const sales = [
      payment({ email: 'new.person@example.com', name: 'Nia Okafor', card: { fingerprint: 'fp_nia_visa', last4: '4242' } }),
      // Another sale, another card, the same email: found on the email the first sale gives them.
      payment({ email: 'new.person@example.com', phone: '+14155550123', card: { fingerprint: 'fp_nia_amex', last4: '0005' } }),
      // A third with only the phone the second sale brought: the customer made in the batch has it too.
      payment({ phone: '+14155550123', card: { fingerprint: 'fp_nia_debit', last4: '7777' } }),
      // The first sale's card with another person's email: a card is shared in households, so not linked.
      payment({ email: 'someone.else@example.com', card: { fingerprint: 'fp_nia_visa', last4: '4242' } }),
    ];
    const results = await matchStepSettled(sales, s.crm);
    const matches = results.map((r) => (r.ok ? r.value.match : undefined));
    const nia = newCustomerId(sales[0]!);
    assert.deepEqual(matches.map((m) => [m?.decision, m?.customerId, m?.matchedOn[0]]), [
      ['create', null, undefined],
      ['link', nia, 'email'],
      ['link', nia, 'phone'],
      ['create', null, undefined],
    ]);
    assert.match(matches[1]!.explanation, /made for an earlier payment of this batch/);

    const upserted = await upsertStep(results.map((r) => (r.ok ? r.value : undefined)), s.crm);
    assert.deepEqual(upserted.map((u) => [u.crm?.customerId, u.crm?.customerCreated]), [
      [nia, true], [nia, false], [nia, false], [newCustomerId(sales[3]!), true],
    ]);
    const totals = await s.db.all<{ payments: number; gross_minor: number }>('SELECT payments, gross_minor FROM customer_totals WHERE customer_id = ?', [nia]);
    assert.deepEqual(totals.map((t) => [Number(t.payments), Number(t.gross_minor)]), [[3, 3000]]);
    // Matched again one at a time against what was written, each sale goes where the batch sent it.
    for (const [i, sale] of sales.slice(1, 3).entries()) {
      const again = await matchStep({ ...sale, paymentId: `pi_again_${i}` }, s.crm);
      assert.equal(again.match?.customerId, nia);
    }
  });

  it('fails a bad item alone and matches the others; stops at it when the engine stops the run there', async () => {
    const items = [payment({ email: 'first.ok@example.com' }), { not: 'a payment' }, payment({ email: 'third.ok@example.com' })];
    const results = await matchStepSettled(items, s.crm);
    assert.deepEqual(results.map((r) => r.ok), [true, false, true]);
    assert.match(String(!results[1]!.ok && results[1]!.error.message), /Match Customer input/);
    const stopped = await matchStepSettled(items, s.crm, {}, { stopAtFirstError: true });
    assert.deepEqual(stopped.map((r) => r.ok), [true, false]);
  });

  it('gives every item the store\'s own error when the payment-id lookup fails', async () => {
    s.crm.findByKeys = async () => {
      throw new Error('connection to the store was lost');
    };
    const results = await matchStepSettled([payment({ email: 'a.lost@example.com' }), payment({ email: 'b.lost@example.com' })], s.crm);
    assert.deepEqual(results.map((r) => (r.ok ? 'ok' : r.error.message)), ['connection to the store was lost', 'connection to the store was lost']);
  });
});
