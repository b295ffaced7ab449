import assert from 'node:assert/strict';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import { backfillCursorName, readBackfillState, runBackfill, type BackfillOptions } from '../../../nodes/core/backfill';
import { axiosTransport } from '../../../nodes/core/http/axios-transport';
import { paymentState } from '../../../nodes/core/ledger/read-payments';
import type { SqlDatabase } from '../../../nodes/core/store/sql-database';
import { refundObject } from '../../../sandbox/simulator/stripe-terminal-events';
import { sumupTransaction } from '../../../sandbox/simulator/sumup-events';
import { crashingAtCommit } from '../../support/crashing-store';
import { testKeys } from '../../support/temp-store';
import { dialectStores, type DialectStore } from '../match/store-dialects';
import {
  refundsOf as refundsOfDefault, stripeCharges, CLOVER_MID, serveStripeList, CLOVER_TOKEN, nock, serveCloverPayments, serveSquarePayments, serveStripeCharges, serveStripeRefunds, serveSumUpHistory, serveSumUpPage, serveZettlePurchases, sumupHistoryItem, SINCE, SQUARE_TOKEN, STRIPE_KEY, SUMUP_MERCHANT, SUMUP_TOKEN, UNTIL, withListedRefunds, ZETTLE_TOKEN,
} from './history-mocks';

/** The same scenarios on the SQLite file and on PostgreSQL, to one outcome. */
const stores = dialectStores('tcrm-backfill');
// nock stays active through both dialects' runs; restored once, when the file is done.
after(() => nock.restore());

async function ledger(db: SqlDatabase, source: string) {
  const rows = await db.all<{ payment_id: string; gross_minor: number; customer_id: string | null }>(
    'SELECT payment_id, gross_minor, customer_id FROM ledger_payments WHERE source = ? ORDER BY payment_id',
    [source],
  );
  // What the ledger counts as refunded, by its own rules (a cumulative total or refunds by their ids).
  const payments = await Promise.all(rows.map(async (r) => ({ ...r, refunded_minor: (await paymentState(db, source, r.payment_id))!.refundedMinor })));
  const counted = await db.all<{ payment_id: string; n: number }>('SELECT payment_id, SUM(payments) AS n FROM ledger_events WHERE source = ? GROUP BY payment_id ORDER BY payment_id', [source]);
  const sales = await db.all<{ payment_id: string; n: number }>("SELECT payment_id, COUNT(*) AS n FROM transactions WHERE source = ? AND kind = 'payment' GROUP BY payment_id ORDER BY payment_id", [source]);
  return { payments, counted: counted.map((r) => Number(r.n)), sales: sales.map((r) => Number(r.n)) };
}

