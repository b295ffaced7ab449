import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, afterEach, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { CrmRateLimitError, CrmValidationError } from '../../nodes/core/crm/saas/crm-errors';
import { parseLoyaltyProgram } from '../../nodes/core/loyalty/program';
import { normalizeStripeEvent } from '../../nodes/core/sources/stripe-terminal';
import { chargeObject, stripeEvent } from '../../sandbox/simulator/stripe-terminal-events';
import { createActivities, type TerminalCrmActivities } from '../../temporal/activities/worker-activities';
import { createSagaActivities, typedFailures, type SagaSettings } from '../../temporal/activities/saga-activities';
import type { SagaActivities } from '../../workflows/activity-contracts/saga-activities';
import { createPaymentWorker, WORKFLOWS_PATH } from '../../temporal/payment-worker';
import { paymentSagaWorkflowId, startPaymentSaga } from '../../temporal/start-payment/start-payment-saga';
import { PAYMENT_SAGA_FAILED, SAGA_COMPENSATES_ON_CANCEL_PATCH, SAGA_LOCAL_STEPS_PATCH, SAGA_ONE_TASK_PATCH } from '../../workflows/payment-saga';
import { PAYMENT_STEP_HEARTBEAT_TIMEOUT } from '../../workflows/heartbeat-timeout';
import { activitiesOf, patchesOf } from './support/history-activities';
import { seedCustomers } from '../core/match/match-fixtures';
import { startTimeSkippingServer } from '../temporal/support/dev-server';
import { resultWithin, settledWithin } from '../temporal/support/result-within';
import { tempStore, TEST_TOKEN_KEYS } from '../support/temp-store';

type Activities = TerminalCrmActivities & SagaActivities;
const program = parseLoyaltyProgram({ id: 'saga-test', currency: 'USD', points: { perUnit: 1 } });

