import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { parseLoyaltyProgram } from '../../nodes/core/loyalty/program';
import { normalizeStripeEvent } from '../../nodes/core/sources/stripe-terminal';
import { chargeObject, stripeEvent } from '../../sandbox/simulator/stripe-terminal-events';
import { createActivities, type ActivitySettings, type TerminalCrmActivities } from '../../temporal/activities/worker-activities';
import { createPaymentWorker, WORKFLOWS_PATH } from '../../temporal/payment-worker';
import { paymentWorkflowId, startPaymentWorkflow } from '../../temporal/start-payment/start-payment-workflow';
import type { paymentToCrm } from '../../workflows/payment-to-crm';
import { eventText, eventTypeName } from '../temporal/support/history-text';
import { startTimeSkippingServer } from '../temporal/support/dev-server';
import { tempStore, TEST_TOKEN_KEYS } from '../support/temp-store';
import { executeWithin, resultWithin } from '../temporal/support/result-within';

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

  const event = (email = 'grace@example.com', amount = 4200) => normalizeStripeEvent(stripeEvent('charge.succeeded', chargeObject({ amount, email })));
  const real = (more: Partial<ActivitySettings> = {}) => createActivities({ storeUrl: s.url, tokenKeys: TEST_TOKEN_KEYS, defaultRegion: 'US', ...more });
  const program = parseLoyaltyProgram({ id: 'wf-test', currency: 'USD', points: { perUnit: 2 } });

  async function run(activities: TerminalCrmActivities, input: unknown) {
    const taskQueue = `wf-test-${randomUUID()}`;
    const worker = await createPaymentWorker({ connection: env.nativeConnection, taskQueue, activities, workflowBundle: bundle });
    const workflowId = paymentWorkflowId((input as { id: string }).id);
    const outcome = await worker.runUntil(
      executeWithin(env.client.workflow.start<typeof paymentToCrm>('paymentToCrm', { workflowId, taskQueue, args: [input as never] })).then(
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
    const flaky: TerminalCrmActivities = {
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
    assert.deepEqual({ ...result, segment: undefined }, {
      eventId: e.id, customerId: row!.customer_id, outcome: 'recorded', decision: 'create', candidateId: null, review: null, matchedOn: [], customerCreated: true, segment: undefined, loyalty: null,
    });
    assert.equal(result!.segment!.outcome, 'updated', 'the Segment step is on with its defaults');

    const scheduled = history.events!.filter((ev) => ev.activityTaskScheduledEventAttributes).map((ev) => ev.activityTaskScheduledEventAttributes!);
    assert.deepEqual(scheduled.map((a) => a.activityType!.name), ['tokenize', 'match', 'upsert', 'segment', 'loyalty']);
    const policy = scheduled[1]!.retryPolicy!;
    assert.equal(Number(policy.initialInterval!.seconds), 1);
    assert.equal(policy.backoffCoefficient, 2);
    assert.equal(Number(policy.maximumInterval!.seconds), 600);
    assert.equal(policy.maximumAttempts ?? 0, 0);
    assert.deepEqual(policy.nonRetryableErrorTypes, ['InputError']);
    assert.equal(Number(scheduled[1]!.scheduleToCloseTimeout!.seconds), 3 * 24 * 3600);
    // The steps heartbeat while they run (payment-activities.test): a lost attempt is retried within this.
    assert.deepEqual(scheduled.map((a) => Number(a.heartbeatTimeout?.seconds ?? 0)), [30, 30, 30, 30, 30]);
  });

  it('fails at once on an InputError, with the field and the fix in the failure and nothing written', async () => {
    const activities = real();
    let calls = 0;
    const counted: TerminalCrmActivities = { ...activities, tokenize: (ev) => (calls++, activities.tokenize(ev)) };
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

  it('runs Segment and Loyalty after upsert; a Loyalty attempt lost after its commit is retried, the points counted once and the enrolment still reported', async () => {
    const activities = real({ loyalty: program });
    let attempts = 0;
    const lossy: TerminalCrmActivities = {
      ...activities,
      loyalty: async (message) => {
        const answer = await activities.loyalty(message);
        if (++attempts === 1) throw new Error('worker lost after the commit (simulated)');
        return answer;
      },
    };
    const e = event('ada@example.com', 1999);
    const { result, error, history } = await run(lossy, e);
    assert.equal(error, undefined);
    assert.equal(attempts, 2);
    const customerId = result!.customerId!;
    assert.deepEqual(result!.loyalty, {
      programId: 'wf-test', outcome: 'duplicate', customerId, enrolled: true, tier: null, pointsBalance: 39, pointsHeld: 0, pointsChange: 0,
      events: [{ type: 'enrolled', programId: 'wf-test', customerId, at: e.occurredAt }],
    });
    const ledger = await s.db.get<{ n: number; points: number }>('SELECT COUNT(*) AS n, SUM(points) AS points FROM loyalty_ledger WHERE program_id = ? AND customer_id = ?', ['wf-test', customerId]);
    assert.deepEqual({ n: Number(ledger!.n), points: Number(ledger!.points) }, { n: 1, points: 39 });
    assert.deepEqual({ ...result!.segment, flags: undefined }, {
      outcome: 'updated', customerId, currency: 'USD', name: 'New', flags: undefined, rfm: null, pAlive: null,
    });
    assert.equal(result!.segment!.flags!.anomaly, false);

    // What the history keeps of the two steps is what a caller branches on, not the statistics or CRM fields.
    const text = history.events!.map(eventText).join('\n');
    assert.ok(!text.includes('crmFields') && !text.includes('preferences'), 'segment statistics and CRM fields stay out of the history');
    const inputs = history.events!.filter((ev) => ['segment', 'loyalty'].includes(ev.activityTaskScheduledEventAttributes?.activityType?.name ?? '')).map(eventText);
    assert.equal(inputs.length, 2);
    assert.ok(inputs.every((t) => t.includes(customerId) && !t.includes('explanation')), 'their input names the customer, without the match result a second time');
    // The workflow code replays to the same decisions.
    await Worker.runReplayHistory({ workflowBundle: bundle }, history, paymentWorkflowId(e.id));
  });

  it('an operator\'s replay of a failed run does not count the points again', async () => {
    const activities = real({ loyalty: program });
    let loyaltyDone!: () => void;
    const done = new Promise<void>((resolve) => (loyaltyDone = resolve));
    // Segment fails for good only once Loyalty has committed: the run fails with the points already counted.
    const broken: TerminalCrmActivities = {
      ...activities,
      loyalty: async (message) => {
        try {
          return await activities.loyalty(message);
        } finally {
          loyaltyDone();
        }
      },
      segment: async () => {
        await done;
        throw ApplicationFailure.nonRetryable('segment settings rejected (simulated)', 'InputError');
      },
    };
    const e = event('lin@example.com', 5000);
    const first = await run(broken, e);
    assert.ok(first.error instanceof WorkflowFailedError, String(first.error));

    const taskQueue = `wf-replay-${randomUUID()}`;
    const worker = await createPaymentWorker({ connection: env.nativeConnection, taskQueue, activities: real({ loyalty: program }), workflowBundle: bundle });
    const replayed = await worker.runUntil(async () => resultWithin(await startPaymentWorkflow(env.client, e, { taskQueue })));
    assert.equal(replayed.outcome, 'duplicate', 'the CRM had recorded it');
    assert.equal(replayed.loyalty!.outcome, 'duplicate');
    assert.equal(replayed.loyalty!.pointsBalance, 100);
    assert.equal(replayed.segment!.outcome, 'updated', 'the step that failed runs now');
    const ledger = await s.db.all('SELECT entry_key FROM loyalty_ledger WHERE program_id = ? AND customer_id = ?', ['wf-test', replayed.customerId]);
    assert.equal(ledger.length, 1);
  });
});
