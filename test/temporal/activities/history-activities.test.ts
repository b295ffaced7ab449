import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { BackfillProgress } from '../../../nodes/core/backfill';
import { axiosTransport } from '../../../nodes/core/http/axios-transport';
import { createBackfillActivities } from '../../../temporal/activities/backfill-activities';
import { createReconcileActivities } from '../../../temporal/activities/reconcile-activities';
import { nock, serveStripeList, SINCE, STRIPE_KEY, stripeCharges, UNTIL } from '../../core/backfill/history-mocks';
import { tempStore, TEST_TOKEN_KEYS } from '../../support/temp-store';
import { chargeObject } from '../../../sandbox/simulator/stripe-terminal-events';
import { matchAndRecord, payment } from '../../core/match/match-fixtures';

/**
 * The backfill and reconcile activities take an operator's offline grace from their input (offlineGraceHours), read
 * by the core's one rule: the processor's list is read that far past the window's end, and a bad one fails the
 * workflow at once naming the input's field.
 */
describe('backfill and reconcile activities: offlineGraceHours', () => {
  let s: Awaited<ReturnType<typeof tempStore>>;
  before(async () => { s = await tempStore(); });
  after(async () => {
    await s.remove();
    nock.restore();
  });
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });
  const settings = () => ({ storeUrl: s.url, tokenKeys: TEST_TOKEN_KEYS, defaultRegion: 'GB' as const, env: { STRIPE_SECRET_KEY: STRIPE_KEY }, http: () => axiosTransport() });
  const window = { source: 'stripe', since: SINCE.toISOString(), until: UNTIL.toISOString() };
  const listedPast = (asked: Record<string, string>[]) => asked.map((q) => (Number(q['created[lt]']) * 1000 - UNTIL.getTime()) / 3_600_000);

  it('read the list that many hours past the window\'s end, the source\'s own without it', async () => {
    const asked: Record<string, string>[] = [];
    // The five January sales, none refunded (the list serves no refunds).
    serveStripeList(stripeCharges().map((c) => ({ ...c, amount_refunded: 0, refunded: false })), asked);
    const backfill = createBackfillActivities(settings());
    const env = new MockActivityEnvironment();
    const input = { ...window, offlineGraceHours: 36 };
    const opened = (await env.run(() => backfill.openBackfillActivity(input))) as BackfillProgress;
    const page = (await env.run(() => backfill.backfillPageActivity(input, opened))) as BackfillProgress;
    assert.equal(page.recorded, 5);
    const reconcile = createReconcileActivities(settings());
    const summary = await reconcile.reconcileActivity({ ...window, offlineGraceHours: 36 });
    assert.equal(summary.clean, true, JSON.stringify(summary));
    await reconcile.reconcileActivity(window);
    assert.deepEqual(listedPast(asked), [36, 36, 72]);
  });

  it('a backfill resumed with another grace pages on with the one it began with, and every page\'s progress keeps the note saying so', async () => {
    const asked: Record<string, string>[] = [];
    serveStripeList(stripeCharges().map((c) => ({ ...c, amount_refunded: 0, refunded: false })), asked);
    const backfill = createBackfillActivities(settings());
    const env = new MockActivityEnvironment();
    const resumable = { ...window, since: '2026-01-02T00:00:00.000Z', limit: 2 };
    const began = { ...resumable, offlineGraceHours: 36 };
    const opened = (await env.run(() => backfill.openBackfillActivity(began))) as BackfillProgress;
    await env.run(() => backfill.backfillPageActivity(began, opened));
    // The workflow started again (after a cancel) with another grace for the same window.
    const other = { ...resumable, offlineGraceHours: 48 };
    const reopened = (await env.run(() => backfill.openBackfillActivity(other))) as BackfillProgress;
    const note = 'carried on with the offline grace it began with (36 h), not the 48 h given: restart the backfill to read the period with 48 h';
    assert.deepEqual(reopened.notes, [note]);
    const second = (await env.run(() => backfill.backfillPageActivity(other, reopened))) as BackfillProgress;
    const third = (await env.run(() => backfill.backfillPageActivity(other, second))) as BackfillProgress;
    assert.deepEqual([second.notes, third.notes, third.done, third.listed], [[note], [note], true, 5]);
    assert.deepEqual(listedPast(asked), [36, 36, 36]);
  });

  it('refuse one out of range, or for a source whose list takes none, naming offlineGraceHours, without retries', async () => {
    const failure = (pattern: RegExp) => (e: unknown) => e instanceof Error && e.name === 'ApplicationFailure' && (e as { nonRetryable?: boolean }).nonRetryable === true && pattern.test(e.message);
    await assert.rejects(createReconcileActivities(settings()).reconcileActivity({ ...window, offlineGraceHours: 2.5 }), failure(/^offlineGraceHours: 2\.5 is not a whole number of hours from 1 to 720/));
    const sumup = { ...settings(), env: { SUMUP_ACCESS_TOKEN: 'sup_sk_test' } };
    await assert.rejects(new MockActivityEnvironment().run(() => createBackfillActivities(sumup).openBackfillActivity({ ...window, source: 'sumup', offlineGraceHours: 24 })), failure(/^offlineGraceHours: SumUp's history .* takes no offline grace/));
  });
});

