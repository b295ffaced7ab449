import type nockApi from 'nock' with { 'resolution-mode': 'import' };
import type Stripe from 'stripe';
import { cloverPayment } from '../../../sandbox/simulator/clover-events';
import { squarePaymentObject } from '../../../sandbox/simulator/square-events';
import { chargeObject, refundObject } from '../../../sandbox/simulator/stripe-terminal-events';
import { STRIPE_OFFLINE_GRACE_MS } from '../../../nodes/core/sources/history/stripe-charges';
import { SQUARE_OFFLINE_GRACE_MS } from '../../../nodes/core/sources/history/square-payments';
import { sumupTransaction } from '../../../sandbox/simulator/sumup-events';
import { zettlePurchasePayload } from '../../../sandbox/simulator/zettle-events';
import { MAIN_LOCATION, ONE_LOCATION, serveSquareLocations, type SquareSeller } from '../sources/square-locations-mock';

let loaded: typeof nockApi | undefined;
// nock 15 ships only as an ES module; Node 24 loads it with require(), which this CommonJS build uses. Loaded on
// first use: once loaded it hangs Node's http2, so a Temporal test starts its dev server first.
const lib = (): typeof nockApi => (loaded ??= (require('nock') as { default: typeof nockApi }).default);
export const nock = new Proxy(function unloaded() {} as unknown as typeof nockApi, {
  apply: (_target, _this, args: unknown[]) => (lib() as unknown as (...a: unknown[]) => unknown)(...args),
  get: (_target, name) => Reflect.get(lib(), name) as unknown,
});

export const SINCE = new Date('2026-01-01T00:00:00Z');
export const UNTIL = new Date('2026-02-01T00:00:00Z');
export const STRIPE_KEY = 'sk_test_backfill';
const at = (day: number, hour = 12) => new Date(Date.UTC(2026, 0, day, hour));
const secs = (d: Date) => Math.floor(d.getTime() / 1000);

/** Five card-present charges in January, newest first as Stripe lists them; the third was partly refunded. */
export function stripeCharges() {
  return [5, 4, 3, 2, 1].map((n) =>
    chargeObject({
      chargeId: `ch_3Backfill${n}AAAAAAAAAAAAAA`,
      paymentIntentId: `pi_3Backfill${n}AAAAAAAAAAAAAA`,
      amount: n * 1000,
      amountRefunded: n === 3 ? 500 : 0,
      currency: 'eur',
      created: secs(at(n * 5)),
      email: `regular${n % 2}@example.com`,
      card: n % 2 ? { fingerprint: 'fp_backfill_odd', last4: '4242', iin: '424242', expMonth: 4, expYear: 2030, brand: 'visa' } : { fingerprint: 'fp_backfill_even', last4: '0005', iin: '555555', expMonth: 9, expYear: 2031, brand: 'mastercard' },
    }),
  );
}

type Charge = ReturnType<typeof chargeObject>;

/**
 * GET /v1/charges as Stripe pages it (limit 2): `has_more` and `starting_after` the last id of the page before.
 * `times` serves each page that often (a resumed run reads the page it crashed on again), and the refunds of its
 * charges as often (serveStripeRefunds; `refunds` by charge id, else one refund that succeeded for amount_refunded).
 * `asked`: the charges whose refunds are asked for though they show none (the ledger counts a refund of them).
 */
export function serveStripeCharges(charges: Charge[] = stripeCharges(), times: Record<number, number> = {}, refunds: Record<string, Stripe.Refund[]> = {}, asked: readonly string[] = []) {
  const scope = nock('https://api.stripe.com', { reqheaders: { authorization: `Bearer ${STRIPE_KEY}` } });
  const base = { limit: '2', 'created[gte]': String(secs(SINCE)), 'created[lt]': String(stripeListedUntil(UNTIL)) };
  for (let i = 0, page = 0; i < charges.length; i += 2, page++) {
    const after = i === 0 ? {} : { starting_after: charges[i - 1]!.id };
    scope
      .get('/v1/charges')
      .query({ ...base, ...after })
      .times(times[page] ?? 1)
      .reply(200, { object: 'list', url: '/v1/charges', data: charges.slice(i, i + 2), has_more: i + 2 < charges.length });
    for (const charge of charges.slice(i, i + 2)) serveStripeRefunds(charge, refunds[charge.id], times[page] ?? 1, scope, asked.includes(charge.id));
  }
  return scope;
}

/** The created[lt] the Stripe lister asks for a window ending at `until`: its end plus the offline grace, in seconds. */
export const stripeListedUntil = (until: Date) => Math.ceil((until.getTime() + STRIPE_OFFLINE_GRACE_MS) / 1000);

