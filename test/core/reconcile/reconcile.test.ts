import assert from 'node:assert/strict';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import { runBackfill } from '../../../nodes/core/backfill';
import { axiosTransport } from '../../../nodes/core/http/axios-transport';
import { reconcile, type ReconcileOptions } from '../../../nodes/core/reconcile';
import { paymentState } from '../../../nodes/core/ledger/read-payments';
import { chargeObject, refundObject } from '../../../sandbox/simulator/stripe-terminal-events';
import { STRIPE_OFFLINE_GRACE_MS } from '../../../nodes/core/sources/history/stripe-charges';
import { SQUARE_OFFLINE_GRACE_MS } from '../../../nodes/core/sources/history/square-payments';
import { testKeys } from '../../support/temp-store';
import { dialectStores, type DialectStore } from '../match/store-dialects';
import { squarePaymentObject } from '../../../sandbox/simulator/square-events';
import { nock, serveStripeCharges, serveSquareList, serveStripeList, serveSumUpHistory, squareListedUntil, serveSumUpPage, sumupHistoryItem, SINCE, SQUARE_TOKEN, STRIPE_KEY, stripeCharges, SUMUP_MERCHANT, SUMUP_TOKEN, UNTIL } from '../backfill/history-mocks';
import { AIRPORT_LOCATION, HARBOUR_LOCATION, MAIN_LOCATION, serveSquareLocations } from '../sources/square-locations-mock';

/** The same scenarios on the SQLite file and on PostgreSQL, to one outcome. */
const stores = dialectStores('tcrm-reconcile');
// nock stays active through both dialects' runs; restored once, when the file is done.
after(() => nock.restore());

const PI = (n: number) => `stripe:pi_3Backfill${n}AAAAAAAAAAAAAA`;

