import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { axiosTransport } from '../../../../nodes/core/http/axios-transport';
import type { HistoryContext } from '../../../../nodes/core/sources/history';
import { stripeChargeHistory } from '../../../../nodes/core/sources/history/stripe-charges';
import { StripeUnavailableError } from '../../../../nodes/core/sources/stripe-list';
import { refundObject } from '../../../../sandbox/simulator/stripe-terminal-events';
import { nock, SINCE, STRIPE_KEY, stripeCharges, UNTIL } from '../../backfill/history-mocks';
import { nockOffline } from '../../../support/nock-offline';

/**
 * The Stripe history lister on its own, with the store seen through a LedgerView: which charges it asks the store
 * about, and which refunds it then reads.
 */
describe('Stripe charge history: a charge that shows nothing refunded where the ledger counts a refund', () => {
  nockOffline();

  const stripe = () => nock('https://api.stripe.com', { reqheaders: { authorization: `Bearer ${STRIPE_KEY}` } });
  const window = { cursor: null, since: SINCE, until: UNTIL, limit: 10 };
  const secs = (d: Date) => Math.floor(d.getTime() / 1000);
  const chargesQuery = { limit: '10', 'created[gte]': String(secs(SINCE)), 'created[lt]': String(secs(UNTIL)) };
  // Charge 3 had 5.00 refunded that stands; the others show nothing refunded.
  const charges = stripeCharges();
  const [c5, c4, c3, c2, c1] = charges;
  /** A store that counts a refund for charge 1's payment (its refunds failed since) and charge 3's; asked ids kept. */
  const ledger = (asked: string[][]): HistoryContext['ledger'] => ({
    refunded: async (ids) => {
      asked.push([...ids]);
      return new Set([c1!.payment_intent, c3!.payment_intent].filter((id) => ids.includes(id)));
    },
  });
  const ctx = (asked: string[][]): HistoryContext => ({ http: axiosTransport(), now: () => UNTIL, ledger: ledger(asked) });
  const failedRefunds = (n: number) =>
    Array.from({ length: n }, (_, i) => refundObject({ amount: 10, status: 'failed', currency: 'eur', refundId: `re_failed1R${String(i).padStart(3, '0')}`, chargeId: c1!.id, paymentIntentId: c1!.payment_intent, created: c1!.created + 60 * (n - i) }));

  it('asks the store once for the page, about the charges with nothing refunded only, and reads every page of the refunds of the one it counts', async () => {
    // 101 refunds of 0.10 each, all failed since: two pages of the Refunds list (100, then 1 after the 100th).
    const refunds = failedRefunds(101);
    const charged = charges.map((c) => (c === c1 ? { ...c, amount_refunded: 0, refunded: false } : c));
    const api = stripe()
      .get('/v1/charges').query(chargesQuery).reply(200, { object: 'list', url: '/v1/charges', data: charged, has_more: false })
      // Charge 3's refunds are read as ever (it has 5.00 refunded); charge 1's because the store counts one.
      .get('/v1/refunds').query({ charge: c3!.id, limit: '100' })
      .reply(200, { object: 'list', url: '/v1/refunds', data: [refundObject({ amount: 500, currency: 'eur', refundId: 're_stands3', chargeId: c3!.id, paymentIntentId: c3!.payment_intent, status: 'succeeded' })], has_more: false })
      .get('/v1/refunds').query({ charge: c1!.id, limit: '100' }).reply(200, { object: 'list', url: '/v1/refunds', data: refunds.slice(0, 100), has_more: true })
      .get('/v1/refunds').query({ charge: c1!.id, limit: '100', starting_after: refunds[99]!.id }).reply(200, { object: 'list', url: '/v1/refunds', data: refunds.slice(100), has_more: false });
    const asked: string[][] = [];
    const page = await stripeChargeHistory.list({ secretKey: STRIPE_KEY }, window, ctx(asked));
    assert.ok(api.isDone(), `not requested: ${api.pendingMocks().join(', ')}`);
    assert.deepEqual(asked, [[c5, c4, c2, c1].map((c) => c!.payment_intent)], 'one question, about the four charges with nothing refunded');
    const ofC1 = page.events.filter((e) => e.paymentId === c1!.payment_intent);
    // The sale, the running total the refunds listed (1.01, failed ones included) and each failed refund reversed.
    assert.deepEqual(ofC1.map((e) => e.id).slice(0, 2), [`stripe:charge:${c1!.id}:succeeded`, `stripe:charge:${c1!.id}:refunded:1010`]);
    assert.deepEqual(ofC1.slice(2).map((e) => [e.id, e.refund?.reversed, e.amount.minor]), refunds.map((r) => [`stripe:refund:${r.id}:failed`, true, 10]));
    // Charges 2, 4 and 5 are their sales alone.
    assert.deepEqual(page.events.filter((e) => [c2, c4, c5].some((c) => c!.payment_intent === e.paymentId)).map((e) => e.kind), ['payment', 'payment', 'payment']);
  });

  it('without a store, and for a store that counts nothing refunded, no refunds are read but charge 3\'s', async () => {
    for (const context of [{ http: axiosTransport(), now: () => UNTIL }, { http: axiosTransport(), now: () => UNTIL, ledger: { refunded: async () => new Set<string>() } }] satisfies HistoryContext[]) {
      const api = stripe()
        .get('/v1/charges').query(chargesQuery).reply(200, { object: 'list', url: '/v1/charges', data: charges, has_more: false })
        .get('/v1/refunds').query({ charge: c3!.id, limit: '100' }).reply(200, { object: 'list', url: '/v1/refunds', data: [], has_more: false });
      const page = await stripeChargeHistory.list({ secretKey: STRIPE_KEY }, window, context);
      assert.ok(api.isDone(), `not requested: ${api.pendingMocks().join(', ')}`);
      assert.equal(page.events.filter((e) => e.kind === 'payment').length, 5);
    }
  });

  it('Stripe refusing the extra read (429) is a retry, as any of its answers to the Refunds list', async () => {
    const charged = charges.map((c) => (c === c3 ? { ...c, amount_refunded: 0, refunded: false } : c));
    stripe()
      .get('/v1/charges').query(chargesQuery).reply(200, { object: 'list', url: '/v1/charges', data: charged, has_more: false })
      .get('/v1/refunds').query({ charge: c3!.id, limit: '100' }).reply(429, { error: { type: 'invalid_request_error', code: 'rate_limit', message: 'Too many requests' } });
    await assert.rejects(stripeChargeHistory.list({ secretKey: STRIPE_KEY }, window, ctx([])), (e) => e instanceof StripeUnavailableError && /429 to GET \/v1\/refunds \(rate_limit/.test(e.message));
  });
});
