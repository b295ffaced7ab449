import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { recordEvents } from '../../nodes/core/ledger/record-events';
import { parseLoyaltyProgram } from '../../nodes/core/loyalty/program';
import { payment } from '../core/ledger/support/events';
import { createActivities, type ActivitySettings, type TerminalCrmActivities } from '../../temporal/activities/worker-activities';
import { createPaymentWorker, WORKFLOWS_PATH } from '../../temporal/payment-worker';
import type { segmentBatch } from '../../workflows/segment-batch';
import { startTimeSkippingServer } from '../temporal/support/dev-server';
import { tempStore, TEST_TOKEN_KEYS } from '../support/temp-store';
import { expectedRfm, MAY_SALES, seedPayments, storedRfm } from './support/seed-payments';
import { executeWithin } from '../temporal/support/result-within';

const MAY = MAY_SALES;

describe('segmentBatch workflow (time-skipping test server)', () => {
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

  const program = parseLoyaltyProgram({ id: 'batch-test', currency: 'USD', points: { expiryDays: 30 } });
  const real = (more: Partial<ActivitySettings> = {}) => createActivities({ storeUrl: s.url, tokenKeys: TEST_TOKEN_KEYS, defaultRegion: 'US', loyalty: program, ...more });

  async function runBatch(activities: TerminalCrmActivities, asOf: string) {
    const taskQueue = `batch-test-${randomUUID()}`;
    const workflowId = `segment-batch-${randomUUID()}`;
    const worker = await createPaymentWorker({ connection: env.nativeConnection, taskQueue, activities, workflowBundle: bundle });
    const result = await worker.runUntil(executeWithin(env.client.workflow.start<typeof segmentBatch>('segmentBatch', { workflowId, taskQueue, args: [{ asOf }] })));
    return { result, history: await env.client.workflow.getHandle(workflowId).fetchHistory() };
  }

  it('scores every customer exactly and expires points; a failed run is tried again a minute later', async () => {
    const activities = real();
    await seedPayments(activities, MAY);
    let attempts = 0;
    const failingOnce: TerminalCrmActivities = {
      ...activities,
      runSegmentBatch: async (asOf) => {
        if (++attempts === 1) throw new Error('store locked by a backup (simulated)');
        return activities.runSegmentBatch(asOf);
      },
    };
    const startedAt = await env.currentTimeMs();
    const { result, history } = await runBatch(failingOnce, '2025-07-01T00:00:00Z');
    assert.equal(attempts, 2);
    assert.ok((await env.currentTimeMs()) - startedAt >= 60_000, 'the retry waited its minute');

    const usd = result.segment!.currencies.find((c) => c.currency === 'USD')!;
    assert.equal(usd.customers, 6);
    assert.equal(usd.modelId, null, 'six customers are too few for a lifetime-value model');
    assert.match(usd.modelSkipped!, /fewer than the 50 needed/);
    const stored = await storedRfm(s.db);
    const expected = expectedRfm(MAY);
    assert.deepEqual([...stored.keys()], [...expected.keys()].sort());
    for (const [email, scores] of expected) assert.deepEqual(stored.get(email), { ...scores, runId: usd.runId }, email);

    // Every point was earned in May and lives 30 days: by July all of it has expired.
    const earned = MAY.reduce((sum, p) => sum + Math.floor(p.amount / 100), 0);
    assert.deepEqual(result.loyalty, { programId: 'batch-test', asOf: '2025-07-01T00:00:00.000Z', expiredEntries: MAY.length, pointsExpired: earned, upgrades: 0, downgrades: 0 });
    const balances = await s.db.get<{ total: number }>('SELECT SUM(points_balance) AS total FROM loyalty_members WHERE program_id = ?', ['batch-test']);
    assert.equal(Number(balances!.total), 0);

    const scheduled = history.events!.filter((e) => e.activityTaskScheduledEventAttributes).map((e) => e.activityTaskScheduledEventAttributes!);
    const batch = scheduled.find((a) => a.activityType!.name === 'runSegmentBatch')!;
    assert.equal(Number(batch.heartbeatTimeout!.seconds), 30, "the scheduled runs' heartbeat timeout: the batch heartbeats before its first chunk too");
    assert.equal(Number(batch.startToCloseTimeout!.seconds), 4 * 3600);
    const review = scheduled.find((a) => a.activityType!.name === 'reviewLoyalty')!;
    assert.equal(Number(review.heartbeatTimeout!.seconds), 30, "the scheduled runs' heartbeat timeout: the review heartbeats its progress");
    assert.ok(history.events!.some((e) => e.activityTaskStartedEventAttributes?.attempt === 2), 'the history shows the second attempt');
  });

  it('running it again for the same moment changes no segment and expires nothing twice; it names the payments no customer\'s statistics hold', async () => {
    // A payment of a known customer recorded in the ledger without the Segment step (a backfill, a flow without one).
    const known = (await s.db.get<{ customer_id: string }>('SELECT customer_id FROM segment_stats ORDER BY customer_id LIMIT 1'))!.customer_id;
    await s.db.transaction((tx) => recordEvents(tx, [payment('pi_backfilled', 2_000, '2025-05-30T10:00:00.000Z', { customerId: known })]));
    const { result } = await runBatch(real(), '2025-07-01T00:00:00Z');
    const usd = result.segment!.currencies.find((c) => c.currency === 'USD')!;
    assert.equal(usd.segmentChanges, 0);
    assert.equal(result.loyalty!.pointsExpired, 0);
    assert.deepEqual(result.segment!.unscored, {
      payments: 1, noCustomer: 0, notCounted: 1, examples: [{ source: 'stripe', paymentId: 'pi_backfilled', currency: 'USD', reason: 'not-counted' }],
    });
  });

  it('with the Segment step off it only reviews the loyalty program', async () => {
    const { result } = await runBatch(real({ segment: null }), '2025-07-02T00:00:00Z');
    assert.equal(result.segment, null);
    assert.equal(result.loyalty!.programId, 'batch-test');
  });
});