for (const store of stores) describe(`reconciliation of processor history with the ledger and the CRM on ${store.dialect}`, () => {
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

  const hubspot = { crm: 'hubspot' as const, adapter: () => { throw new Error('not sent during the test'); }, waitMs: 0 };
  const options = (o: Partial<ReconcileOptions> = {}): ReconcileOptions => ({
    source: 'stripe', credentials: { secretKey: STRIPE_KEY }, store: s.db, keys: testKeys(), defaultRegion: 'GB', since: SINCE, until: UNTIL, limit: 2, http: axiosTransport(), crm: hubspot, ...o,
  });

  /** The five January charges backfilled, then damage: a lost payment, a sale row written twice, a wrong amount, a lost CRM record. */
  async function plantedStore() {
    serveStripeCharges();
    await runBackfill({ ...options(), keys: testKeys() });
    const pay = (n: number) => [PI(n).slice('stripe:'.length)];
    for (const table of ['ledger_events', 'ledger_payments', 'transactions']) await s.db.run(`DELETE FROM ${table} WHERE source = 'stripe' AND payment_id = ?`, pay(1));
    await s.db.run(
      `INSERT INTO transactions (event_id, customer_id, source, payment_id, kind, amount_minor, currency, status, occurred_at, recorded_at)
       SELECT 'stripe:evt_replayed_twice', customer_id, source, payment_id, kind, amount_minor, currency, status, occurred_at, recorded_at FROM transactions
       WHERE source = 'stripe' AND payment_id = ? AND kind = 'payment'`,
      pay(2),
    );
    await s.db.run("UPDATE ledger_payments SET gross_minor = 3999 WHERE source = 'stripe' AND payment_id = ?", pay(4));
    await s.db.run("DELETE FROM outbox WHERE crm = 'hubspot' AND kind = 'payment' AND external_id = ?", [PI(3)]);
  }

  /** What the processor says now: charge 5 was refunded in full since the backfill. */
  const laterCharges = () => stripeCharges().map((c) => (c.id.includes('Backfill5') ? { ...c, amount_refunded: 5000, refunded: true } : c));

  it('reports the planted missing, duplicated and mismatched payments, in the ledger and in the CRM', async () => {
    await plantedStore();
    const api = serveStripeCharges(laterCharges());
    const report = await reconcile(options());
    assert.ok(api.isDone());
    assert.equal(report.processorPayments, 5);
    assert.equal(report.clean, false);
    assert.deepEqual(report.missing.map((m) => [m.key, m.from]).sort(), [[PI(1), 'ledger'], [PI(3), 'crm']]);
    assert.deepEqual(report.missing.find((m) => m.from === 'ledger')?.processor, { currency: 'EUR', amountMinor: 1000, refundedMinor: 0, status: 'succeeded', occurredAt: '2026-01-05T12:00:00.000Z' });
    assert.deepEqual(report.duplicated, [{ key: PI(2), in: 'transactions', count: 2 }]);
    const ledgerSide = report.mismatched.filter((m) => m.in === 'ledger').sort((a, b) => (a.key < b.key ? -1 : 1));
    assert.deepEqual(ledgerSide, [
      { key: PI(4), in: 'ledger', differences: [{ field: 'amount', expected: 4000, found: 3999 }] },
      { key: PI(5), in: 'ledger', differences: [{ field: 'refunded', expected: 5000, found: 0 }, { field: 'status', expected: 'refunded', found: 'succeeded' }] },
    ]);
    // The CRM's queued record of payment 4 still says 4000: the ledger (3999) and the CRM disagree too.
    assert.deepEqual(report.mismatched.filter((m) => m.in === 'crm').map((m) => [m.key, m.differences.map((d) => d.field)]), [[PI(4), ['amount']]]);
    assert.deepEqual(report.unknown, []);
  });

  it('--repair backfills the missing payment and the missed refund, queues the CRM record again, and says what it cannot fix', async () => {
    await plantedStore();
    serveStripeCharges(laterCharges());
    const report = await reconcile(options({ repair: true }));
    const repair = report.repair!;
    assert.deepEqual(repair.backfilled, [PI(1), PI(5)]);
    assert.ok(repair.requeued.includes(PI(3)), `requeued: ${repair.requeued.join(', ')}`);
    assert.deepEqual(repair.after.missing, []);
    assert.deepEqual(repair.unfixable.map((u) => u.key).sort(), [PI(2), PI(4)]);
    assert.match(repair.unfixable.find((u) => u.key === PI(2))!.reason, /2 sale rows .* remove the extra rows from transactions by hand/);
    assert.match(repair.unfixable.find((u) => u.key === PI(4))!.reason, /amount 3999 where the processor says 4000/);

    // The outcome in the store, not only in the report.
    const one = await s.db.get<{ gross_minor: number }>("SELECT gross_minor FROM ledger_payments WHERE source = 'stripe' AND payment_id = ?", [PI(1).slice(7)]);
    assert.equal(Number(one?.gross_minor), 1000);
    const five = await s.db.get<{ refund_reported_minor: number }>("SELECT refund_reported_minor FROM ledger_payments WHERE source = 'stripe' AND payment_id = ?", [PI(5).slice(7)]);
    assert.equal(Number(five?.refund_reported_minor), 5000);
    const queued = await s.db.all<{ external_id: string; payload: string }>("SELECT external_id, payload FROM outbox WHERE crm = 'hubspot' AND kind = 'payment' AND state = 'pending' ORDER BY external_id");
    assert.deepEqual(queued.map((q) => q.external_id), [1, 2, 3, 4, 5].map(PI));
    assert.equal((JSON.parse(queued[4]!.payload) as { status: string }).status, 'refunded');

    // Reconciled again, only what needs a hand is left (the CRM now mirrors the ledger, wrong amount and all).
    serveStripeCharges(laterCharges());
    const again = await reconcile(options());
    assert.deepEqual(again.missing, []);
    assert.deepEqual([...again.duplicated.map((d) => d.key), ...again.mismatched.map((m) => m.key)].sort(), [PI(2), PI(4)]);
  });

  it('a ledger that agrees with the processor is clean', async () => {
    serveStripeCharges();
    await runBackfill({ ...options(), keys: testKeys() });
    serveStripeCharges();
    const report = await reconcile(options());
    assert.equal(report.clean, true, JSON.stringify(report));
    assert.equal(report.ledgerPayments, 5);
  });

  it('a sale a reader stored offline at 23:00 on day 1 and forwarded at 01:00 on day 2: backfilling day 1 then day 2 records it once, reconciling day 1 finds it, day 2 does not report it', async () => {
    const day = (n: number, hour = 0) => new Date(Date.UTC(2026, 0, n, hour));
    const secs = (d: Date) => Math.floor(d.getTime() / 1000);
    const offline = chargeObject({ chargeId: 'ch_3OfflineDay1AAAAAAAAAAAA', paymentIntentId: 'pi_3OfflineDay1AAAAAAAAAAAA', amount: 4200, currency: 'eur', created: secs(day(2, 1)), email: 'offline@example.com', card: { offlineStoredAt: secs(day(1, 23)) } });
    const online = [1, 2].map((n) => chargeObject({ chargeId: `ch_3OnlineDay${n}AAAAAAAAAAAAA`, paymentIntentId: `pi_3OnlineDay${n}AAAAAAAAAAAAA`, amount: n * 1000, currency: 'eur', created: secs(day(n, 12)), email: `online${n}@example.com` }));
    const asked: Record<string, string>[] = [];
    const api = serveStripeList([offline, ...online], asked);
    const days = { 1: { since: day(1), until: day(2) }, 2: { since: day(2), until: day(3) } };
    const one = await runBackfill({ ...options(days[1]), keys: testKeys() });
    const two = await runBackfill({ ...options(days[2]), keys: testKeys() });
    // Day 1 writes it (with the day's online sale); day 2 lists it too (created then) and finds it a duplicate.
    assert.deepEqual([one.recorded, two.recorded, two.duplicates], [2, 1, 1], JSON.stringify([one, two]));
    const key = `stripe:${offline.payment_intent}`;
    const counted = await s.db.all<{ n: number }>("SELECT SUM(payments) AS n FROM ledger_events WHERE source = 'stripe' AND payment_id = ?", [offline.payment_intent]);
    assert.equal(Number(counted[0]!.n), 1);
    assert.equal((await paymentState(s.db, 'stripe', offline.payment_intent))?.occurredAt, day(1, 23).toISOString());

    const first = await reconcile(options({ ...days[1], crm: undefined }));
    assert.equal(first.clean, true, JSON.stringify(first));
    assert.deepEqual([first.processorPayments, first.ledgerPayments], [2, 2]);
    const second = await reconcile(options({ ...days[2], crm: undefined }));
    assert.equal(second.clean, true, JSON.stringify(second));
    assert.deepEqual([second.processorPayments, second.ledgerPayments], [1, 1]);
    assert.ok(!JSON.stringify(second).includes(key), JSON.stringify(second));
    // Each listing reads its day and the grace past it, no more.
    assert.ok(asked.every((q) => Number(q['created[lt]']) - Number(q['created[gte]']) === 86400 + STRIPE_OFFLINE_GRACE_MS / 1000), JSON.stringify(asked));
    api.persist(false);
  });

  it('Square: a payment taken offline at 23:00 on day 1 and uploaded at 01:00 on day 2: backfilling day 1 then day 2 records it once, reconciling day 1 finds it, day 2 does not report it', async () => {
    const day = (n: number, hour = 0) => new Date(Date.UTC(2026, 0, n, hour));
    // Square creates it on the upload; offline_payment_details.client_created_at is when the reader took it.
    const offline = { ...squarePaymentObject({ id: 'SqOfflineDay1PaymentAAAAAZY', amount: 4200, currency: 'USD', createdAt: day(2, 1).toISOString() }), is_offline_payment: true, offline_payment_details: { client_created_at: day(1, 23).toISOString() } };
    const online = [1, 2].map((n) => squarePaymentObject({ id: `SqOnlineDay${n}PaymentAAAAAAZY`, amount: n * 1000, currency: 'USD', createdAt: day(n, 12).toISOString() }));
    const asked: Record<string, string>[] = [];
    const api = serveSquareList([offline, ...online], asked);
    const square = (o: Partial<ReconcileOptions>) => options({ source: 'square', credentials: { accessToken: SQUARE_TOKEN }, crm: undefined, ...o });
    const days = { 1: { since: day(1), until: day(2) }, 2: { since: day(2), until: day(3) } };
    const one = await runBackfill({ ...square(days[1]), keys: testKeys() });
    const two = await runBackfill({ ...square(days[2]), keys: testKeys() });
    // Day 1 writes it (with the day's online sale); day 2 lists it too (created then) and finds it a duplicate.
    assert.deepEqual([one.recorded, two.recorded, two.duplicates], [2, 1, 1], JSON.stringify([one, two]));
    const counted = await s.db.all<{ n: number }>("SELECT SUM(payments) AS n FROM ledger_events WHERE source = 'square' AND payment_id = ?", [offline.id]);
    assert.equal(Number(counted[0]!.n), 1);
    assert.equal((await paymentState(s.db, 'square', offline.id))?.occurredAt, day(1, 23).toISOString());

    const first = await reconcile(square(days[1]));
    assert.equal(first.clean, true, JSON.stringify(first));
    assert.deepEqual([first.processorPayments, first.ledgerPayments], [2, 2]);
    const second = await reconcile(square(days[2]));
    assert.equal(second.clean, true, JSON.stringify(second));
    assert.deepEqual([second.processorPayments, second.ledgerPayments], [1, 1]);
    assert.ok(!JSON.stringify(second).includes(offline.id), JSON.stringify(second));
    // Each listing reads its day and the grace past it (Square's 24 hours), no more.
    assert.ok(asked.every((q) => Date.parse(q.end_time!) - Date.parse(q.begin_time!) === 86400_000 + SQUARE_OFFLINE_GRACE_MS), JSON.stringify(asked));
    api.persist(false);
  });

  it('a sale stored offline on day 1 and forwarded on day 5, after the 72-hour grace: reconciling day 1 reads it by id and compares it, not unknown; day 5 lists it and reports nothing; a payment Stripe does not know stays unknown', async () => {
    const day = (n: number, hour = 0) => new Date(Date.UTC(2026, 0, n, hour));
    const secs = (d: Date) => Math.floor(d.getTime() / 1000);
    const late = chargeObject({ chargeId: 'ch_3LateForwardAAAAAAAAAAAA', paymentIntentId: 'pi_3LateForwardAAAAAAAAAAAA', amount: 4200, currency: 'eur', created: secs(day(5, 12)), email: 'late@example.com', card: { offlineStoredAt: secs(day(1, 12)) } });
    const online = chargeObject({ chargeId: 'ch_3OnlineDay1LateAAAAAAAAA', paymentIntentId: 'pi_3OnlineDay1LateAAAAAAAAA', amount: 1000, currency: 'eur', created: secs(day(1, 9)), email: 'online@example.com' });
    // Another account's sale the ledger holds for day 1 (a webhook of it): Stripe lists it nowhere for this key.
    const other = chargeObject({ chargeId: 'ch_3OtherAccountAAAAAAAAAAA', paymentIntentId: 'pi_3OtherAccountAAAAAAAAAAA', amount: 700, currency: 'eur', created: secs(day(1, 15)), email: 'other@example.com' });
    const days = { 1: { since: day(1), until: day(2) }, 5: { since: day(5), until: day(6) } };
    // The ledger dates the late sale when it was stored (day 1), as its webhook did; here day 5's backfill brings it.
    serveStripeList([late, online, other]);
    await runBackfill({ ...options(days[1]), keys: testKeys() });
    await runBackfill({ ...options(days[5]), keys: testKeys() });
    assert.equal((await paymentState(s.db, 'stripe', late.payment_intent))?.occurredAt, day(1, 12).toISOString());
    nock.cleanAll();

    const asked: Record<string, string>[] = [];
    serveStripeList([late, online], asked);
    const key = `stripe:${late.payment_intent}`;
    const first = await reconcile(options({ ...days[1], crm: undefined }));
    assert.deepEqual(first.unknown.map((u) => u.key), [`stripe:${other.payment_intent}`], JSON.stringify(first));
    assert.deepEqual([first.missing, first.mismatched, first.processorPayments, first.ledgerPayments], [[], [], 1, 3]);
    assert.deepEqual(first.notes, [`${key} is in the ledger for this period but listed by Stripe (charges) in another (a sale stored offline and forwarded after the offline grace, or a reader's clock ahead of the processor's): read by id and compared here`]);
    // Only the two payments the listing did not bring were asked for, each by its PaymentIntent.
    assert.deepEqual(asked.filter((q) => q.payment_intent).map((q) => q.payment_intent).sort(), [late.payment_intent, other.payment_intent]);

    const fifth = await reconcile(options({ ...days[5], crm: undefined }));
    assert.equal(fifth.clean, true, JSON.stringify(fifth));
    assert.deepEqual([fifth.processorPayments, fifth.ledgerPayments], [1, 0]);

    // Compared, not just let off: a ledger amount that differs from Stripe's is reported in day 1's reconciliation.
    await s.db.run("UPDATE ledger_payments SET gross_minor = 4100 WHERE source = 'stripe' AND payment_id = ?", [late.payment_intent]);
    const again = await reconcile(options({ ...days[1], crm: undefined }));
    assert.deepEqual(again.mismatched, [{ key, in: 'ledger', differences: [{ field: 'amount', expected: 4200, found: 4100 }] }]);
  });

  it('Square: a payment taken offline on day 1 and uploaded 25 hours later, and one whose reader\'s clock ran ahead past midnight: each day\'s reconciliation is clean', async () => {
    const day = (n: number, hour = 0, minute = 0) => new Date(Date.UTC(2026, 0, n, hour, minute));
    const taken = (id: string, tappedAt: Date, createdAt: Date) => ({
      ...squarePaymentObject({ id, amount: 4200, currency: 'USD', createdAt: createdAt.toISOString() }),
      is_offline_payment: true,
      offline_payment_details: { client_created_at: tappedAt.toISOString() },
    });
    // Taken on day 1 at 12:00, uploaded on day 2 at 13:00: past Square's 24 hours, listed for day 2.
    const late = taken('SqLateUploadPaymentAAAAAAZY', day(1, 12), day(2, 13));
    // Taken at 00:01 on day 2 by the reader's clock, which ran two minutes ahead: created at 23:59 on day 1.
    const ahead = taken('SqClockAheadPaymentAAAAAAZY', day(2, 0, 1), day(1, 23, 59));
    const read: string[] = [];
    serveSquareList([late, ahead], [], read);
    const square = (o: Partial<ReconcileOptions>) => options({ source: 'square', credentials: { accessToken: SQUARE_TOKEN }, crm: undefined, ...o });
    const days = { 1: { since: day(1), until: day(2) }, 2: { since: day(2), until: day(3) } };
    await runBackfill({ ...square({ since: day(1), until: day(3) }), keys: testKeys() });
    // The ledger dates each when the reader took it.
    assert.equal((await paymentState(s.db, 'square', late.id))?.occurredAt, day(1, 12).toISOString());
    assert.equal((await paymentState(s.db, 'square', ahead.id))?.occurredAt, day(2, 0, 1).toISOString());

    const first = await reconcile(square(days[1]));
    const second = await reconcile(square(days[2]));
    assert.deepEqual([first.clean, second.clean], [true, true], JSON.stringify([first, second]));
    // Day 1 lists the one created then (the clock ahead), and reads the late one by id; day 2 the other way round.
    assert.deepEqual([first.processorPayments, first.ledgerPayments, second.processorPayments, second.ledgerPayments], [1, 1, 1, 1]);
    assert.deepEqual(read, [late.id, ahead.id]);
  });

  it('a refund that failed since the backfill: the ledger is reported refunded too much, --repair takes the refund out, and then it is clean', async () => {
    // Charge 3 (30.00) was backfilled while its two refunds, 10.00 and 20.00, both stood.
    const c3 = stripeCharges()[2]!;
    const charges = stripeCharges().map((c) => (c.id === c3.id ? { ...c, amount_refunded: 3000, refunded: true } : c));
    const refund = (n: number, amount: number, status: string) =>
      refundObject({ amount, status, currency: 'eur', refundId: `re_reconcile3R${n}`, chargeId: c3.id, paymentIntentId: c3.payment_intent, created: c3.created + 3600 * n });
    serveStripeCharges(charges, {}, { [c3.id]: [refund(2, 2000, 'succeeded'), refund(1, 1000, 'succeeded')] });
    await runBackfill({ ...options(), keys: testKeys() });
    assert.equal((await paymentState(s.db, 'stripe', c3.payment_intent))!.refundedMinor, 3000);

    // Then the 20.00 failed at the card issuer, and no webhook told the ledger.
    const failedSince = { [c3.id]: [refund(2, 2000, 'failed'), refund(1, 1000, 'succeeded')] };
    const api = serveStripeCharges(charges, {}, failedSince);
    const report = await reconcile(options());
    assert.deepEqual(report.mismatched.filter((m) => m.in === 'ledger'), [
      { key: PI(3), in: 'ledger', differences: [{ field: 'refunded', expected: 1000, found: 3000 }, { field: 'status', expected: 'partially_refunded', found: 'refunded' }] },
    ]);
    assert.ok(api.isDone(), `not requested: ${api.pendingMocks().join(', ')}`);

    serveStripeCharges(charges, {}, failedSince);
    const repaired = await reconcile(options({ repair: true }));
    assert.deepEqual(repaired.repair!.backfilled, [PI(3)]);
    assert.deepEqual(repaired.repair!.unfixable, []);
    const state = (await paymentState(s.db, 'stripe', c3.payment_intent))!;
    assert.deepEqual([state.refundedMinor, state.status], [1000, 'partially_refunded']);
    // The CRM gets the payment again with 10.00 refunded.
    const queued = await s.db.all<{ payload: string }>("SELECT payload FROM outbox WHERE crm = 'hubspot' AND kind = 'payment' AND external_id = ? ORDER BY id", [PI(3)]);
    assert.equal((JSON.parse(queued.at(-1)!.payload) as { refunded: { minor: number } }).refunded.minor, 1000);

    serveStripeCharges(charges, {}, failedSince);
    const again = await reconcile(options());
    assert.equal(again.clean, true, JSON.stringify(again));
  });

  it('Stripe lists a charge with nothing refunded once every refund of it failed: the ledger\'s refund has the charge\'s refunds read, --repair reverses the failed ones, and then it is clean', async () => {
    // Charge 3 (30.00) was backfilled with its two refunds, 10.00 and 20.00, standing.
    const c3 = stripeCharges()[2]!;
    const refund = (n: number, amount: number, status: string) =>
      refundObject({ amount, status, currency: 'eur', refundId: `re_dropped3R${n}`, chargeId: c3.id, paymentIntentId: c3.payment_intent, created: c3.created + 3600 * n });
    const refunded = stripeCharges().map((c) => (c.id === c3.id ? { ...c, amount_refunded: 3000, refunded: true } : c));
    serveStripeCharges(refunded, {}, { [c3.id]: [refund(2, 2000, 'succeeded'), refund(1, 1000, 'succeeded')] });
    await runBackfill({ ...options(), keys: testKeys() });
    const totals = () => s.db.all<{ payments: number; gross_minor: number; refunded_minor: number }>('SELECT payments, gross_minor, refunded_minor FROM customer_totals ORDER BY gross_minor')
      .then((rows) => rows.map((t) => [Number(t.payments), Number(t.gross_minor), Number(t.refunded_minor)]));
    assert.deepEqual(await totals(), [[2, 6000, 0], [3, 9000, 3000]]);

    // Then both failed at the card issuer and no webhook told the ledger. Stripe lists charge 3 with amount_refunded
    // 0, refunded false and (API versions from 2022-11-15) no refunds: only the Refunds list still has them.
    const nothingRefunded = stripeCharges().map((c) => (c.id === c3.id ? { ...c, amount_refunded: 0, refunded: false } : c));
    const failed = { [c3.id]: [refund(2, 2000, 'failed'), refund(1, 1000, 'failed')] };
    const api = serveStripeCharges(nothingRefunded, {}, failed, [c3.id]);
    const report = await reconcile(options());
    // Charge 3's refunds were asked for (the ledger counts 30.00 refunded), charge 5's not (it counts none).
    assert.ok(api.isDone(), `not requested: ${api.pendingMocks().join(', ')}`);
    assert.deepEqual(report.mismatched.filter((m) => m.in === 'ledger'), [
      { key: PI(3), in: 'ledger', differences: [{ field: 'refunded', expected: 0, found: 3000 }, { field: 'status', expected: 'succeeded', found: 'refunded' }] },
    ]);

    const repairApi = serveStripeCharges(nothingRefunded, {}, failed, [c3.id]);
    const repaired = await reconcile(options({ repair: true }));
    assert.ok(repairApi.isDone(), `not requested: ${repairApi.pendingMocks().join(', ')}`);
    assert.deepEqual(repaired.repair!.backfilled, [PI(3)]);
    assert.deepEqual(repaired.repair!.unfixable, []);
    const state = (await paymentState(s.db, 'stripe', c3.payment_intent))!;
    assert.deepEqual([state.refundedMinor, state.netMinor, state.status], [0, 3000, 'succeeded']);
    const reversed = await s.db.all<{ refund_id: string; reversed_at: string | null }>("SELECT refund_id, reversed_at FROM ledger_refunds WHERE source = 'stripe' AND payment_id = ? ORDER BY refund_id", [c3.payment_intent]);
    assert.deepEqual(reversed.map((r) => [r.refund_id, r.reversed_at !== null]), [['re_dropped3R1', true], ['re_dropped3R2', true]]);
    // The cardholder's totals have the 30.00 back, and the CRM gets the payment again with nothing refunded.
    assert.deepEqual(await totals(), [[2, 6000, 0], [3, 9000, 0]]);
    const queued = await s.db.all<{ payload: string }>("SELECT payload FROM outbox WHERE crm = 'hubspot' AND kind = 'payment' AND external_id = ? ORDER BY id", [PI(3)]);
    assert.deepEqual((({ refunded, status }) => [refunded.minor, status])(JSON.parse(queued.at(-1)!.payload) as { refunded: { minor: number }; status: string }), [0, 'succeeded']);

    // Once the ledger agrees, charge 3 shows nothing refunded and the ledger counts nothing: its refunds are not asked for.
    const last = serveStripeCharges(nothingRefunded);
    const again = await reconcile(options());
    assert.ok(last.isDone(), `not requested: ${last.pendingMocks().join(', ')}`);
    assert.equal(again.clean, true, JSON.stringify(again));
  });

  it('Square: the window of every location of the seller, when none is named, so a sale at another location is not reported unknown', async () => {
    const at = (location: string, id: string, day: number) => ({ ...squarePaymentObject({ id, amount: 1500, currency: 'USD', createdAt: new Date(Date.UTC(2026, 0, day, 12)).toISOString() }), location_id: location });
    const main = at(MAIN_LOCATION, 'SqMainStreetSaleAAAAAAAAAAZY', 10);
    const airport = at(AIRPORT_LOCATION, 'SqAirportKioskSaleAAAAAAAAZY', 12);
    const base = { begin_time: SINCE.toISOString(), end_time: squareListedUntil(UNTIL), sort_order: 'ASC', limit: '2' };
    const square = nock('https://connect.squareup.com', { reqheaders: { authorization: `Bearer ${SQUARE_TOKEN}` } }).persist();
    serveSquareLocations(square)
      .get('/v2/payments').query({ ...base, location_id: AIRPORT_LOCATION }).reply(200, { payments: [airport] })
      .get('/v2/payments').query({ ...base, location_id: HARBOUR_LOCATION }).reply(200, {})
      .get('/v2/payments').query({ ...base, location_id: MAIN_LOCATION }).reply(200, { payments: [main] })
      // Asked without a location, Square lists the main one's payments only.
      .get('/v2/payments').query(base).reply(200, { payments: [main] });
    const squareOptions = (credentials: object) => options({ source: 'square', credentials: { accessToken: SQUARE_TOKEN, ...credentials } });
    // Both sales in the ledger (as the webhooks, which bring every location, would have them).
    await runBackfill({ ...squareOptions({ locationId: `${AIRPORT_LOCATION},${MAIN_LOCATION}` }), keys: testKeys() });
    const report = await reconcile(squareOptions({}));
    assert.deepEqual([report.clean, report.processorPayments, report.unknown], [true, 2, []], JSON.stringify(report));
  });

  it('SumUp: its transaction history against the ledger, clean after a backfill; a refund the ledger lost is reported', async () => {
    const sumup = (o: Partial<ReconcileOptions> = {}) => options({ source: 'sumup', credentials: { accessToken: SUMUP_TOKEN, merchantCode: SUMUP_MERCHANT }, ...o });
    const { transactions } = serveSumUpHistory();
    await runBackfill({ ...sumup(), keys: testKeys() });
    const refunded = transactions[2]!.id as string;
    nock.cleanAll();
    serveSumUpHistory(transactions);
    const clean = await reconcile(sumup());
    assert.equal(clean.clean, true, JSON.stringify(clean));
    assert.equal(clean.ledgerPayments, 2);
    // SumUp's refunds count one by one: the ledger losing it is the payment's refunds back to none.
    await s.db.run("UPDATE ledger_payments SET refund_reported_minor = 0, refund_sum_minor = 0 WHERE source = 'sumup' AND payment_id = ?", [refunded]);
    serveSumUpHistory(transactions);
    const report = await reconcile(sumup());
    assert.equal(report.clean, false);
    assert.ok(JSON.stringify(report).includes(refunded), JSON.stringify(report));
  });

  it('SumUp: a refund listed as an item of its own (REFUND) is the refund the ledger has, once; an item SumUp cannot read is named in the report', async () => {
    const sumup = (o: Partial<ReconcileOptions> = {}) => options({ source: 'sumup', credentials: { accessToken: SUMUP_TOKEN, merchantCode: SUMUP_MERCHANT }, ...o });
    const { transactions } = serveSumUpHistory();
    await runBackfill({ ...sumup(), keys: testKeys() });
    nock.cleanAll();
    const [, sale, refunded] = transactions as [Record<string, unknown>, Record<string, unknown>, Record<string, unknown>];
    const gone = { ...sale, id: '5f0e8d7c-6b5a-4948-3726-1504f3e2d1c0', transaction_code: 'TGONE00000' };
    serveSumUpPage([sumupHistoryItem(sale), sumupHistoryItem(refunded, 'REFUND'), sumupHistoryItem(gone)], [sale, refunded]);
    const report = await reconcile(sumup({ limit: 3 }));
    assert.equal(report.clean, true, JSON.stringify(report));
    assert.deepEqual([report.ledgerPayments, report.processorPayments], [2, 2]);
    assert.deepEqual(report.notes, [
      `SumUp's transaction history lists PAYMENT TGONE00000 (transaction ${gone.id}), but SumUp has no transaction ${gone.id} to read (404): it is not counted`,
    ]);
  });
});