/**
 * GET /v1/charges over `charges` as Stripe's list API answers any query of it: those with created[gte] <= created <
 * created[lt] (and, given `payment_intent`, of that PaymentIntent: ChargeListParams.payment_intent), newest first
 * (ties by id, descending), `limit` of them after `starting_after`, and `has_more`. Served as often as asked; `asked`
 * keeps each query. None of the charges may have anything refunded (no Refunds list here).
 */
export function serveStripeList(charges: Charge[], asked: Record<string, string>[] = []) {
  const sorted = [...charges].sort((a, b) => b.created - a.created || (a.id < b.id ? 1 : -1));
  return nock('https://api.stripe.com', { reqheaders: { authorization: `Bearer ${STRIPE_KEY}` } })
    .get('/v1/charges')
    .query(true)
    .reply((req: Request) => {
      const q = Object.fromEntries(new URL(req.url).searchParams);
      asked.push(q);
      const gte = Number(q['created[gte]'] ?? -Infinity);
      const lt = Number(q['created[lt]'] ?? Infinity);
      const inside = sorted.filter((c) => c.created >= gte && c.created < lt && (!q.payment_intent || c.payment_intent === q.payment_intent));
      const from = q.starting_after ? inside.findIndex((c) => c.id === q.starting_after) + 1 : 0;
      const limit = Number(q.limit ?? 10);
      return [200, { object: 'list', url: '/v1/charges', data: inside.slice(from, from + limit), has_more: from + limit < inside.length }];
    })
    .persist();
}

/** What a charge's refunds are when a test names none: one that succeeded, for all of amount_refunded, an hour on. */
export function refundsOf(charge: Charge): Stripe.Refund[] {
  if (charge.amount_refunded <= 0) return [];
  return [refundObject({ amount: charge.amount_refunded, currency: charge.currency, refundId: `re_${charge.id.slice(3)}`, chargeId: charge.id, paymentIntentId: charge.payment_intent, status: 'succeeded', created: charge.created + 3600 })];
}

/**
 * GET /v1/refunds?charge=… as Stripe pages it (newest first, limit 100, `starting_after` the last refund of the page
 * before), for what the listing does not carry: every refund of a charge listed without them and with something
 * refunded, or those past the ones it carries (`refunds` with has_more, as API versions before 2022-11-15 list it).
 * `asked`: a charge that shows nothing refunded whose refunds are asked for all the same (the ledger counts one).
 */
export function serveStripeRefunds(charge: Charge, refunds: Stripe.Refund[] = refundsOf(charge), times = 1, scope = nock('https://api.stripe.com', { reqheaders: { authorization: `Bearer ${STRIPE_KEY}` } }), asked = false) {
  const carried = charge.refunds;
  if (!asked && (carried ? !carried.has_more : charge.amount_refunded <= 0)) return scope;
  for (let i = carried?.data.length ?? 0; ; i += 100) {
    const after = i === 0 ? {} : { starting_after: refunds[i - 1]!.id };
    scope
      .get('/v1/refunds')
      .query({ charge: charge.id, limit: '100', ...after })
      .times(times)
      .reply(200, { object: 'list', url: '/v1/refunds', data: refunds.slice(i, i + 100), has_more: i + 100 < refunds.length });
    if (i + 100 >= refunds.length) return scope;
  }
}

/** A charge as API versions before 2022-11-15 list it: with its 10 most recent refunds, and whether more wait. */
export function withListedRefunds(charge: Charge, refunds: Stripe.Refund[]): Charge {
  return { ...charge, refunds: { object: 'list', url: `/v1/charges/${charge.id}/refunds`, data: refunds.slice(0, 10), has_more: refunds.length > 10 } };
}

export const SQUARE_TOKEN = 'EAAAl-backfill-token';
/**
 * ListLocations (a seller with one location, by default), then ListPayments by creation time, oldest first, paged
 * by Square's `cursor`: for that location, or unasked (the main one) when the token may not list locations.
 */
export function serveSquarePayments(seller: SquareSeller = ONE_LOCATION) {
  const payments = [1, 2, 3].map((n) => squarePaymentObject({ id: `SqBackfill${n}PaymentIdAAAAAAZY`, amount: n * 700, currency: 'USD', createdAt: at(n * 7).toISOString() }));
  const located = (seller.scopes ?? ['MERCHANT_PROFILE_READ']).includes('MERCHANT_PROFILE_READ') ? { location_id: MAIN_LOCATION } : {};
  const base = { begin_time: SINCE.toISOString(), end_time: squareListedUntil(UNTIL), sort_order: 'ASC', limit: '2', ...located };
  const scope = serveSquareLocations(nock('https://connect.squareup.com', { reqheaders: { authorization: `Bearer ${SQUARE_TOKEN}` } }), seller)
    .get('/v2/payments').query(base).reply(200, { payments: payments.slice(0, 2), cursor: 'sq-cursor-page-2' })
    .get('/v2/payments').query({ ...base, cursor: 'sq-cursor-page-2' }).reply(200, { payments: payments.slice(2) });
  return { scope, payments };
}

