import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { normalizeStripeEvent } from '../../../nodes/core/sources/stripe-terminal';
import { chargeObject, stripeEvent } from '../../../sandbox/simulator/stripe-terminal-events';
import { STRIPE_METADATA_KEYS } from '../../../nodes/core/terminal-push/push-metadata';
import { createActivities } from '../../../temporal/activities/worker-activities';
import { createSagaActivities } from '../../../temporal/activities/saga-activities';
import { createPaymentActivities } from '../../../temporal/activities/payment-activities';
import { sendToTerminalWorkflowId } from '../../../workflows/send-to-terminal';
import { tempStore, TEST_TOKEN_KEYS } from '../../support/temp-store';
import { nock, ZohoMock } from '../../core/crm/saas/mocks/zoho-mock';

describe('payment activities', () => {
  let s: Awaited<ReturnType<typeof tempStore>>;
  let activities: ReturnType<typeof createActivities>;
  before(async () => {
    s = await tempStore();
    activities = createActivities({ storeUrl: s.url, tokenKeys: TEST_TOKEN_KEYS, defaultRegion: 'US' });
  });
  after(async () => { await s.remove(); });

  const event = () =>
    normalizeStripeEvent(stripeEvent('charge.succeeded', chargeObject({ amount: 1250, email: 'ada@example.com', card: { fingerprint: 'fp_activity_test' } })));

  it('tokenize → match → upsert records the payment in the store, with the fingerprint replaced by a token', async () => {
    const e = event();
    const tokenized = await activities.tokenize(e);
    assert.equal(tokenized.card?.identity?.kind, 'token');
    assert.doesNotMatch(JSON.stringify(tokenized), /fp_activity_test/);
    const recorded = await activities.upsert(await activities.match(tokenized));
    assert.equal(recorded.crm.outcome, 'recorded');
    const row = await s.db.get<{ customer_id: string; amount_minor: number }>('SELECT customer_id, amount_minor FROM transactions WHERE event_id = ?', [e.id]);
    assert.deepEqual({ ...row }, { customer_id: recorded.crm.customerId, amount_minor: 1250 });
  });

  it('a pushed sale is reported to its waiting Send to Terminal also when the payment is met again after a crash (classic and saga)', async () => {
    const metadata = { [STRIPE_METADATA_KEYS.customerId]: 'cus_pushed', [STRIPE_METADATA_KEYS.reference]: 'deal-42' };
    const e = normalizeStripeEvent(stripeEvent('charge.succeeded', chargeObject({ amount: 900, email: 'pushed@example.com', metadata })));
    const matched = await activities.match(await activities.tokenize(e));
    const first = await activities.upsert(matched);
    const again = await activities.upsert(matched);
    assert.deepEqual([first.crm.outcome, again.crm.outcome], ['recorded', 'duplicate']);
    assert.deepEqual(again.pushedSale, first.pushedSale);
    assert.deepEqual(first.pushedSale, { vendor: 'stripe', reference: 'deal-42' });
    const saga = createSagaActivities({ storeUrl: s.url, defaultRegion: 'US' });
    assert.deepEqual(await saga.sagaFollowUps(again), { pushedSaleWorkflowId: sendToTerminalWorkflowId('stripe', 'deal-42') });
    const unpushed = await activities.upsert(await activities.match(await activities.tokenize(event())));
    assert.equal(unpushed.pushedSale, undefined);
  });

  it("the saga's CRM sync step returns the item's crm.sync with what was fitted to Zoho's lengths, and no card data", async () => {
    nock.disableNetConnect();
    new ZohoMock({ clientId: '1000.C', clientSecret: 's', refreshToken: '1000.r', apiDomain: 'https://www.zohoapis.eu', accountsUrl: 'https://accounts.zoho.eu' }).start();
    try {
      const env = { ZOHO_CLIENT_ID: '1000.C', ZOHO_CLIENT_SECRET: 's', ZOHO_REFRESH_TOKEN: '1000.r', ZOHO_DATA_CENTER: 'eu' };
      const saga = createSagaActivities({ storeUrl: s.url, defaultRegion: 'US', crm: 'zoho', env, crmWaitMs: 5_000 });
      const e = normalizeStripeEvent(stripeEvent('charge.succeeded', chargeObject({ amount: 700, email: 'zip@example.com', postalCode: 'Z'.repeat(35), card: { fingerprint: 'fp_saga_notes' } })));
      const recorded = await activities.upsert(await activities.match(await activities.tokenize(e)));
      const sync = await saga.sagaCrmSync(recorded);
      assert.equal(sync?.status, 'synced', JSON.stringify(sync));
      assert.deepEqual(sync?.notes, [`${recorded.crm.customerId}: Mailing_Zip left out: 35 characters, over the 30 Zoho takes, and cutting it would make it wrong; correct it in Zoho by hand`]);
      assert.doesNotMatch(JSON.stringify(sync), /fp_saga_notes|Z{30}/, 'what goes into the workflow history names fields and lengths, never values or card data');
    } finally {
      nock.cleanAll();
      nock.enableNetConnect();
    }
  });

  it('turns an InputError into a non-retryable failure that keeps the field and the fix', async () => {
    const bad = { ...event(), amount: undefined } as never;
    await assert.rejects(activities.tokenize(bad), (e: unknown) => {
      assert.ok(e instanceof ApplicationFailure);
      assert.equal(e.type, 'InputError');
      assert.equal(e.nonRetryable, true);
      assert.match(e.message, /^amount: Tokenize input is not a valid PaymentEvent.*Fix: /);
      assert.deepEqual(e.details, [{ field: 'amount', fix: 'feed this step the output of a Terminal Trigger (or of the step before it) unchanged' }]);
      return true;
    });
  });

  it('leaves other errors retryable: a store that cannot be opened is worth another try', async () => {
    // The store file stands where its folder should be: opening fails.
    const broken = createActivities({ storeUrl: `sqlite:${join(s.url.slice('sqlite:'.length), 'store.db')}`, tokenKeys: TEST_TOKEN_KEYS, defaultRegion: 'US' });
    const tokenized = await broken.tokenize(event());
    await assert.rejects(broken.match(tokenized), (e: unknown) => !(e instanceof ApplicationFailure) && e instanceof Error && /EEXIST|ENOTDIR/.test(e.message));
  });

  /** Each activity run in an activity environment (regular, or local), and how many heartbeats it sent. */
  async function beatsOf(isLocal: boolean, run: Record<string, () => Promise<unknown>>): Promise<Record<string, number>> {
    const beats: Record<string, number> = {};
    for (const [name, call] of Object.entries(run)) {
      const env = new MockActivityEnvironment({ activityType: name, isLocal });
      beats[name] = 0;
      env.on('heartbeat', () => beats[name]!++);
      await env.run(call);
    }
    return beats;
  }

  it('each payment and saga step heartbeats while it runs as a regular activity (the workflows\' heartbeat timeout tells a lost attempt), none as a local one; reviewWait only answers a setting', async () => {
    const saga = createSagaActivities({ storeUrl: s.url, defaultRegion: 'US', crm: 'local' });
    const e = event();
    const about = { workflowId: `payment-stripe:${e.paymentId}`, eventId: e.id, source: e.source, paymentId: e.paymentId, reason: 'test' };
    const tokenized = await activities.tokenize(e);
    const matched = await saga.sagaMatch(tokenized);
    const recorded = await activities.upsert(matched);
    const everyStep = {
      tokenize: () => activities.tokenize(e),
      match: () => activities.match(tokenized),
      upsert: () => activities.upsert(matched),
      segment: () => activities.segment(recorded),
      loyalty: () => activities.loyalty(recorded),
      sagaMatch: () => saga.sagaMatch(tokenized),
      sagaMerge: () => saga.sagaMerge(matched),
      sagaUnmerge: () => saga.sagaUnmerge([]),
      sagaCrmMode: () => saga.sagaCrmMode(),
      sagaCrmSync: () => saga.sagaCrmSync(recorded),
      sagaMarkCrmFailed: () => saga.sagaMarkCrmFailed(about),
      sagaReversePoints: () => saga.sagaReversePoints(about),
      sagaAlert: () => saga.sagaAlert(about),
      sagaFollowUps: () => saga.sagaFollowUps(recorded),
    };
    const payment = Object.keys(createPaymentActivities({ storeUrl: s.url, tokenKeys: TEST_TOKEN_KEYS, defaultRegion: 'US' })).filter((n) => n !== 'reviewWait');
    assert.deepEqual(Object.keys(everyStep).sort(), [...payment, ...Object.keys(saga)].sort(), 'every step the payment workflows run as activities');
    const regular = await beatsOf(false, everyStep);
    assert.deepEqual(Object.entries(regular).filter(([, n]) => n < 1), [], 'each sent a heartbeat as it started');
    const local = await beatsOf(true, everyStep);
    assert.deepEqual(Object.entries(local).filter(([, n]) => n > 0), [], 'a local activity cannot heartbeat: none tried');
    assert.deepEqual(await beatsOf(false, { reviewWait: () => activities.reviewWait() }), { reviewWait: 0 }, 'the operator is waited for by the workflow, not by this activity');
  });

  it('refuses a bad token key setting when the activities are created, naming the variable', () => {
    assert.throws(
      () => createActivities({ storeUrl: s.url, tokenKeys: 'k1:short', defaultRegion: 'US' }),
      /^InputError: TERMINAL_CRM_TOKEN_KEYS: key "k1" is \d+ bytes, shorter than 32\. Fix: /,
    );
  });
});
