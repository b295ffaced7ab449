import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { axiosTransport } from '../../../../nodes/core/http/axios-transport';
import type { HistoryContext } from '../../../../nodes/core/sources/history';
import { STRIPE_HISTORY_API_VERSION, STRIPE_OFFLINE_GRACE_MS, stripeChargeHistory } from '../../../../nodes/core/sources/history/stripe-charges';
import { StripeUnavailableError } from '../../../../nodes/core/sources/stripe-list';
import { chargeObject, refundObject } from '../../../../sandbox/simulator/stripe-terminal-events';
import { nock, serveStripeList, SINCE, STRIPE_KEY, stripeCharges, stripeListedUntil, UNTIL } from '../../backfill/history-mocks';
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
  const chargesQuery = { limit: '10', 'created[gte]': String(secs(SINCE)), 'created[lt]': String(stripeListedUntil(UNTIL)) };
  // Charge 3 had 5.00 refunded that stands; the others show nothing refunded.
  const charges = stripeCharges();
  const [c5, c4, c3, c2, c1] = charges;
  /** A store that counts a refund for charge 1's payment (its refunds failed since) and charge 3's; asked ids kept. */
  const ledger = (asked: string[][]): HistoryContext['ledger'] => ({
    refunded: async (ids) => {
      asked.push([...ids]);
      return new Set([c1!.payment_intent, c3!.payment_intent].filter((id) => ids.includes(id)));
    },
    sales: async () => new Map(),
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
    for (const context of [{ http: axiosTransport(), now: () => UNTIL }, { http: axiosTransport(), now: () => UNTIL, ledger: { refunded: async () => new Set<string>(), sales: async () => new Map() } }] satisfies HistoryContext[]) {
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

  // The API version charges are read at.
  const ACCOUNT_DEFAULT = '2024-06-20';
  // 50.00 authorized at the counter, 30.00 captured: the 20.00 released is no refund on any version.
  const partial = chargeObject({ chargeId: 'ch_3PartialCapAAAAAAAAAAAAA', paymentIntentId: 'pi_3PartialCapAAAAAAAAAAAAA', amount: 5000, amountCaptured: 3000, currency: 'eur', created: secs(SINCE) + 60 });
  const released = refundObject({ amount: 2000, status: 'succeeded', currency: 'eur', refundId: 're_3PartialCapRelease', chargeId: partial.id, paymentIntentId: partial.payment_intent, created: partial.created + 10 });

  /**
   * Stripe renders an object at the version the request names (Stripe-Version), else at the account's default: before
   * 2025-03-31.basil a partial capture's released rest is a refund inside the charge ("Changes to balance transaction
   * behavior for partial capture …"), from basil on it is not.
   */
  function serveAtRequestedVersion(versions: string[]) {
    const auth = `Bearer ${STRIPE_KEY}`;
    const answer = (charge: typeof partial) => ({ object: 'list', url: '/v1/charges', data: [charge], has_more: false });
    nock('https://api.stripe.com', { reqheaders: { authorization: auth, 'stripe-version': (v: string | null) => v !== null && versions.push(v) > 0 && v.slice(0, 10) >= '2025-03-31' } })
      .get('/v1/charges').query(chargesQuery).optionally().reply(200, answer(partial));
    nock('https://api.stripe.com', { reqheaders: { authorization: auth }, badheaders: ['stripe-version'] })
      .get('/v1/charges').query(chargesQuery).optionally().reply(() => (versions.push(ACCOUNT_DEFAULT), [200, answer({ ...partial, amount_refunded: 2000 })]))
      .get('/v1/refunds').query({ charge: partial.id, limit: '100' }).optionally()
      .reply(200, { object: 'list', url: '/v1/refunds', data: [released], has_more: false });
  }

  it('keeps a sale the reader stored offline before the window in a backfill of the window its charge was created in (what Stripe lists it by), dated when it was stored; reconciliation leaves it to the window it was stored in', async () => {
    // Stored on 31 December, forwarded (and so created) on 1 January: Stripe lists it for January.
    const storedAt = secs(SINCE) - 6 * 3600;
    const offline = chargeObject({ chargeId: 'ch_3OfflineAAAAAAAAAAAAAAAA', paymentIntentId: 'pi_3OfflineAAAAAAAAAAAAAAAA', amount: 4200, currency: 'eur', created: secs(SINCE) + 600, card: { offlineStoredAt: storedAt } });
    stripe().get('/v1/charges').query(chargesQuery).times(2).reply(200, { object: 'list', url: '/v1/charges', data: [offline], has_more: false });
    const page = await stripeChargeHistory.list({ secretKey: STRIPE_KEY }, window, { http: axiosTransport(), now: () => UNTIL });
    assert.deepEqual(page.events.map((e) => [e.kind, e.paymentId, e.occurredAt, e.storedOffline]), [['payment', offline.payment_intent, new Date(storedAt * 1000).toISOString(), true]]);
    const reconciled = await stripeChargeHistory.list({ secretKey: STRIPE_KEY }, { ...window, onePeriod: true }, { http: axiosTransport(), now: () => UNTIL });
    assert.deepEqual(reconciled.events, []);
  });

  it('lists the grace past the window\'s end, and keeps a sale stored offline inside the window and forwarded after it ended, not one made after it', async () => {
    // Stored on 31 January at 23:00, forwarded on 1 February at 01:00; an online sale on 1 February at 02:00.
    const storedAt = secs(UNTIL) - 3600;
    const offline = chargeObject({ chargeId: 'ch_3OfflineBBBBBBBBBBBBBBBB', paymentIntentId: 'pi_3OfflineBBBBBBBBBBBBBBBB', amount: 4200, currency: 'eur', created: secs(UNTIL) + 3600, card: { offlineStoredAt: storedAt } });
    const after = chargeObject({ chargeId: 'ch_3FebruaryCCCCCCCCCCCCCCC', paymentIntentId: 'pi_3FebruaryCCCCCCCCCCCCCCC', amount: 900, currency: 'eur', created: secs(UNTIL) + 7200 });
    stripe().get('/v1/charges').query(chargesQuery).times(2).reply(200, { object: 'list', url: '/v1/charges', data: [after, offline], has_more: false });
    for (const onePeriod of [false, true]) {
      const page = await stripeChargeHistory.list({ secretKey: STRIPE_KEY }, { ...window, onePeriod }, { http: axiosTransport(), now: () => UNTIL });
      assert.deepEqual(page.events.map((e) => [e.kind, e.paymentId, e.occurredAt]), [['payment', offline.payment_intent, new Date(storedAt * 1000).toISOString()]], `onePeriod ${onePeriod}`);
    }
  });

  it('dates a charge\'s running total of refunds when its latest refund was made, as the webhook\'s charge.refunded is, not at the sale', async () => {
    // Sold on 2 January; 10.00 refunded on the 4th, 20.00 on the 7th; a refund canceled on the 11th gave nothing back.
    const sold = secs(SINCE) + 86400;
    const charge = chargeObject({ chargeId: 'ch_3RefundTimeAAAAAAAAAAAAA', paymentIntentId: 'pi_3RefundTimeAAAAAAAAAAAAA', amount: 5000, amountRefunded: 3000, currency: 'eur', created: sold });
    const refund = (amount: number, days: number, status: 'succeeded' | 'canceled', n: number) =>
      refundObject({ amount, status, currency: 'eur', refundId: `re_3RefundTime${n}AAAAAAAAAAAA`, chargeId: charge.id, paymentIntentId: charge.payment_intent, created: sold + days * 86400 });
    const api = stripe()
      .get('/v1/charges').query(chargesQuery).reply(200, { object: 'list', url: '/v1/charges', data: [charge], has_more: false })
      .get('/v1/refunds').query({ charge: charge.id, limit: '100' })
      .reply(200, { object: 'list', url: '/v1/refunds', data: [refund(700, 9, 'canceled', 3), refund(2000, 5, 'succeeded', 2), refund(1000, 2, 'succeeded', 1)], has_more: false });
    const page = await stripeChargeHistory.list({ secretKey: STRIPE_KEY }, window, { http: axiosTransport(), now: () => UNTIL });
    assert.ok(api.isDone(), `not requested: ${api.pendingMocks().join(', ')}`);
    assert.deepEqual(page.events.map((e) => [e.id, e.kind, e.refundedTotal?.minor, e.occurredAt]), [
      [`stripe:charge:${charge.id}:succeeded`, 'payment', undefined, new Date(sold * 1000).toISOString()],
      [`stripe:charge:${charge.id}:refunded:3000`, 'refund', 3000, new Date((sold + 5 * 86400) * 1000).toISOString()],
    ]);
  });

  it('reads no refunds of a charge of the grace past the window that belongs to a later window', async () => {
    // A sale on 1 February at 02:00, refunded since: January's listing brings it through the grace, and drops it.
    const after = chargeObject({ chargeId: 'ch_3FebruaryEEEEEEEEEEEEEEE', paymentIntentId: 'pi_3FebruaryEEEEEEEEEEEEEEE', amount: 900, amountRefunded: 900, currency: 'eur', created: secs(UNTIL) + 7200 });
    // nockOffline refuses any request not mocked here: reading its refunds (GET /v1/refunds) would fail the test.
    const scope = stripe().get('/v1/charges').query(chargesQuery).reply(200, { object: 'list', url: '/v1/charges', data: [after], has_more: false });
    const page = await stripeChargeHistory.list({ secretKey: STRIPE_KEY }, window, { http: axiosTransport(), now: () => UNTIL });
    assert.ok(scope.isDone());
    assert.deepEqual(page.events, []);
  });

  it('a sale forwarded the grace or more after it was stored belongs to the window it was forwarded in, which lists it, in reconciliation too', async () => {
    const storedAt = secs(SINCE) - STRIPE_OFFLINE_GRACE_MS / 1000;
    const late = chargeObject({ chargeId: 'ch_3LateDDDDDDDDDDDDDDDDDDD', paymentIntentId: 'pi_3LateDDDDDDDDDDDDDDDDDDD', amount: 4200, currency: 'eur', created: secs(SINCE), card: { offlineStoredAt: storedAt } });
    stripe().get('/v1/charges').query(chargesQuery).reply(200, { object: 'list', url: '/v1/charges', data: [late], has_more: false });
    const page = await stripeChargeHistory.list({ secretKey: STRIPE_KEY }, { ...window, onePeriod: true }, { http: axiosTransport(), now: () => UNTIL });
    assert.deepEqual(page.events.map((e) => [e.kind, e.paymentId, e.occurredAt]), [['payment', late.payment_intent, new Date(storedAt * 1000).toISOString()]]);
  });

  it('looks payments up by id, whatever window lists them: a PaymentIntent\'s charges by the Charges list filtered by it, a charge without one by its id; one Stripe does not know has no events', async () => {
    const late = chargeObject({ chargeId: 'ch_3LookUpLateAAAAAAAAAAAAA', paymentIntentId: 'pi_3LookUpLateAAAAAAAAAAAAA', amount: 4200, currency: 'eur', created: secs(UNTIL) + 5 * 86400, card: { offlineStoredAt: secs(SINCE) + 3600 } });
    const legacy = { ...chargeObject({ chargeId: 'ch_3LookUpLegacyAAAAAAAAAAA', amount: 900, currency: 'eur', created: secs(SINCE) + 7200 }), payment_intent: null };
    const missing = 'pi_3LookUpOtherAccountAAAAA';
    const api = stripe()
      .get('/v1/charges').query({ payment_intent: late.payment_intent, limit: '100' }).reply(200, { object: 'list', url: '/v1/charges', data: [late], has_more: false })
      .get(`/v1/charges/${legacy.id}`).reply(200, legacy)
      .get('/v1/charges').query({ payment_intent: missing, limit: '100' })
      .reply(404, { error: { type: 'invalid_request_error', code: 'resource_missing', param: 'payment_intent', message: `No such payment_intent: '${missing}'` } });
    const found = await stripeChargeHistory.lookUp!({ secretKey: STRIPE_KEY }, [late.payment_intent, legacy.id, missing], { http: axiosTransport(), now: () => UNTIL });
    assert.ok(api.isDone(), `not requested: ${api.pendingMocks().join(', ')}`);
    assert.deepEqual(found.events.map((e) => [e.kind, e.paymentId, e.occurredAt, e.amount.minor]), [
      ['payment', late.payment_intent, new Date((secs(SINCE) + 3600) * 1000).toISOString(), 4200],
      ['payment', legacy.id, new Date((secs(SINCE) + 7200) * 1000).toISOString(), 900],
    ]);
  });

  it('whatever the delay between storing and forwarding, exactly one day\'s reconciliation lists a sale, and backfill keeps it in that day', async () => {
    const day = (d: number) => ({ since: new Date(Date.UTC(2026, 0, d)), until: new Date(Date.UTC(2026, 0, d + 1)) });
    // Stored at 23:59 on 10 January; Stripe creates the charge `delay` later.
    const stored = secs(new Date(Date.UTC(2026, 0, 10, 23, 59)));
    const grace = STRIPE_OFFLINE_GRACE_MS / 1000;
    const delays = [0, 1, 60, grace - 1, grace, grace + 1, 4 * grace];
    const charges = delays.map((delay, i) => chargeObject({ chargeId: `ch_3Delay${i}AAAAAAAAAAAAAAAAA`, paymentIntentId: `pi_3Delay${i}AAAAAAAAAAAAAAAAA`, amount: 4200, currency: 'eur', created: stored + delay, card: { offlineStoredAt: stored } }));
    const api = serveStripeList(charges);
    const listedBy = new Map<string, number[]>(charges.map((c) => [c.payment_intent, []]));
    const backfilledBy = new Map<string, number[]>(charges.map((c) => [c.payment_intent, []]));
    for (let d = 9; d <= 23; d++) {
      for (const onePeriod of [true, false]) {
        const page = await stripeChargeHistory.list({ secretKey: STRIPE_KEY }, { cursor: null, ...day(d), limit: 100, onePeriod }, { http: axiosTransport(), now: () => UNTIL });
        for (const e of page.events) (onePeriod ? listedBy : backfilledBy).get(e.paymentId)!.push(d);
      }
    }
    api.persist(false);
    // Forwarded within the grace: the day it was stored (10); else the day Stripe created the charge.
    const expected = charges.map((c, i) => [c.payment_intent, [delays[i]! < grace ? 10 : new Date(c.created * 1000).getUTCDate()]]);
    assert.deepEqual([...listedBy], expected);
    for (const [id, [d]] of expected as [string, number[]][]) assert.ok(backfilledBy.get(id)!.includes(d!), `${id}: ${backfilledBy.get(id)!.join(', ')}`);
  });

  it('reads at the version stripe-node is written for, so an account on an older default records a partial capture as a 30.00 sale, not a refund', async () => {
    const versions: string[] = [];
    serveAtRequestedVersion(versions);
    const page = await stripeChargeHistory.list({ secretKey: STRIPE_KEY }, window, { http: axiosTransport(), now: () => UNTIL });
    assert.deepEqual(page.events.map((e) => [e.kind, e.amount.minor]), [['payment', 3000]]);
    assert.deepEqual(versions, [STRIPE_HISTORY_API_VERSION]);
    assert.ok(STRIPE_HISTORY_API_VERSION.slice(0, 10) >= '2025-03-31', STRIPE_HISTORY_API_VERSION);
  });
});