/**
 * The worker reads its match thresholds (TERMINAL_CRM_MATCH_LINK_THRESHOLD, …_REVIEW_THRESHOLD) into its settings;
 * the payments its backfill and its reconcile --repair write are matched with them, as its webhook payments are.
 * A card-present sale naming only "Ada Lovelace" scores about 0.18 against the one Ada the store holds: a new
 * customer at the default thresholds (0.9, 0.5), Ada's at 0.1 and 0.05.
 */
describe('backfill and reconcile activities: the worker\'s match thresholds', () => {
  let s: Awaited<ReturnType<typeof tempStore>>;
  let ada = '';
  const match = { linkThreshold: 0.1, reviewThreshold: 0.05 };
  const window = { source: 'stripe', since: SINCE.toISOString(), until: UNTIL.toISOString() };
  const settings = (more: object = {}) => ({ storeUrl: s.url, tokenKeys: TEST_TOKEN_KEYS, defaultRegion: 'GB' as const, env: { STRIPE_SECRET_KEY: STRIPE_KEY }, http: () => axiosTransport(), ...more });
  const nameOnly = () => chargeObject({ amount: 2500, currency: 'eur', name: 'Ada Lovelace', email: null, created: Math.floor(Date.parse('2026-01-10T12:00:00Z') / 1000) });
  const customerOf = async (paymentId: string) =>
    (await s.db.get<{ customer_id: string | null }>('SELECT customer_id FROM ledger_payments WHERE payment_id = ?', [paymentId]))?.customer_id;

  // The describe above ends by restoring http from nock.
  before(() => {
    if (!nock.isActive()) nock.activate();
  });
  after(() => nock.restore());
  beforeEach(async () => {
    s = await tempStore();
    ada = (await matchAndRecord(s.crm, payment({ email: 'ada@example.com', name: 'Ada Lovelace', postalCode: '94612', amount: 4200 }))).upsert.customerId!;
    nock.disableNetConnect();
  });
  afterEach(async () => {
    nock.cleanAll();
    nock.enableNetConnect();
    await s.remove();
  });

  it('a backfilled payment is matched with them', async () => {
    const charges = [nameOnly(), { ...nameOnly(), id: 'ch_3Default', payment_intent: 'pi_3Default' }];
    serveStripeList([charges[0]!]);
    const env = new MockActivityEnvironment();
    const withThem = createBackfillActivities(settings({ match }));
    const opened = (await env.run(() => withThem.openBackfillActivity(window))) as BackfillProgress;
    assert.equal(((await env.run(() => withThem.backfillPageActivity(window, opened))) as BackfillProgress).recorded, 1);
    assert.equal(await customerOf(charges[0]!.payment_intent as string), ada);

    // The same sale at the default thresholds makes a customer of its own.
    nock.cleanAll();
    serveStripeList([charges[1]!]);
    const other = { ...window, since: '2026-01-02T00:00:00.000Z' };
    const defaults = createBackfillActivities(settings());
    const started = (await env.run(() => defaults.openBackfillActivity(other))) as BackfillProgress;
    assert.equal(((await env.run(() => defaults.backfillPageActivity(other, started))) as BackfillProgress).recorded, 1);
    const made = await customerOf('pi_3Default');
    assert.ok(made && made !== ada, String(made));
  });

  it('a payment reconcile --repair writes is matched with them', async () => {
    const charge = nameOnly();
    serveStripeList([charge]);
    const summary = await createReconcileActivities(settings({ match })).reconcileActivity({ ...window, repair: true });
    assert.deepEqual(summary.backfilled, [`stripe:${charge.payment_intent as string}`], JSON.stringify(summary));
    assert.equal(await customerOf(charge.payment_intent as string), ada);
  });
});