for (const store of stores) describe(`backfill of processor history on ${store.dialect}`, () => {
  let s: DialectStore;
  beforeEach(async () => {
    nock.disableNetConnect();
    s = await store.open();
  });
  afterEach(async () => {
    nock.cleanAll();
    nock.enableNetConnect();
    await s.remove();
  });

  const options = (o: Partial<BackfillOptions> & Pick<BackfillOptions, 'source' | 'credentials'>): BackfillOptions => ({
    store: s.db, keys: testKeys(), defaultRegion: 'GB', since: SINCE, until: UNTIL, limit: 2, http: axiosTransport(), ...o,
  });

  it('Stripe: pages charges by has_more/starting_after; killed mid-page it resumes from the stored cursor and every payment is in the ledger once', async () => {
    // Page 2 (charges 3 and 2) is read twice: once by the run killed while writing it, once by the resumed run.
    const api = serveStripeCharges(undefined, { 1: 2 });
    const stripe = { source: 'stripe', credentials: { secretKey: STRIPE_KEY } };
    // One event per batch, each one transaction (its customer and its ledger entry): page 1 takes two, page 2's
    // sale of charge 3 the third, and its refund's write (the 4th) is where the process "dies".
    await assert.rejects(runBackfill(options({ ...stripe, store: crashingAtCommit(s.db, 4, 'killed mid-page'), batchSize: 1 })), /killed mid-page/);
    const half = await ledger(s.db, 'stripe');
    assert.deepEqual(half.payments.map((p) => [p.payment_id, p.refunded_minor]), [
      ['pi_3Backfill3AAAAAAAAAAAAAA', 0],
      ['pi_3Backfill4AAAAAAAAAAAAAA', 0],
      ['pi_3Backfill5AAAAAAAAAAAAAA', 0],
    ], 'the crash was not in the middle of page 2');
    const stopped = await readBackfillState(s.db, backfillCursorName('stripe', SINCE, UNTIL));
    assert.equal(stopped?.pages, 1);
    assert.equal(stopped?.cursor, 'ch_3Backfill4AAAAAAAAAAAAAA');
    assert.equal(stopped?.done, false);

    const seen: number[] = [];
    const done = await runBackfill(options(stripe), { onProgress: (p) => seen.push(p.fraction) });
    assert.ok(api.isDone(), `not requested: ${api.pendingMocks().join(', ')}`);
    assert.equal(done.done, true);
    assert.equal(done.pages, 3);
    assert.equal(done.fraction, 1);
    assert.ok(seen.every((f, i) => i === 0 || f >= seen[i - 1]!), `progress went backwards: ${seen.join(', ')}`);

    const l = await ledger(s.db, 'stripe');
    assert.deepEqual(l.payments.map((p) => [p.payment_id, p.gross_minor, p.refunded_minor]), [
      ['pi_3Backfill1AAAAAAAAAAAAAA', 1000, 0],
      ['pi_3Backfill2AAAAAAAAAAAAAA', 2000, 0],
      ['pi_3Backfill3AAAAAAAAAAAAAA', 3000, 500],
      ['pi_3Backfill4AAAAAAAAAAAAAA', 4000, 0],
      ['pi_3Backfill5AAAAAAAAAAAAAA', 5000, 0],
    ]);
    assert.deepEqual(l.counted, [1, 1, 1, 1, 1], 'a payment was counted twice');
    assert.deepEqual(l.sales, [1, 1, 1, 1, 1], 'a sale row was written twice');
    // Two cardholders: the odd charges share an email and a card, so do the even ones.
    assert.equal(new Set(l.payments.map((p) => p.customer_id)).size, 2);
    const totals = await s.db.all<{ payments: number; gross_minor: number; refunded_minor: number }>('SELECT payments, gross_minor, refunded_minor FROM customer_totals ORDER BY gross_minor');
    assert.deepEqual(totals.map((t) => [Number(t.payments), Number(t.gross_minor), Number(t.refunded_minor)]), [[2, 6000, 0], [3, 9000, 500]]);
  });

  it('a second run of a finished backfill lists nothing; --restart lists again and finds every event a duplicate', async () => {
    serveStripeCharges();
    const stripe = options({ source: 'stripe', credentials: { secretKey: STRIPE_KEY } });
    const first = await runBackfill(stripe);
    assert.equal(first.recorded, 6);
    const again = await runBackfill(stripe);
    assert.equal(again.pages, 3, 'a finished backfill read pages again');
    const api = serveStripeCharges();
    const restarted = await runBackfill(stripe, { restart: true });
    assert.ok(api.isDone());
    assert.deepEqual([restarted.recorded, restarted.duplicates, restarted.listed], [0, 6, 6]);
    assert.deepEqual((await ledger(s.db, 'stripe')).counted, [1, 1, 1, 1, 1]);
  });

  it('Stripe: a resumed backfill lists with the offline grace it began with; another given on resuming is named in its notes, not used', async () => {
    const asked: Record<string, string>[] = [];
    // The five January sales, none refunded (the list serves no refunds), two a page.
    serveStripeList(stripeCharges().map((c) => ({ ...c, amount_refunded: 0, refunded: false })), asked);
    const stripe = (grace?: number) => options({ source: 'stripe', credentials: { secretKey: STRIPE_KEY }, ...(grace ? { offlineGraceMs: grace * 3_600_000 } : {}) });
    const listedPast = () => asked.map((q) => (Number(q['created[lt]']) * 1000 - UNTIL.getTime()) / 3_600_000);
    const first = await runBackfill(stripe(36), { maxPages: 1 });
    assert.deepEqual([first.stopped, first.recorded], [true, 2]);
    // Resumed without the grace (the same command run again without --offline-grace), then with another.
    const second = await runBackfill(stripe(), { maxPages: 1 });
    assert.equal(second.notes, undefined, 'no grace given is no change of grace');
    const third = await runBackfill(stripe(48));
    assert.deepEqual([third.stopped, third.recorded, third.done], [false, 5, true]);
    assert.deepEqual(listedPast(), [36, 36, 36], 'every page of the window is listed with the grace the backfill began with');
    assert.deepEqual(third.notes, ['carried on with the offline grace it began with (36 h), not the 48 h given: restart the backfill to read the period with 48 h']);
    const stored = await readBackfillState(s.db, backfillCursorName('stripe', SINCE, UNTIL));
    assert.deepEqual([stored?.offlineGraceMs, stored?.notes?.length], [36 * 3_600_000, 1]);
    // Restarted, the new grace is the window's.
    const restarted = await runBackfill(stripe(48), { restart: true });
    assert.deepEqual([restarted.duplicates, restarted.notes, listedPast().slice(3)], [5, undefined, [48, 48, 48]]);
  });

  it('Stripe: begun with the source\'s own grace, a resumed one given another says so, and keeps listing with 72 h', async () => {
    const asked: Record<string, string>[] = [];
    serveStripeList(stripeCharges().map((c) => ({ ...c, amount_refunded: 0, refunded: false })), asked);
    const stripe = (grace?: number) => options({ source: 'stripe', credentials: { secretKey: STRIPE_KEY }, ...(grace ? { offlineGraceMs: grace * 3_600_000 } : {}) });
    await runBackfill(stripe(), { maxPages: 1 });
    const resumed = await runBackfill(stripe(24));
    assert.deepEqual(asked.map((q) => (Number(q['created[lt]']) * 1000 - UNTIL.getTime()) / 3_600_000), [72, 72, 72]);
    assert.deepEqual(resumed.notes, ['carried on with the offline grace it began with (72 h, the source\'s own), not the 24 h given: restart the backfill to read the period with 24 h']);
  });

  /** A charge's refunds as Stripe lists them, newest first: [amount, status] oldest first, an hour apart. */
  const refundsOf = (charge: ReturnType<typeof stripeCharges>[number], ...made: [number, string][]) =>
    made.map(([amount, status], i) => refundObject({
      amount, status, currency: charge.currency, refundId: `re_${charge.id.slice(3, -4)}R${i}`, chargeId: charge.id, paymentIntentId: charge.payment_intent, created: charge.created + 3600 * (i + 1),
    })).reverse();
  const refundedBy = (charge: ReturnType<typeof stripeCharges>[number], minor: number) => ({ ...charge, amount_refunded: minor, refunded: minor >= charge.amount });
  /** ledger_refunds: [payment, refund, amount, reversed]. */
  const reversedRefunds = async (db: SqlDatabase) =>
    (await db.all<{ payment_id: string; refund_id: string; amount_minor: number; reversed_at: string | null }>(
      "SELECT payment_id, refund_id, amount_minor, reversed_at FROM ledger_refunds WHERE source = 'stripe' ORDER BY refund_id",
    )).map((r) => [r.payment_id, r.refund_id, Number(r.amount_minor), r.reversed_at !== null]);
  const customerTotals = async (db: SqlDatabase) =>
    (await db.all<{ payments: number; gross_minor: number; refunded_minor: number }>('SELECT payments, gross_minor, refunded_minor FROM customer_totals ORDER BY gross_minor'))
      .map((t) => [Number(t.payments), Number(t.gross_minor), Number(t.refunded_minor)]);

  it('Stripe: a refund that failed before the backfill is that refund reversed, out of charge.refunded\'s total once, whether or not amount_refunded still counts it; a second run changes nothing', async () => {
    // Charges 3 and 5 each had 10.00 refunded, then 20.00 that failed at the card issuer. Whether Stripe's
    // amount_refunded then still counts the failed 20.00 is not documented: charge 3 says it does, charge 5 not.
    const listed = stripeCharges();
    const [c5, , c3] = listed;
    const charges = listed.map((c) => (c === c3 ? refundedBy(c, 3000) : c === c5 ? refundedBy(c, 1000) : refundedBy(c, 0)));
    const refunds = { [c3!.id]: refundsOf(c3!, [1000, 'succeeded'], [2000, 'failed']), [c5!.id]: refundsOf(c5!, [1000, 'succeeded'], [2000, 'failed']) };
    const api = serveStripeCharges(charges, {}, refunds);
    const stripe = options({ source: 'stripe', credentials: { secretKey: STRIPE_KEY } });
    const first = await runBackfill(stripe);

    const l = await ledger(s.db, 'stripe');
    assert.deepEqual(l.payments.map((p) => [p.payment_id, p.gross_minor, p.refunded_minor]), [
      ['pi_3Backfill1AAAAAAAAAAAAAA', 1000, 0],
      ['pi_3Backfill2AAAAAAAAAAAAAA', 2000, 0],
      ['pi_3Backfill3AAAAAAAAAAAAAA', 3000, 1000],
      ['pi_3Backfill4AAAAAAAAAAAAAA', 4000, 0],
      ['pi_3Backfill5AAAAAAAAAAAAAA', 5000, 1000],
    ]);
    assert.deepEqual(await reversedRefunds(s.db), [
      ['pi_3Backfill3AAAAAAAAAAAAAA', refunds[c3!.id]![0]!.id, 2000, true],
      ['pi_3Backfill5AAAAAAAAAAAAAA', refunds[c5!.id]![0]!.id, 2000, true],
    ]);
    // The odd charges are one cardholder's: 90.00 paid, 10.00 + 10.00 given back.
    assert.deepEqual(await customerTotals(s.db), [[2, 6000, 0], [3, 9000, 2000]]);
    assert.deepEqual([first.listed, first.recorded], [9, 9], 'five sales, two running totals, two failed refunds');
    // Every request was one Stripe documents: the charges page by page, and the refunds of the two refunded charges only.
    assert.ok(api.isDone(), `not requested: ${api.pendingMocks().join(', ')}`);

    // Read again, every event is a duplicate (the reversals under ids of their refunds): nothing moves.
    const again = serveStripeCharges(charges, {}, refunds);
    const second = await runBackfill(stripe, { restart: true });
    assert.ok(again.isDone());
    assert.deepEqual([second.listed, second.recorded, second.duplicates], [9, 0, 9]);
    assert.deepEqual((await ledger(s.db, 'stripe')).payments.map((p) => p.refunded_minor), [0, 0, 1000, 0, 1000]);
    assert.equal((await reversedRefunds(s.db)).length, 2);
    assert.deepEqual(await customerTotals(s.db), [[2, 6000, 0], [3, 9000, 2000]]);
  });

  it('Stripe: a charge listed with its refunds (API versions before 2022-11-15: the 10 most recent) has the rest read from the Refunds list after the last one', async () => {
    // Charge 1 (10.00) was refunded 0.50 twelve times; the oldest and the 9th failed.
    const listed = stripeCharges();
    const c1 = listed[4]!;
    const twelve = refundsOf(c1, ...Array.from({ length: 12 }, (_, i): [number, string] => [50, i === 0 || i === 8 ? 'failed' : 'succeeded']));
    const charges = listed.map((c) => withListedRefunds(c === c1 ? refundedBy(c, 600) : c, c === c1 ? twelve : refundsOfDefault(c)));
    // Only charge 1's two oldest refunds are asked for: the others came with their charges.
    const api = serveStripeCharges(charges, {}, { [c1.id]: twelve });
    await runBackfill(options({ source: 'stripe', credentials: { secretKey: STRIPE_KEY } }));
    const l = await ledger(s.db, 'stripe');
    assert.deepEqual(l.payments.map((p) => [p.payment_id, p.refunded_minor]), [
      ['pi_3Backfill1AAAAAAAAAAAAAA', 500],
      ['pi_3Backfill2AAAAAAAAAAAAAA', 0],
      ['pi_3Backfill3AAAAAAAAAAAAAA', 500],
      ['pi_3Backfill4AAAAAAAAAAAAAA', 0],
      ['pi_3Backfill5AAAAAAAAAAAAAA', 0],
    ]);
    // The oldest (…R0, read from the Refunds list) and the 9th (…R8, listed with the charge).
    assert.deepEqual((await reversedRefunds(s.db)).map((r) => r.slice(1)), [[twelve[11]!.id, 50, true], [twelve[3]!.id, 50, true]]);
    assert.ok(api.isDone(), `not requested: ${api.pendingMocks().join(', ')}`);
  });

  it('Stripe: a charge listed with nothing refunded whose refund the ledger still counts has its refunds read, and the ones that failed are reversed; no other charge is asked about', async () => {
    // Charge 3 (30.00) was backfilled with 5.00 and 15.00 refunded; charge 1 with nothing.
    const listed = stripeCharges();
    const c3 = listed[2]!;
    const refunded = listed.map((c) => refundedBy(c, c === c3 ? 2000 : 0));
    const standing = refundsOf(c3, [500, 'succeeded'], [1500, 'succeeded']);
    serveStripeCharges(refunded, {}, { [c3.id]: standing });
    const stripe = options({ source: 'stripe', credentials: { secretKey: STRIPE_KEY } });
    await runBackfill(stripe);
    assert.equal((await paymentState(s.db, 'stripe', c3.payment_intent))!.refundedMinor, 2000);
    assert.deepEqual(await customerTotals(s.db), [[2, 6000, 0], [3, 9000, 2000]]);

    // Both refunds then failed at the card issuer, and no refund.failed reached the pack. Stripe lists the charge
    // with amount_refunded 0 (undocumented, but the case to cover) and, on API versions from 2022-11-15, no refunds.
    const failed = refundsOf(c3, [500, 'failed'], [1500, 'failed']);
    const now = listed.map((c) => refundedBy(c, 0));
    // Only charge 3's refunds are asked for: the ledger counts nothing refunded for the other four.
    const api = serveStripeCharges(now, {}, { [c3.id]: failed }, [c3.id]);
    const again = await runBackfill(stripe, { restart: true });
    assert.ok(api.isDone(), `not requested: ${api.pendingMocks().join(', ')}`);
    // The five sales and charge 3's running total (the 20.00 both refunds were) are duplicates; the two failures are new.
    assert.deepEqual([again.listed, again.recorded, again.duplicates], [8, 2, 6]);

    const state = (await paymentState(s.db, 'stripe', c3.payment_intent))!;
    assert.deepEqual([state.refundedMinor, state.netMinor, state.status], [0, 3000, 'succeeded']);
    assert.deepEqual((await reversedRefunds(s.db)).map((r) => r.slice(1)), [[failed[1]!.id, 500, true], [failed[0]!.id, 1500, true]]);
    // The odd charges' cardholder has 90.00 paid and nothing given back again.
    assert.deepEqual(await customerTotals(s.db), [[2, 6000, 0], [3, 9000, 0]]);
  });

  it('Square: ListPayments by creation time, paged by its cursor', async () => {
    const { scope, payments } = serveSquarePayments();
    const done = await runBackfill(options({ source: 'square', credentials: { accessToken: SQUARE_TOKEN } }));
    assert.ok(scope.isDone(), `not requested: ${scope.pendingMocks().join(', ')}`);
    assert.deepEqual([done.pages, done.recorded, done.done], [2, 3, true]);
    const l = await ledger(s.db, 'square');
    assert.deepEqual(l.payments.map((p) => [p.payment_id, p.gross_minor]), payments.map((p, i) => [p.id, (i + 1) * 700]));
    assert.deepEqual(l.counted, [1, 1, 1]);
  });

  it('Square, with a token that may not list the locations: the main location, and the backfill says so', async () => {
    const { scope } = serveSquarePayments({ scopes: ['PAYMENTS_READ'] });
    const done = await runBackfill(options({ source: 'square', credentials: { accessToken: SQUARE_TOKEN } }));
    assert.ok(scope.isDone(), `not requested: ${scope.pendingMocks().join(', ')}`);
    assert.deepEqual([done.pages, done.recorded, done.done], [2, 3, true]);
    assert.equal(done.notes?.length, 1, 'said once, not once a page');
    assert.match(done.notes![0]!, /403 INSUFFICIENT_SCOPES.*only the main location's payments are listed.*MERCHANT_PROFILE_READ.*SQUARE_LOCATION_ID/);
  });

  it('Zettle: purchases oldest first, paged by lastPurchaseHash, stopping at the end of the window', async () => {
    const { scope, purchases } = serveZettlePurchases();
    const done = await runBackfill(options({ source: 'zettle', credentials: { accessToken: ZETTLE_TOKEN } }));
    assert.ok(scope.isDone(), `not requested: ${scope.pendingMocks().join(', ')}`);
    assert.deepEqual([done.pages, done.listed, done.recorded], [2, 2, 2]);
    const l = await ledger(s.db, 'zettle');
    assert.equal(l.payments.length, 2, 'the February purchase is outside the window');
    assert.deepEqual(l.payments.map((p) => p.gross_minor).sort((a, b) => a - b), [900, 1800]);
    assert.ok(purchases.length === 3);
  });

  it('Clover: payments by modifiedTime with limit/offset', async () => {
    const { scope, payments } = serveCloverPayments();
    // Run the day the window ends: from further back than the 90 days Clover lists from a position, a short page asks on
    // to the present (clover.test.ts, "reads past a quiet span").
    const done = await runBackfill(options({ source: 'clover', credentials: { apiToken: CLOVER_TOKEN, merchantId: CLOVER_MID }, now: () => UNTIL }));
    assert.ok(scope.isDone(), `not requested: ${scope.pendingMocks().join(', ')}`);
    assert.deepEqual([done.pages, done.recorded], [2, 3]);
    const l = await ledger(s.db, 'clover');
    assert.deepEqual(l.payments.map((p) => p.payment_id).sort(), payments.map((p) => p.id as string).sort());
    assert.deepEqual(l.counted, [1, 1, 1]);
  });

  it('SumUp: transaction history by changes_since, paged by oldest_ref, each transaction read in full; a sale before the window is left out', async () => {
    const { scope, transactions } = serveSumUpHistory();
    const done = await runBackfill(options({ source: 'sumup', credentials: { accessToken: SUMUP_TOKEN, merchantCode: SUMUP_MERCHANT } }));
    assert.ok(scope.isDone(), `not requested: ${scope.pendingMocks().join(', ')}`);
    assert.deepEqual([done.pages, done.done], [2, true]);
    const l = await ledger(s.db, 'sumup');
    assert.deepEqual(l.payments.map((p) => [p.payment_id, p.gross_minor, p.refunded_minor]).sort(), [
      [transactions[1]!.id, 3000, 0],
      [transactions[2]!.id, 4000, 1500],
    ].sort());
    assert.deepEqual(l.counted, [1, 1]);
  });

  it('SumUp: a refund listed as an item of its own (REFUND) counts once, with its sale; an item SumUp cannot read is named in the notes', async () => {
    const sale = sumupTransaction('contactless', { amount: '30.00', at: new Date('2026-01-06T12:00:00Z') });
    const refunded = sumupTransaction('partial_refund', { amount: '40.00', refundAmount: '15.00', at: new Date('2026-01-12T12:00:00Z') });
    const gone = sumupTransaction('chip', { amount: '12.50', at: new Date('2026-01-14T12:00:00Z') });
    const scope = serveSumUpPage(
      [sumupHistoryItem(sale), sumupHistoryItem(refunded, 'REFUND'), sumupHistoryItem(refunded), sumupHistoryItem(gone)],
      [sale, refunded],
    );
    const done = await runBackfill(options({ source: 'sumup', credentials: { accessToken: SUMUP_TOKEN, merchantCode: SUMUP_MERCHANT }, limit: 4 }));
    assert.ok(scope.isDone(), `not requested: ${scope.pendingMocks().join(', ')}`);
    const l = await ledger(s.db, 'sumup');
    assert.deepEqual(l.payments.map((p) => [p.payment_id, p.gross_minor, p.refunded_minor]).sort(), [
      [sale.id, 3000, 0],
      [refunded.id, 4000, 1500],
    ].sort());
    assert.deepEqual(l.counted, [1, 1]);
    assert.deepEqual(done.notes, [
      `SumUp's transaction history lists PAYMENT ${String(gone.transaction_code)} (transaction ${String(gone.id)}), but SumUp has no transaction ${String(gone.id)} to read (404): it is not counted`,
    ]);
  });

  it('SumUp: a note quoting a listed item holds no card number, in the state returned or stored', async () => {
    const card = '4012888888881881';
    const gone = sumupTransaction('chip', { amount: '12.50', at: new Date('2026-01-14T12:00:00Z') });
    serveSumUpPage([{ ...sumupHistoryItem(gone), transaction_code: `card ${card}` }], []);
    const done = await runBackfill(options({ source: 'sumup', credentials: { accessToken: SUMUP_TOKEN, merchantCode: SUMUP_MERCHANT }, limit: 1 }));
    const stored = await readBackfillState(s.db, backfillCursorName('sumup', SINCE, UNTIL));
    assert.deepEqual([done.notes, stored?.notes], [[
      `SumUp's transaction history lists PAYMENT card [redacted card number] (transaction ${String(gone.id)}), but SumUp has no transaction ${String(gone.id)} to read (404): it is not counted`,
    ], done.notes]);
  });

  it('queues each recorded payment and its customer in a SaaS CRM\'s outbox, once', async () => {
    serveStripeCharges();
    const crm = { crm: 'hubspot' as const, adapter: () => { throw new Error('not sent during the test'); }, waitMs: 0 };
    await runBackfill(options({ source: 'stripe', credentials: { secretKey: STRIPE_KEY }, crm }));
    const rows = await s.db.all<{ kind: string; n: number }>("SELECT kind, COUNT(*) AS n FROM outbox WHERE crm = 'hubspot' AND state = 'pending' GROUP BY kind ORDER BY kind");
    assert.deepEqual(rows.map((r) => [r.kind, Number(r.n)]), [['customer', 2], ['payment', 5]]);
    const refunded = await s.db.get<{ payload: string }>("SELECT payload FROM outbox WHERE kind = 'payment' AND external_id = 'stripe:pi_3Backfill3AAAAAAAAAAAAAA'");
    const record = JSON.parse(refunded!.payload) as { amount: { minor: number }; refunded: { minor: number }; status: string };
    assert.deepEqual([record.amount.minor, record.refunded.minor, record.status], [3000, 500, 'partially_refunded']);
  });

  it('two payments of one new cardholder in one ledger batch make one customer', async () => {
    const charges = stripeCharges();
    nock('https://api.stripe.com').get('/v1/charges').query(true).reply(200, { object: 'list', data: charges, has_more: false });
    serveStripeRefunds(charges[2]!);
    const done = await runBackfill(options({ source: 'stripe', credentials: { secretKey: STRIPE_KEY }, limit: 10 }));
    assert.deepEqual([done.pages, done.recorded], [1, 6]);
    const l = await ledger(s.db, 'stripe');
    assert.equal(new Set(l.payments.map((p) => p.customer_id)).size, 2, 'a returning cardholder was made a second customer');
    const customers = await s.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM customers');
    assert.equal(Number(customers?.n), 2);
  });

  it('refuses a window that ends before it starts, naming the field', async () => {
    await assert.rejects(runBackfill(options({ source: 'stripe', credentials: { secretKey: STRIPE_KEY }, until: new Date('2025-12-01T00:00:00Z') })), /^InputError: until: .* Fix: give an --until later than --since/);
    await assert.rejects(runBackfill(options({ source: 'adyen', credentials: {} })), /^InputError: source: "adyen" has no payment history .* use one of: stripe, square, zettle, clover, sumup/);
  });
});
