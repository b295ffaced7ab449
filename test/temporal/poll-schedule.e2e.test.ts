import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Client, type ScheduleHandle } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { SqlInbox } from '../../nodes/core/inbox/inbox';
import { normalizeStripeEvent, STRIPE_HANDLED_EVENT_TYPES } from '../../nodes/core/sources/stripe-terminal';
import { keyProviderFromSpec } from '../../nodes/core/tokenize/key-provider';
import { chargeObject, signedDelivery, stripeEvent } from '../../sandbox/simulator/stripe-terminal-events';
import { createActivities } from '../../temporal/activities/worker-activities';
import { createPollActivities } from '../../temporal/activities/poll-activities';
import { createSagaActivities } from '../../temporal/activities/saga-activities';
import { createPaymentWorker } from '../../temporal/payment-worker';
import { ensurePollSchedules, pollScheduleId } from '../../temporal/poll-schedule';
import { paymentWorkflowIdOfKind } from '../../temporal/start-payment/payment-workflow-setting';
import { startFromWebhook } from '../../temporal/start-from-webhook';
import type { paymentSaga } from '../../workflows/payment-saga';
import type { pollSource, PollSourceResult } from '../../workflows/poll-source';
import { squareApiFixture } from '../core/sources/square-fixtures';
import { ONE_LOCATION, serveSquareLocations } from '../core/sources/square-locations-mock';
import { stripeRequest } from '../support/stripe-delivery';
import { tempStore, TEST_TOKEN_KEYS, TEST_WEBHOOK_SECRET } from '../support/temp-store';
import { startDevServer, type DevServer } from './support/dev-server';
import { executeWithin, resultWithin } from './support/result-within';
import { sagaOutcomesOf } from './support/saga-outcomes';

const SQUARE = 'https://connect.squareup.com';
const SQUARE_TOKEN = 'EAAAl-temporal-poll-token';
const STRIPE_KEY = 'rk_test_51TemporalPollKey';
const PAGE_1_CURSOR = 'MzE6QTpVUERBVEVEX0FUOjE3NjM2NjE2MzI4ODA';
const CONTACTLESS = 'Hm3QxT8vWk2NcR5pLz7YbGd4sJfZY';
const CHIP = 'bP9mKz4TqXw2LrV7nJc8sHdY3fAZY';
const CUSTOMER = 'JDKYHBWT1D4F8MFH63DBMEN8Y4';
/** The worker's environment for the poll activity: the variables the webhook entry reads. */
const WORKER_ENV = { SQUARE_ACCESS_TOKEN: SQUARE_TOKEN, SQUARE_WEBHOOK_SIGNATURE_KEY: 'whsk_unused_when_polling', STRIPE_SECRET_KEY: STRIPE_KEY };

