import { randomUUID } from 'node:crypto';
import { after, before } from 'node:test';
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { normalizeStripeEvent } from '../../../nodes/core/sources/stripe-terminal';
import { chargeObject, stripeEvent } from '../../../sandbox/simulator/stripe-terminal-events';
import { pendingReviewQuery, type PendingReview } from '../../../workflows/review';
import { seedCustomers, strangers } from '../../core/match/match-fixtures';
import { createActivities, type ActivitySettings } from '../../../temporal/activities/worker-activities';
import { createSagaActivities } from '../../../temporal/activities/saga-activities';
import { createPaymentWorker, WORKFLOWS_PATH } from '../../../temporal/payment-worker';
import { startTimeSkippingServer } from '../../temporal/support/dev-server';
import { tempStore, TEST_TOKEN_KEYS } from '../../support/temp-store';

let card = 7000;
/**
 * "John Smith, 94110" against a stored Jonathan Smith of 94110 scores about 0.69: in the review band. A new card
 * and charge each time; `refund` is Stripe's charge.refunded for that same charge.
 */
export function probablyJonPayment() {
  card++;
  const spec = { amount: 2500, name: 'John Smith', postalCode: '94110', card: { last4: String(card), fingerprint: `fp_rv_${card}` }, chargeId: `ch_rv${card}`, paymentIntentId: `pi_rv${card}` };
  return {
    sale: normalizeStripeEvent(stripeEvent('charge.succeeded', chargeObject(spec))),
    refund: (amountRefunded: number) => normalizeStripeEvent(stripeEvent('charge.refunded', chargeObject({ ...spec, amountRefunded }))),
  };
}
export const probablyJon = () => probablyJonPayment().sale;

/** A store of thirty strangers and Jonathan Smith (cus_jon), so probablyJon() is a review for cus_jon. */
export async function storeWithJonathan() {
  const s = await tempStore();
  await seedCustomers(s.crm, [...strangers(), { id: 'cus_jon', givenName: 'Jonathan', familyName: 'Smith', email: 'jonathan.smith@example.com', postalCode: '94110' }]);
  return s;
}

/** Queries do not move the test server's clock, so the wait cannot run out while this polls. */
export async function waitingReviewOf(client: Client, workflowId: string): Promise<PendingReview> {
  const handle = client.workflow.getHandle(workflowId);
  for (let i = 0; i < 200; i++) {
    const pending = await handle.query(pendingReviewQuery).catch(() => null);
    if (pending) return pending;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${workflowId} never started waiting for review`);
}

export const customerOf = async (s: Awaited<ReturnType<typeof tempStore>>, eventId: string) =>
  (await s.db.get<{ customer_id: string }>('SELECT customer_id FROM transactions WHERE event_id = ?', [eventId]))?.customer_id;

/**
 * A time-skipping test server and the workflow bundle for the file (before/after hooks registered here: call at
 * the top of a describe), stores with Jonathan Smith removed at the end, and a worker with the payment and saga
 * activities over a store.
 */
export function reviewRig(queuePrefix: string) {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleWithSourceMap;
  const stores: Awaited<ReturnType<typeof storeWithJonathan>>[] = [];
  before(async () => {
    [env, bundle] = await Promise.all([startTimeSkippingServer(), bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('WARN') })]);
  });
  after(async () => {
    await env?.teardown();
    for (const s of stores) await s.remove();
  });
  return {
    env: () => env,
    bundle: () => bundle,
    async storeWithJon() {
      const s = await storeWithJonathan();
      stores.push(s);
      return s;
    },
    async withWorker<T>(storeUrl: string, more: Partial<ActivitySettings>, body: (taskQueue: string) => Promise<T>): Promise<T> {
      const taskQueue = `${queuePrefix}-${randomUUID()}`;
      const activities = {
        ...createActivities({ storeUrl, tokenKeys: TEST_TOKEN_KEYS, defaultRegion: 'US', ...more }),
        ...createSagaActivities({ storeUrl, defaultRegion: 'US', crm: 'local' }),
      };
      const worker = await createPaymentWorker({ connection: env.nativeConnection, taskQueue, activities, workflowBundle: bundle });
      return worker.runUntil(body(taskQueue));
    },
  };
}