/** The end_time the Square lister asks for a window ending at `until`: its end plus the offline grace. */
export const squareListedUntil = (until: Date) => new Date(until.getTime() + SQUARE_OFFLINE_GRACE_MS).toISOString();

type SquarePayment = Record<string, unknown> & { id: string; created_at: string };
/**
 * ListPayments (GET /v2/payments) over `payments`, with one location (ListLocations answered as often as asked), as
 * Square's reference says it selects: `begin_time` <= created_at (inclusive) and created_at < `end_time`, sorted by
 * created_at as `sort_order` says, `limit` of them from the position `cursor` continues, and a `cursor` while more
 * wait; and GetPayment (GET /v2/payments/{payment_id}) of each, a 404 NOT_FOUND for another id. Served as often as
 * asked; `asked` keeps each query, `read` each payment id asked for by GetPayment.
 */
export function serveSquareList(payments: SquarePayment[], asked: Record<string, string>[] = [], read: string[] = []) {
  const scope = serveSquareLocations(nock('https://connect.squareup.com', { reqheaders: { authorization: `Bearer ${SQUARE_TOKEN}` } }).persist(), ONE_LOCATION);
  return scope
    .get(/^\/v2\/payments\/[^/?]+$/)
    .reply((req: Request) => {
      const id = decodeURIComponent(new URL(req.url).pathname.slice('/v2/payments/'.length));
      read.push(id);
      const payment = payments.find((p) => p.id === id);
      return payment ? [200, { payment }] : [404, { errors: [{ category: 'INVALID_REQUEST_ERROR', code: 'NOT_FOUND', detail: `Could not find payment with id: ${id}` }] }];
    })
    .get('/v2/payments')
    .query(true)
    .reply((req: Request) => {
      const q = Object.fromEntries(new URL(req.url).searchParams);
      asked.push(q);
      const begin = q.begin_time ? Date.parse(q.begin_time) : -Infinity;
      const end = q.end_time ? Date.parse(q.end_time) : Infinity;
      const inside = payments
        .filter((p) => Date.parse(p.created_at) >= begin && Date.parse(p.created_at) < end)
        .sort((a, b) => (Date.parse(a.created_at) - Date.parse(b.created_at)) * (q.sort_order === 'ASC' ? 1 : -1));
      const from = q.cursor ? Number(q.cursor.slice('sq-list-'.length)) : 0;
      const limit = Number(q.limit ?? 100);
      const more = from + limit < inside.length;
      return [200, { payments: inside.slice(from, from + limit), ...(more ? { cursor: `sq-list-${from + limit}` } : {}) }];
    });
}

export const ZETTLE_TOKEN = 'zettle-backfill-token';
/** GET /purchases/v2 oldest first, paged by lastPurchaseHash until an empty page; the last purchase is after the window. */
export function serveZettlePurchases() {
  const purchases = [3, 9, 40].map((d, i) => {
    const p = zettlePurchasePayload('chip', { amount: (i + 1) * 900, currency: 'SEK', at: d === 40 ? new Date('2026-02-09T12:00:00Z') : at(d) });
    return p;
  });
  const base = { startDate: SINCE.toISOString(), limit: '2', descending: 'false' };
  const scope = nock('https://purchase.izettle.com', { reqheaders: { authorization: `Bearer ${ZETTLE_TOKEN}` } })
    .get('/purchases/v2').query(base).reply(200, { purchases: purchases.slice(0, 2), firstPurchaseHash: 'h0', lastPurchaseHash: 'hash-2' })
    .get('/purchases/v2').query({ limit: base.limit, descending: base.descending, lastPurchaseHash: 'hash-2' }).reply(200, { purchases: purchases.slice(2), firstPurchaseHash: 'hash-3', lastPurchaseHash: 'hash-3' });
  return { scope, purchases };
}

