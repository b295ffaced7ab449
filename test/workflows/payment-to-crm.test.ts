import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { stripeTerminalSource } from '../../nodes/core/sources/stripe-terminal';
import { chargeObject, stripeEvent } from '../../sandbox/simulator/stripe-terminal-events';
import { createActivities, type PaymentActivities } from '../../temporal/activities/payment-activities';
import { createPaymentWorker, WORKFLOWS_PATH } from '../../temporal/payment-worker';
import { paymentWorkflowId } from '../../temporal/start-payment-workflow';
import type { paymentToCrm } from '../../workflows/payment-to-crm';
import { eventTypeName } from '../temporal/support/history-text';
import { startTimeSkippingServer } from '../temporal/support/dev-server';
import { tempStore, TEST_TOKEN_KEYS } from '../support/temp-store';

const TWO_HOURS = 2 * 60 * 60 * 1000;

describe('paymentToCrm workflow (time-skipping test server)', () => {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleWithSourceMap;
  let s: Awaited<ReturnType<typeof tempStore>>;
  before(async () => {
    [env, bundle, s] = await Promise.all([startTimeSkippingServer(), bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('WARN') }), tempStore()]);
  });
  after(async () => {
    await env?.teardown();
    await s?.remove();
  });

  const event = () => stripeTerminalSource.normalize(stripeEvent('charge.succeeded', chargeObject({ amount: 4200, email: 'grace@example.com' })));
  const real = () => createActivities({ storeUrl: s.url, tokenKeys: TEST_TOKEN_KEYS, defaultRegion: 'US' });

  async function run(activities: PaymentActivities, input: unknown) {
    const taskQueue = `wf-test-${randomUUID()}`;
    const worker = await createPaymentWorker({ connection: env.nativeConnection, taskQueue, activities, workflowBundle: bundle });
    const workflowId = paymentWorkflowId((input as { id: string }).id);
    const outcome = await worker.runUntil(
      env.client.workflow.execute<typeof paymentToCrm>('paymentToCrm', { workflowId, taskQueue, args: [input as never] }).then(
        (result) => ({ result, error: undefined }),
        (error: unknown) => ({ result: undefined, error }),
      ),
    );
    return { ...outcome, history: await env.client.workflow.getHandle(workflowId).fetchHistory() };
  }

  it('keeps retrying a CRM that is down for two hours, then records the payment', async () => {
    const activities = real();
    const startedAt = await env.currentTimeMs();
    let attempts = 0;
    const flaky: PaymentActivities = {
      ...activities,
      match: async (message) => {
        attempts++;
        if ((await env.currentTimeMs()) - startedAt < TWO_HOURS) throw new Error('CRM unavailable (simulated outage)');
        return activities.match(message);
      },
    };
    const e = event();
    const { result, error, history } = await run(flaky, e);
    assert.equal(error, undefined);
    assert.ok((await env.currentTimeMs()) - startedAt >= TWO_HOURS, 'the server clock went past the outage');
    // 1 s doubling to the 10 min cap: ~10 quick attempts, then one every ten minutes for the rest of two hours.
    assert.ok(attempts >= 15 && attempts <= 30, `${attempts} attempts`);
    const row = await s.db.get<{ customer_id: string }>('SELECT customer_id FROM transactions WHERE event_id = ?', [e.id]);
    assert.deepEqual(result, { eventId: e.id, customerId: row!.customer_id, outcome: 'recorded', decision: 'create', matchedOn: [], customerCreated: true });

    const scheduled = history.events!.filter((ev) => ev.activityTaskScheduledEventAttributes).map((ev) => ev.activityTaskScheduledEventAttributes!);
    assert.deepEqual(scheduled.map((a) => a.activityType!.name), ['tokenize', 'match', 'upsert']);
    const policy = scheduled[1]!.retryPolicy!;
    assert.equal(Number(policy.initialInterval!.seconds), 1);
    assert.equal(policy.backoffCoefficient, 2);
    assert.equal(Number(policy.maximumInterval!.seconds), 600);
    assert.equal(policy.maximumAttempts ?? 0, 0);
    assert.deepEqual(policy.nonRetryableErrorTypes, ['InputError']);
    assert.equal(Number(scheduled[1]!.scheduleToCloseTimeout!.seconds), 3 * 24 * 3600);
  });

  it('fails at once on an InputError, with the field and the fix in the failure and nothing written', async () => {
    const activities = real();
    let calls = 0;
    const counted: PaymentActivities = { ...activities, tokenize: (ev) => (calls++, activities.tokenize(ev)) };
    const bad = { ...event(), amount: { minor: 12.5, currency: 'usd' } };
    const { error, history } = await run(counted, bad);
    assert.ok(error instanceof WorkflowFailedError, String(error));
    assert.ok(error.cause instanceof ActivityFailure);
    const failure = error.cause.cause;
    assert.ok(failure instanceof ApplicationFailure);
    assert.equal(failure.type, 'InputError');
    assert.equal(failure.nonRetryable, true);
    assert.match(failure.message, /^amount\.\w+: Tokenize input is not a valid PaymentEvent v1 — .*\. Fix: feed this step the output of a Terminal Trigger/);
    assert.equal(calls, 1);
    assert.equal(history.events!.filter((ev) => eventTypeName(ev) === 'activityTaskScheduledEventAttributes').length, 1);
    assert.equal(await s.db.get('SELECT event_id FROM transactions WHERE event_id = ?', [bad.id]), undefined);
  });
});