describe('polling on a real Temporal dev server (into the default payment workflow, the saga)', { timeout: 240_000 }, () => {
  let server: DevServer;
  let s: Awaited<ReturnType<typeof tempStore>>;
  let worker: Worker;
  let running: Promise<void>;
  let client: Client;
  let nock: typeof import('nock', { with: { 'resolution-mode': 'import' } }).default;
  const taskQueue = `poll-e2e-${randomUUID()}`;
  /** Every Square ListPayments request, as (cursor, updated_at_begin_time). */
  const squareLists: Array<[string | undefined, string | undefined]> = [];

  before(async () => {
    [server, s] = await Promise.all([startDevServer(), tempStore()]);
    // Through the Rust connection, as the worker's own client: nock (loaded next, for the processors' APIs) hangs
    // Node's http2, which the grpc-js client rides on.
    client = new Client({ connection: server.env.nativeConnection });
    nock = (await import('nock')).default;
    // Only the processors are mocked; the Temporal server is real.
    nock.disableNetConnect();
    nock.enableNetConnect((host) => /^(127\.0\.0\.1|localhost)(:\d+)?$/.test(host));
    const settings = { storeUrl: s.url, tokenKeys: TEST_TOKEN_KEYS, defaultRegion: 'US' as const };
    // The polled events go to the worker's default payment workflow, the saga.
    const activities = { ...createActivities(settings), ...createPollActivities({ ...settings, env: WORKER_ENV }), ...createSagaActivities({ ...settings, crm: 'local' }) };
    worker = await createPaymentWorker({ connection: server.env.nativeConnection, taskQueue, activities });
    running = worker.run();
  });
  after(async () => {
    if (worker && worker.getState() === 'RUNNING') worker.shutdown();
    await running?.catch(() => undefined);
    await server?.stop();
    await s?.remove();
    nock.cleanAll();
    nock.enableNetConnect();
    nock.restore();
  });

  /**
   * Square as ListPayments pages it: page 1 (a contactless sale; an authorization still APPROVED), then page 2 (a
   * chip sale with two completed refunds and a pending one). Asked again from the last change seen (Square's query
   * is inclusive), it lists the chip sale again.
   */
  function mockSquare() {
    const page1 = squareApiFixture('list-payments-page-1');
    const page2 = squareApiFixture('list-payments-page-2');
    const [earlier, completed, pending] = page2.payments[0].refund_ids as string[];
    const last = page2.payments[0].updated_at as string;
    /** Matches a ListPayments query, and records it when it does. */
    const listing = (match: (q: Record<string, string>) => boolean) => (q: Record<string, string>) => {
      // nock asks every interceptor's query matcher, whatever the path: only ListPayments sorts by UPDATED_AT.
      if (q.sort_field !== 'UPDATED_AT' || !match(q)) return false;
      squareLists.push([q.cursor, q.updated_at_begin_time]);
      return true;
    };
    // No SQUARE_LOCATION_ID: the seller's one location is looked up at the start of each round.
    serveSquareLocations(nock(SQUARE).persist().matchHeader('authorization', `Bearer ${SQUARE_TOKEN}`), ONE_LOCATION)
      .get('/v2/payments').query(listing((q) => q.cursor === PAGE_1_CURSOR || (!q.cursor && q.updated_at_begin_time === last))).reply(200, page2)
      .get('/v2/payments').query(listing((q) => !q.cursor && q.updated_at_begin_time !== last)).reply(200, page1)
      .get(`/v2/customers/${CUSTOMER}`).reply(200, squareApiFixture('retrieve-customer'))
      .get(`/v2/refunds/${earlier}`).reply(200, squareApiFixture('get-refund-earlier'))
      .get(`/v2/refunds/${completed}`).reply(200, squareApiFixture('get-refund-completed'))
      .get(`/v2/refunds/${pending}`).reply(200, squareApiFixture('get-refund-pending'));
  }

  async function scheduledRun(schedule: ScheduleHandle, n: number): Promise<PollSourceResult> {
    await schedule.trigger();
    let workflowId: string | undefined;
    for (let i = 0; i < 300 && !workflowId; i++) {
      workflowId = (await schedule.describe()).info.recentActions[n]?.action.workflow.workflowId;
      if (!workflowId) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(workflowId, `the schedule started run ${n + 1}`);
    return await resultWithin(client.workflow.getHandle<typeof pollSource>(workflowId));
  }

  const transactions = async () =>
    (await s.db.all<{ event_id: string; kind: string; amount_minor: number; currency: string }>('SELECT event_id, kind, amount_minor, currency FROM transactions ORDER BY event_id')).map((r) => ({ ...r }));

  it('a scheduled poll of Square records the listed payments in the store, and the next one records nothing twice', async () => {
    mockSquare();
    // Yearly, so only the test's own triggers run it.
    const created = await ensurePollSchedules(client, { taskQueue, sources: ['square'], cron: '0 0 1 1 *' });
    assert.deepEqual(created, { stripe: 'absent', square: 'created', zettle: 'absent', clover: 'absent', sumup: 'absent' });
    const schedule = client.schedule.getHandle(pollScheduleId('square'));

    const first = await scheduledRun(schedule, 0);
    const ids = [`square:payment:${CONTACTLESS}:COMPLETED`, `square:payment:${CHIP}:COMPLETED`, `square:payment:${CHIP}:refunded:1500`];
    // One saga per payment: the chip sale and its refund share one.
    const sagas = [`payment-square:${CONTACTLESS}`, `payment-square:${CHIP}`, `payment-square:${CHIP}`];
    assert.deepEqual(first, { source: 'square', fresh: 3, duplicates: 0, pages: 2, workflowIds: sagas, rounds: 1, more: false });
    const runs = new Map<string, string>();
    for (const [i, id] of ids.entries()) {
      assert.deepEqual(await sagaOutcomesOf(client, sagas[i]!, id), ['recorded'], id);
      runs.set(sagas[i]!, (await client.workflow.getHandle(sagas[i]!).describe()).runId);
    }
    const recorded = await transactions();
    assert.deepEqual(recorded.map((t) => [t.event_id, t.kind, t.amount_minor, t.currency]), [
      [`square:payment:${CONTACTLESS}:COMPLETED`, 'payment', 1250, 'EUR'],
      [`square:payment:${CHIP}:COMPLETED`, 'payment', 4599, 'USD'],
      [`square:payment:${CHIP}:refunded:1500`, 'refund', 1500, 'USD'],
    ]);

    const second = await scheduledRun(schedule, 1);
    assert.deepEqual([second.fresh, second.duplicates, second.pages], [0, 2, 1]);
    assert.deepEqual(await transactions(), recorded);
    for (const [id, runId] of runs) assert.equal((await client.workflow.getHandle(id).describe()).runId, runId, `${id}: not run again`);
    // Page 2 was asked for by cursor; the second run started from the last change seen.
    assert.deepEqual(squareLists.map(([cursor, since]) => [cursor ?? null, since === squareLists[0]![1] ? 'since' : since]), [
      [null, 'since'],
      [PAGE_1_CURSOR, 'since'],
      [null, '2026-11-21T09:14:31.402Z'],
    ]);

    // The operator's default: every minute. Then polling Square is turned off.
    assert.deepEqual((await ensurePollSchedules(client, { taskQueue, sources: ['square'], cron: '@every 1m' })).square, 'updated');
    const every = (await schedule.describe()).spec;
    assert.deepEqual(every.intervals?.map((i) => i.every), [60_000]);
    assert.equal((await schedule.describe()).policies.overlap, 'SKIP');
    assert.deepEqual((await ensurePollSchedules(client, { taskQueue, sources: [], cron: '@every 1m' })).square, 'removed');
  });

  it('a Stripe payment that came by webhook and is then polled is one saga run and one transaction', async () => {
    const t0 = Math.floor(Date.now() / 1000) - 600;
    const sale = (n: number) => stripeEvent('charge.succeeded', chargeObject({ amount: n * 1111, email: `poll${n}@example.com`, created: t0 + n }), { id: `evt_1TemporalPoll${n}${randomUUID().slice(0, 8)}`, created: t0 + n });
    const [a, b] = [sale(1), sale(2)];
    const inbox = new SqlInbox(s.db, keyProviderFromSpec(TEST_TOKEN_KEYS));
    const byWebhook = await startFromWebhook(client, 'stripe', stripeRequest(signedDelivery(a, TEST_WEBHOOK_SECRET)), { credentials: { signingSecret: TEST_WEBHOOK_SECRET }, inbox }, { taskQueue });
    const [sagaA, sagaB] = [a, b].map((e) => paymentWorkflowIdOfKind(normalizeStripeEvent(e)));
    assert.deepEqual(byWebhook.workflowIds, [sagaA]);
    const webhookRun = await resultWithin(client.workflow.getHandle<typeof paymentSaga>(sagaA!));
    assert.deepEqual(webhookRun.events.map((e) => e.outcome), ['recorded']);

    const types = Object.fromEntries(STRIPE_HANDLED_EVENT_TYPES.map((t, i) => [`types[${i}]`, t]));
    const stripe = nock('https://api.stripe.com')
      .matchHeader('authorization', `Bearer ${STRIPE_KEY}`)
      .get('/v1/events').query({ ...types, limit: '100', 'created[gte]': String(t0) })
      .reply(200, { object: 'list', url: '/v1/events', has_more: false, data: [b, a] });
    const polled = await executeWithin(client.workflow.start<typeof pollSource>('pollSource', {
      workflowId: `poll-stripe-${randomUUID()}`,
      taskQueue,
      args: [{ source: 'stripe', since: new Date(t0 * 1000).toISOString() }],
    }));
    assert.ok(stripe.isDone());
    // The webhook's payment is recorded: the poll hands over only the other, and starts no run for the first.
    assert.deepEqual([polled.fresh, polled.duplicates, polled.workflowIds], [1, 1, [sagaB]]);
    assert.deepEqual(await sagaOutcomesOf(client, sagaB!, `stripe:${b.id}`), ['recorded']);
    assert.deepEqual(await sagaOutcomesOf(client, sagaA!, `stripe:${a.id}`), ['recorded'], 'one run of the first payment\'s saga');
    const rows = await s.db.all<{ event_id: string; amount_minor: number }>('SELECT event_id, amount_minor FROM transactions WHERE event_id IN (?, ?) ORDER BY amount_minor', [`stripe:${a.id}`, `stripe:${b.id}`]);
    assert.deepEqual(rows.map((r) => ({ ...r })), [{ event_id: `stripe:${a.id}`, amount_minor: 1111 }, { event_id: `stripe:${b.id}`, amount_minor: 2222 }]);
  });
});
