import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { MatchKey } from '../../../nodes/core/contracts/customer';
import type { CustomerChangePage } from '../../../nodes/core/match/match-record';
import { matchStepSettled } from '../../../nodes/core/steps/match-settled';
import { newCustomerId } from '../../../nodes/core/match/new-customer';
import { normalizeStripeEvent } from '../../../nodes/core/sources/stripe-terminal';
import { matchStep } from '../../../nodes/core/steps/steps';
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