export const CLOVER_MID = 'SJ925JDCKKTJJ';
export const CLOVER_TOKEN = 'clover-backfill-token';
/** GET /v3/merchants/{mId}/payments by modifiedTime with limit/offset paging, oldest change first. */
export function serveCloverPayments() {
  const payments = [4, 11, 18].map((d, i) => cloverPayment('chip', { paymentId: `CLVBACKFILL${i}X`, amount: (i + 1) * 450, currency: 'USD', merchantId: CLOVER_MID, at: at(d) }));
  const modified = (p: Record<string, unknown>) => p.modifiedTime as number;
  const expand = 'cardTransaction,tender,refunds,order';
  const scope = nock('https://api.clover.com', { reqheaders: { authorization: `Bearer ${CLOVER_TOKEN}` } })
    .get(`/v3/merchants/${CLOVER_MID}/payments`).query({ filter: `modifiedTime>=${SINCE.getTime()}`, orderBy: 'modifiedTime ASC', limit: '2', expand }).reply(200, { elements: payments.slice(0, 2) })
    .get(`/v3/merchants/${CLOVER_MID}/payments`).query({ filter: `modifiedTime>=${modified(payments[1]!)}`, orderBy: 'modifiedTime ASC', limit: '2', offset: '1', expand }).reply(200, { elements: payments.slice(2) });
  return { scope, payments };
}

export const SUMUP_MERCHANT = 'MH4H92C7';
export const SUMUP_TOKEN = 'sup_sk_backfill_token';
/**
 * GET /v2.1/merchants/{code}/transactions/history by changes_since, ascending, paged by the `next` link's
 * oldest_ref; each listed transaction read in full from /transactions?id=. A December sale changed since (listed,
 * outside the window) and two January sales, one partly refunded.
 */
export function serveSumUpHistory(
  transactions: Record<string, unknown>[] = [
    sumupTransaction('chip', { amount: '12.50', at: at(-20) }),
    sumupTransaction('contactless', { amount: '30.00', at: at(6) }),
    sumupTransaction('partial_refund', { amount: '40.00', refundAmount: '15.00', at: at(12) }),
  ],
) {
  const item = (t: Record<string, unknown>) => ({
    transaction_id: t.id, transaction_code: t.transaction_code, amount: t.amount, currency: t.currency, timestamp: t.timestamp, status: t.status,
    payment_type: 'POS', type: 'PAYMENT', merchant_code: SUMUP_MERCHANT, refunded_amount: 0,
  });
  const history = `/v2.1/merchants/${SUMUP_MERCHANT}/transactions/history`;
  const base = { order: 'ascending', limit: '2', 'payment_types[]': 'POS', changes_since: SINCE.toISOString() };
  const scope = nock('https://api.sumup.com', { reqheaders: { authorization: `Bearer ${SUMUP_TOKEN}` } })
    .get(history).query(base)
    .reply(200, { items: transactions.slice(0, 2).map(item), links: [{ rel: 'next', href: `limit=2&oldest_ref=${transactions[1]!.id}&order=ascending` }] })
    .get(history).query({ ...base, oldest_ref: transactions[1]!.id as string })
    .reply(200, { items: transactions.slice(2).map(item), links: [] });
  for (const t of transactions) scope.get(`/v2.1/merchants/${SUMUP_MERCHANT}/transactions`).query({ id: t.id as string }).reply(200, t);
  return { scope, transactions };
}

/**
 * The one page (its limit the items' number) of SumUp's transaction history holding `items` as given (TransactionHistory: a PAYMENT, REFUND or
 * CHARGE_BACK naming its transaction by transaction_id), each named transaction read from `reads`, else 404.
 */
export function serveSumUpPage(items: Record<string, unknown>[], reads: Record<string, unknown>[]) {
  const scope = nock('https://api.sumup.com', { reqheaders: { authorization: `Bearer ${SUMUP_TOKEN}` } })
    .get(`/v2.1/merchants/${SUMUP_MERCHANT}/transactions/history`)
    .query({ order: 'ascending', limit: String(items.length), 'payment_types[]': 'POS', changes_since: SINCE.toISOString() })
    .reply(200, { items, links: [] });
  for (const id of new Set(items.map((i) => i.transaction_id as string))) {
    const read = reads.find((t) => t.id === id);
    scope.get(`/v2.1/merchants/${SUMUP_MERCHANT}/transactions`).query({ id }).reply(read ? 200 : 404, read ?? { error_code: 'NOT_FOUND', message: 'Resource not found' });
  }
  return scope;
}

/** A TransactionHistory item of `type` for a transaction as SumUp's transactions API returns it. */
export function sumupHistoryItem(t: Record<string, unknown>, type: 'PAYMENT' | 'REFUND' | 'CHARGE_BACK' = 'PAYMENT') {
  return {
    transaction_id: t.id, transaction_code: t.transaction_code, amount: t.amount, currency: t.currency, timestamp: t.timestamp, status: t.status,
    payment_type: 'POS', type, merchant_code: SUMUP_MERCHANT, refunded_amount: 0,
  };
}
