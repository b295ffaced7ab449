import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { normalizeStripeEvent } from '../../nodes/core/sources/stripe-terminal';
import { waitUntil } from '../../sandbox/run/shared/wait-until';
import { chargeObject, stripeEvent } from '../../sandbox/simulator/stripe-terminal-events';
import { createActivities } from '../../temporal/activities/worker-activities';
import { createSagaActivities } from '../../temporal/activities/saga-activities';
import { createPaymentWorker } from '../../temporal/payment-worker';
import { startPaymentSaga } from '../../temporal/start-payment/start-payment-saga';
import { startPaymentWorkflow } from '../../temporal/start-payment/start-payment-workflow';
import type { PendingReview } from '../../workflows/review';
import { tempStore, TEST_TOKEN_KEYS } from '../support/temp-store';
import { storeWithJonathan } from '../workflows/support/review-fixtures';
import { startDevServer, type DevServer } from './support/dev-server';
import { resultWithin } from './support/result-within';

// The compiled command line, as `npx terminal-crm` runs it (here from build/).
const CLI_JS = join(__dirname, '..', '..', 'bin', 'terminal-crm.js');
const run = promisify(execFile);

describe('terminal-crm review against a real Temporal dev server', () => {
  let server: DevServer;
  let s: Awaited<ReturnType<typeof tempStore>>;
  const stores: Awaited<ReturnType<typeof tempStore>>[] = [];
  /** "John Smith, 94110" is a review for Jonathan Smith (cus_jon) in it. */
  async function storeWithJon() {
    const store = await storeWithJonathan();
    stores.push(store);
    return store;
  }
  before(async () => {
    [server, s] = await Promise.all([startDevServer(), storeWithJon()]);
  });
  after(async () => {
    await server?.stop();
    for (const store of stores) await store.remove();
  });

  const cliOf = (taskQueue: string) => {
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TEMPORAL_ADDRESS: server.env.address, TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: taskQueue };
    return (...args: string[]) => run(process.execPath, [CLI_JS, 'review', ...args], { env, timeout: 30_000 });
  };
  const charge = (name: string, postalCode: string) =>
    normalizeStripeEvent(stripeEvent('charge.succeeded', chargeObject({ amount: 3100, name, postalCode, card: { last4: '4321', fingerprint: `fp_${randomUUID()}` } })));
  /** Visibility (the list) trails the start by a moment. */
  const listedReviews = async (cli: ReturnType<typeof cliOf>) => {
    const listed = await waitUntil('the review to be listed', 20_000, async () => {
      const { stdout } = await cli('list');
      return stdout.trim() ? stdout : undefined;
    });
    return listed.trim().split('\n').map((l) => JSON.parse(l) as PendingReview);
  };

  it('lists the payment waiting for review in the task queue and links it to the candidate on `resolve --link`', async () => {
    const taskQueue = `review-cli-${randomUUID()}`;
    const cli = cliOf(taskQueue);
    const review = charge('John Smith', '94110');
    const plain = charge('Zed Quill', '10001');

    const activities = createActivities({ storeUrl: s.url, tokenKeys: TEST_TOKEN_KEYS, defaultRegion: 'US', segment: null });
    const worker = await createPaymentWorker({ connection: server.env.nativeConnection, taskQueue, activities });
    const result = await worker.runUntil(async () => {
      const plainResult = await resultWithin(await startPaymentWorkflow(server.env.client, plain, { taskQueue }));
      assert.equal(plainResult.review, null);
      const handle = await startPaymentWorkflow(server.env.client, review, { taskQueue });
      const lines = await listedReviews(cli);
      assert.deepEqual(lines.map((l) => [l.eventId, l.candidateId]), [[review.id, 'cus_jon']], 'only the waiting payment, not the completed one');
      assert.match(lines[0]!.explanation, /^Probably cus_jon/);

      const resolved = await cli('resolve', review.id, '--link');
      assert.equal(resolved.stdout, `${review.id}: sent — it will be recorded under cus_jon (the candidate)\n`);
      const done = await resultWithin(handle);
      // Decided: a second answer is refused, and nothing is sent.
      const again = await cli('resolve', review.id, '--new').then(
        () => assert.fail('a decided payment must be refused'),
        (e: { code?: number; stderr?: string }) => e,
      );
      assert.equal(again.code, 1);
      assert.match(again.stderr ?? '', new RegExp(`${review.id}: not waiting for a review`));
      return done;
    });
    assert.deepEqual([result.decision, result.review, result.customerId], ['review', 'operator-link', 'cus_jon']);
    const row = await s.db.get<{ customer_id: string }>('SELECT customer_id FROM transactions WHERE event_id = ?', [review.id]);
    assert.equal(row?.customer_id, 'cus_jon');
  });

  it('lists a payment saga waiting for review (its id names the payment, not the event) and resolves it by the event id', async () => {
    const store = await storeWithJon();
    const taskQueue = `review-cli-saga-${randomUUID()}`;
    const cli = cliOf(taskQueue);
    const review = charge('John Smith', '94110');
    const activities = {
      ...createActivities({ storeUrl: store.url, tokenKeys: TEST_TOKEN_KEYS, defaultRegion: 'US', segment: null }),
      ...createSagaActivities({ storeUrl: store.url, defaultRegion: 'US', crm: 'local' }),
    };
    const worker = await createPaymentWorker({ connection: server.env.nativeConnection, taskQueue, activities });
    const result = await worker.runUntil(async () => {
      const handle = await startPaymentSaga(server.env.client, review, { taskQueue });
      assert.notEqual(handle.workflowId, `payment-${review.id}`);
      const lines = await listedReviews(cli);
      assert.deepEqual(lines.map((l) => [l.eventId, l.candidateId]), [[review.id, 'cus_jon']]);
      const resolved = await cli('resolve', review.id, '--new');
      assert.equal(resolved.stdout, `${review.id}: sent — it will be recorded under a new customer\n`);
      return resultWithin(handle);
    });
    assert.deepEqual(result.events.map((e) => [e.eventId, e.review]), [[review.id, 'operator-new']]);
    const row = await store.db.get<{ customer_id: string }>('SELECT customer_id FROM transactions WHERE event_id = ?', [review.id]);
    assert.equal(row?.customer_id, result.events[0]!.customerId);
    assert.notEqual(row?.customer_id, 'cus_jon');
  });
});