describe('paymentSaga workflow (time-skipping test server)', { timeout: 180_000 }, () => {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleWithSourceMap;
  let s: Awaited<ReturnType<typeof tempStore>>;
  before(async () => {
    [env, bundle] = await Promise.all([startTimeSkippingServer(), bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('WARN') })]);
  });
  after(async () => {
    await env?.teardown();
  });
  beforeEach(async () => {
    s = await tempStore();
  });
  afterEach(async () => {
    await s?.remove();
  });

  const real = (more: Partial<SagaSettings> = {}): Activities => ({
    ...createActivities({ storeUrl: s.url, tokenKeys: TEST_TOKEN_KEYS, defaultRegion: 'US', loyalty: program }),
    ...createSagaActivities({ storeUrl: s.url, defaultRegion: 'US', loyalty: program, crm: 'local', ...more }),
  });
  const sale = (over: Parameters<typeof chargeObject>[0]) => normalizeStripeEvent(stripeEvent('charge.succeeded', chargeObject(over)));

  async function withWorker<T>(activities: Activities, fn: (taskQueue: string) => Promise<T>): Promise<T> {
    const taskQueue = `saga-${randomUUID()}`;
    const worker = await createPaymentWorker({ connection: env.nativeConnection, taskQueue, activities, workflowBundle: bundle });
    return worker.runUntil(fn(taskQueue));
  }
  const count = async (sql: string, params: unknown[]) => Number((await s.db.get<{ n: number }>(sql, params as never))!.n);

  it('records a payment once: one run per payment id, the steps in order, and a redelivery after it finished changes nothing', async () => {
    const e = sale({ amount: 4200, email: 'grace@example.com', name: 'Grace Hopper' });
    const [first, again] = await withWorker(real(), async (taskQueue) => {
      const handle = await startPaymentSaga(env.client, e, { taskQueue });
      assert.equal(handle.workflowId, `payment-stripe:${e.paymentId}`);
      const done = await resultWithin(handle);
      const history = await handle.fetchHistory();
      // Every step is store-only here (the local CRM): all local activities, in one workflow task.
      assert.deepEqual(activitiesOf(history), ['tokenize', 'sagaMatch', 'upsert', 'sagaCrmMode', 'segment', 'loyalty', 'sagaFollowUps'].map((type) => ({ type, local: true })));
      assert.deepEqual(patchesOf(history), [SAGA_LOCAL_STEPS_PATCH, SAGA_ONE_TASK_PATCH]);
      assert.equal(history.events!.filter((x) => x.workflowTaskCompletedEventAttributes).length, 1, 'one workflow task');
      const redelivered = await resultWithin(await startPaymentSaga(env.client, e, { taskQueue }));
      return [done, redelivered];
    });
    assert.equal(first.events.length, 1);
    assert.equal(first.events[0]!.outcome, 'recorded');
    assert.equal(first.events[0]!.loyalty!.pointsBalance, 42);
    assert.equal(again.events[0]!.outcome, 'duplicate');
    assert.equal(await count('SELECT COUNT(*) AS n FROM transactions WHERE event_id = ?', [e.id]), 1);
    assert.equal(await count('SELECT COUNT(*) AS n FROM loyalty_ledger WHERE event_id = ?', [e.id]), 1);
    const totals = await s.db.get<{ payments: number; gross_minor: number }>('SELECT payments, gross_minor FROM customer_totals WHERE customer_id = ?', [first.events[0]!.customerId]);
    assert.deepEqual({ payments: Number(totals!.payments), gross: Number(totals!.gross_minor) }, { payments: 1, gross: 4200 });
  });

  it('loyalty failing for good after a merge and points: points reversed, merge undone, CRM write marked failed, alert written, run failed with the reason', async () => {
    await seedCustomers(s.crm, [
      { id: 'cus_a', givenName: 'Ada', familyName: 'Lovelace', email: 'ada@example.com' },
      { id: 'cus_b', givenName: 'Ada', familyName: 'Lovelace', keys: [{ kind: 'processorCustomerId', value: 'stripe:cus_s1' }] },
    ]);
    const customer = async (id: string) => ({
      row: await s.db.get('SELECT id, given_name, family_name, email, merged_into FROM customers WHERE id = ?', [id]),
      keys: await s.db.all('SELECT kind, value FROM customer_keys WHERE customer_id = ? ORDER BY kind, value', [id]),
    });
    const before = { a: await customer('cus_a'), b: await customer('cus_b') };
    const activities = real({ crm: 'hubspot', env: {} });
    let pointsGranted = 0;
    const broken: Activities = {
      ...activities,
      loyalty: async (message) => {
        pointsGranted = (await activities.loyalty(message))!.pointsChange;
        throw ApplicationFailure.nonRetryable('loyalty program "saga-test" rejected the member (simulated)', 'InputError');
      },
    };
    const e = sale({ amount: 5000, email: 'ada@example.com', name: 'Ada Lovelace', customer: 'cus_s1' });
    const { error } = await withWorker(broken, async (taskQueue) => settledWithin(await startPaymentSaga(env.client, e, { taskQueue })));

    assert.ok(error instanceof WorkflowFailedError, String(error));
    const failure = error.cause;
    assert.ok(failure instanceof ApplicationFailure);
    assert.equal(failure.type, PAYMENT_SAGA_FAILED);
    assert.match(failure.message, /loyalty program "saga-test" rejected the member/);
    const [{ events }] = failure.details as [{ events: { failure?: { compensated: string[] } }[] }];
    assert.deepEqual(events[0]!.failure!.compensated, ['points-reversed', 'crm-marked-failed', 'unmerge'], 'latest first');

    const merges = await s.db.all<{ from_id: string; undone_at: string | null }>('SELECT from_id, undone_at FROM identity_merges');
    assert.equal(merges.length, 1, 'the match proposed a merge and the saga made it');
    assert.ok(merges[0]!.undone_at, 'and undid it');
    assert.deepEqual({ a: (await customer('cus_a')).row, b: (await customer('cus_b')).row }, { a: before.a.row, b: before.b.row });
    assert.deepEqual((await customer(merges[0]!.from_id)).keys, before[merges[0]!.from_id === 'cus_a' ? 'a' : 'b'].keys, 'the merged-away customer has its keys back');

    assert.equal(pointsGranted, 50);
    const entries = await s.db.all<{ kind: string; points: number; entry_key: string }>('SELECT kind, points, entry_key FROM loyalty_ledger WHERE event_id = ? ORDER BY recorded_at, entry_key', [e.id]);
    assert.deepEqual(entries.map((x) => [x.entry_key.split(':')[0], Number(x.points)]), [['earn', 50], ['compensate', -50]]);
    const balance = await s.db.all<{ points_balance: number }>('SELECT points_balance FROM loyalty_members WHERE program_id = ?', ['saga-test']);
    assert.deepEqual(balance.map((m) => Number(m.points_balance)), [0]);

    const paymentKey = `stripe:${e.paymentId}`;
    const outbox = await s.db.all<{ state: string; last_error: string }>("SELECT state, last_error FROM outbox WHERE crm = 'hubspot' AND kind = 'payment' AND external_id = ?", [paymentKey]);
    assert.deepEqual(outbox.map((o) => o.state), ['rejected']);
    assert.match(outbox[0]!.last_error, /payment processing failed: loyalty program/);
    const alerts = await s.db.all<{ kind: string; crm: string; outbox_id: string; reason: string }>('SELECT kind, crm, outbox_id, reason FROM outbox_alerts WHERE external_id = ?', [paymentKey]);
    assert.equal(alerts.length, 1);
    assert.deepEqual({ ...alerts[0]!, reason: undefined }, { kind: 'saga-failed', crm: 'hubspot', outbox_id: paymentSagaWorkflowId(e), reason: undefined });
    assert.match(alerts[0]!.reason, /rejected the member/);
    assert.equal(await count('SELECT COUNT(*) AS n FROM transactions WHERE event_id = ?', [e.id]), 1, 'the payment happened: the ledger keeps it');
  });

  it('a merge whose first attempt committed but never answered (its worker gone) is still undone when a later step fails for good', async () => {
    await seedCustomers(s.crm, [
      { id: 'cus_m1', givenName: 'Mary', familyName: 'Somerville', email: 'mary@example.com' },
      { id: 'cus_m2', givenName: 'Mary', familyName: 'Somerville', keys: [{ kind: 'processorCustomerId', value: 'stripe:cus_s2' }] },
    ]);
    const activities = real({ crm: 'hubspot', env: {} });
    let mergeAttempts = 0;
    const broken: Activities = {
      ...activities,
      // The first attempt commits the merge, then its answer is lost (as with a worker killed right after the commit).
      sagaMerge: async (message) => {
        const made = await activities.sagaMerge(message);
        if (++mergeAttempts === 1) throw ApplicationFailure.retryable(`the worker died after merging ${made.length} (simulated)`);
        return made;
      },
      loyalty: async () => {
        throw ApplicationFailure.nonRetryable('loyalty program "saga-test" rejected the member (simulated)', 'InputError');
      },
    };
    const e = sale({ amount: 4000, email: 'mary@example.com', name: 'Mary Somerville', customer: 'cus_s2' });
    const { error } = await withWorker(broken, async (taskQueue) => settledWithin(await startPaymentSaga(env.client, e, { taskQueue })));
    assert.ok(error instanceof WorkflowFailedError && error.cause instanceof ApplicationFailure, String(error));
    assert.equal(mergeAttempts, 2);
    const [{ events }] = error.cause.details as [{ events: { merges: string[]; failure?: { compensated: string[] } }[] }];
    const merges = await s.db.all<{ id: string; undone_at: string | null }>('SELECT id, undone_at FROM identity_merges');
    assert.equal(merges.length, 1, 'the first attempt made the merge');
    assert.deepEqual(events[0]!.merges, [merges[0]!.id], 'the retried attempt reports the merge the first one made');
    assert.deepEqual(events[0]!.failure!.compensated, ['points-reversed', 'crm-marked-failed', 'unmerge']);
    assert.ok(merges[0]!.undone_at, 'and the saga undid it');
    assert.deepEqual((await s.db.all<{ id: string; merged_into: string | null }>("SELECT id, merged_into FROM customers WHERE id IN ('cus_m1', 'cus_m2') ORDER BY id")).map((c) => c.merged_into), [null, null]);
  });

  it('sends to a SaaS CRM as a regular activity (the only step that leaves the store); only queueing it is a local one', async () => {
    const e = sale({ amount: 1800, email: 'mo@example.com' });
    const typesWith = (more: Partial<SagaSettings>) =>
      withWorker(real({ crm: 'hubspot', env: {}, ...more }), async (taskQueue) => {
        const handle = await startPaymentSaga(env.client, { ...e, id: `${e.id}-${randomUUID()}`, paymentId: `${e.paymentId}-${randomUUID()}` }, { taskQueue });
        const done = await resultWithin(handle);
        assert.equal(done.events[0]!.outcome, 'recorded');
        return activitiesOf(await handle.fetchHistory()).filter((a) => a.type === 'sagaCrmSync');
      });
    assert.deepEqual(await typesWith({ crmWaitMs: 1_000 }), [{ type: 'sagaCrmSync', local: false }]);
    assert.deepEqual(await typesWith({ crmWaitMs: 0 }), [{ type: 'sagaCrmSync', local: true }]);
    assert.equal(await count("SELECT COUNT(*) AS n FROM outbox WHERE crm = 'hubspot' AND kind = 'payment'", []), 2, 'both queued the payment for HubSpot');
  });

  it('a CRM send whose first attempt is lost (its worker gone: no answer, no heartbeat) is retried within the heartbeat timeout, not after the 2-minute start-to-close timeout', { timeout: 60_000 }, async () => {
    const activities = real({ crm: 'hubspot', env: {}, crmWaitMs: 1_000 });
    // Each attempt, and how long after the activity was first scheduled the server scheduled it (Temporal time).
    const attempts: { attempt: number; afterMs: number }[] = [];
    const lost: Activities = {
      ...activities,
      sagaCrmSync: async (message) => {
        const { attempt, scheduledTimestampMs, currentAttemptScheduledTimestampMs } = Context.current().info;
        attempts.push({ attempt, afterMs: currentAttemptScheduledTimestampMs - scheduledTimestampMs });
        // As a dead worker's attempt looks to the server: it never answers nor heartbeats (until this worker stops).
        if (attempt === 1) await Context.current().cancelled;
        return activities.sagaCrmSync(message);
      },
    };
    const e = sale({ amount: 2100, email: 'lost@example.com' });
    // The test server does not skip time while an activity runs: the old code's 2 minutes miss this deadline.
    const { done, history } = await withWorker(lost, async (taskQueue) => {
      const handle = await startPaymentSaga(env.client, e, { taskQueue });
      return { done: await resultWithin(handle, 45_000), history: await handle.fetchHistory() };
    });
    assert.equal(done.events[0]!.outcome, 'recorded');
    assert.deepEqual(attempts.map((a) => a.attempt), [1, 2]);
    const heartbeatMs = Number.parseInt(PAYMENT_STEP_HEARTBEAT_TIMEOUT, 10) * 1000;
    const retriedAfterMs = attempts[1]!.afterMs;
    assert.ok(retriedAfterMs >= heartbeatMs && retriedAfterMs < heartbeatMs + 10_000, `the lost attempt was retried after its heartbeat timeout (${heartbeatMs} ms) and the 1 s backoff, not ${retriedAfterMs} ms`);
    const scheduled = history.events!.find((x) => x.activityTaskScheduledEventAttributes?.activityType?.name === 'sagaCrmSync')!.activityTaskScheduledEventAttributes!;
    assert.equal(Number(scheduled.heartbeatTimeout!.seconds) * 1000, heartbeatMs);
    assert.equal(await count('SELECT COUNT(*) AS n FROM transactions WHERE event_id = ?', [e.id]), 1);
  });

  it('an operator cancelling the run after its CRM write was queued: the write is marked failed and the alert written before the run ends cancelled', { timeout: 60_000 }, async () => {
    const activities = real({ crm: 'hubspot', env: {}, crmWaitMs: 1_000 });
    // Queues the write as the real step does, then meets HubSpot's rate limit: the run waits out the CRM's 30 s.
    const limited: Activities = {
      ...activities,
      sagaCrmSync: (message) =>
        typedFailures(async () => {
          await activities.sagaCrmSync(message);
          throw new CrmRateLimitError('hubspot', '429 TEN_SECONDLY_ROLLING', 30_000, 'wait');
        }),
    };
    const e = sale({ amount: 3300, email: 'cancel@example.com' });
    const paymentKey = `stripe:${e.paymentId}`;
    const { error, history } = await withWorker(limited, async (taskQueue) => {
      const handle = await startPaymentSaga(env.client, e, { taskQueue });
      // Cancelled while the send waits for its next attempt (no attempt running: the test server skips no time).
      for (let i = 0; ; i++) {
        const [pending] = (await handle.describe()).raw.pendingActivities ?? [];
        if (pending?.activityType?.name === 'sagaCrmSync' && (pending.attempt ?? 0) >= 2) break;
        if (i > 150) throw new Error(`the CRM send was never retried: ${JSON.stringify(pending ?? null)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      await handle.cancel();
      return { ...(await settledWithin(handle)), history: await handle.fetchHistory() };
    });
    assert.ok(error instanceof WorkflowFailedError && error.cause instanceof CancelledFailure, `the run ended cancelled, not ${String(error)}`);
    const ran = activitiesOf(history).map((a) => a.type);
    assert.deepEqual(ran.slice(ran.indexOf('sagaCrmSync') + 1), ['sagaMarkCrmFailed', 'sagaAlert'], 'the compensation and the alert ran after the cancel');
    const outbox = await s.db.all<{ state: string; last_error: string }>("SELECT state, last_error FROM outbox WHERE crm = 'hubspot' AND kind = 'payment' AND external_id = ?", [paymentKey]);
    assert.deepEqual(outbox.map((o) => o.state), ['rejected'], 'CRM Sync will not send the write of a cancelled run');
    assert.match(outbox[0]!.last_error, /payment processing failed: the workflow run was cancelled/);
    assert.equal(await count("SELECT COUNT(*) AS n FROM outbox_alerts WHERE kind = 'saga-failed' AND external_id = ?", [paymentKey]), 1);
    assert.deepEqual(patchesOf(history), [SAGA_LOCAL_STEPS_PATCH, SAGA_ONE_TASK_PATCH, SAGA_COMPENSATES_ON_CANCEL_PATCH]);
    // Deterministic: the run replays as it ran (a run cancelled before the patch: histories/paymentSaga.cancelled-before-compensation.json).
    await Worker.runReplayHistory({ workflowBundle: bundle, replayName: 'cancelled-saga' }, history);
  });

  it('retries a CRM rate limit after the CRM\'s wait, and gives up at once on a record the CRM refuses', async () => {
    // Only a send meets a rate limit: HubSpot with a wait (its credentials absent, so what is sent stays queued).
    const activities = real({ crm: 'hubspot', env: {}, crmWaitMs: 1_000 });
    let attempts = 0;
    const limited: Activities = {
      ...activities,
      sagaCrmSync: (message) =>
        typedFailures(async () => {
          if (++attempts < 3) throw new CrmRateLimitError('hubspot', '429 TEN_SECONDLY_ROLLING', 30_000, 'wait');
          return activities.sagaCrmSync(message);
        }),
    };
    const e = sale({ amount: 1500, email: 'kay@example.com' });
    const startedAt = await env.currentTimeMs();
    const ok = await withWorker(limited, async (taskQueue) => resultWithin(await startPaymentSaga(env.client, e, { taskQueue })));
    assert.equal(attempts, 3);
    assert.ok((await env.currentTimeMs()) - startedAt >= 60_000, 'each retry waited the 30 s the CRM asked for');
    assert.equal(ok.events[0]!.outcome, 'recorded');
    assert.equal(await count('SELECT COUNT(*) AS n FROM transactions WHERE event_id = ?', [e.id]), 1);

    let refusals = 0;
    const refused: Activities = {
      ...activities,
      sagaCrmSync: () => typedFailures(() => (refusals++, Promise.reject(new CrmValidationError('hubspot', 'amount: INVALID_INTEGER', 'amount')))),
    };
    const bad = sale({ amount: 2500, email: 'kay@example.com' });
    const { error } = await withWorker(refused, async (taskQueue) => settledWithin(await startPaymentSaga(env.client, bad, { taskQueue })));
    assert.ok(error instanceof WorkflowFailedError);
    assert.match(String(error.cause?.message), /hubspot: amount: INVALID_INTEGER/);
    assert.equal(refusals, 1, 'not retried');
    assert.equal(await count("SELECT COUNT(*) AS n FROM outbox_alerts WHERE kind = 'saga-failed' AND external_id = ?", [`stripe:${bad.paymentId}`]), 1);
  });
});
