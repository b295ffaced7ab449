import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bundleWorkflowCode, DefaultLogger, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { parseLoyaltyProgram } from '../../nodes/core/loyalty/program';
import { createBatchActivities } from '../../temporal/activities/batch-activities';
import { insertTieredMembers } from '../core/loyalty/support/members';
import { tempStore } from '../support/temp-store';
import { startDevServer, type DevServer } from './support/dev-server';
import type { shortHeartbeatReview } from './support/short-heartbeat-batch-workflow';

/** Reviewing this many members and writing their fields takes well over the timeout below: 4–8 s on a 2-CPU machine. */
const MEMBERS = 40_000;
/** The workflow's 30 s scaled down with the program. */
const HEARTBEAT_TIMEOUT = '2 seconds';
const program = parseLoyaltyProgram({ id: 'review-e2e', currency: 'USD', tiers: [{ name: 'Silver', minSpendMinor: 0 }, { name: 'Gold', minSpendMinor: 10_000 }] });

describe('the loyalty review activity under a short heartbeat timeout (real Temporal dev server)', { timeout: 120_000 }, () => {
  let server: DevServer;
  let bundle: WorkflowBundleWithSourceMap;
  let s: Awaited<ReturnType<typeof tempStore>>;
  before(async () => {
    [server, bundle, s] = await Promise.all([
      startDevServer(),
      bundleWorkflowCode({ workflowsPath: join(__dirname, 'support', 'short-heartbeat-batch-workflow.js'), logger: new DefaultLogger('WARN') }),
      tempStore(),
    ]);
    await insertTieredMembers(s.db, program.id, MEMBERS, 'Gold');
  }, { timeout: 90_000 });
  after(async () => {
    await server?.stop();
    await s?.remove();
  });

  it('heartbeats while it reviews and writes, so its only attempt is not timed out', { timeout: 30_000 }, async () => {
    const taskQueue = `review-heartbeat-${randomUUID()}`;
    const worker = await Worker.create({
      connection: server.env.nativeConnection, taskQueue, workflowBundle: bundle, shutdownGraceTime: '500ms',
      activities: createBatchActivities({ storeUrl: s.url, segment: null, loyalty: program }),
      // The SDK sends heartbeats at most every 80 % of the timeout (1.6 s here); at most every 0.5 s leaves room on a
      // loaded machine. The review's own pauses (50 ms of work) are what this test is about.
      maxHeartbeatThrottleInterval: '500ms',
    });
    const workflowId = `review-heartbeat-${randomUUID()}`;
    const started = performance.now();
    const summary = await worker.runUntil(
      server.env.client.workflow.execute<typeof shortHeartbeatReview>('shortHeartbeatReview', { workflowId, taskQueue, args: ['2026-06-01T00:00:00Z', HEARTBEAT_TIMEOUT] }),
    );
    const seconds = (performance.now() - started) / 1000;
    assert.equal(summary!.downgrades, MEMBERS);
    const history = await server.env.client.workflow.getHandle(workflowId).fetchHistory();
    const timedOut = history.events!.filter((e) => e.activityTaskTimedOutEventAttributes);
    assert.deepEqual(timedOut, [], 'no attempt timed out');
    assert.ok(seconds > 2, `the review took ${seconds.toFixed(1)} s, longer than its heartbeat timeout: without heartbeats it would have timed out`);
  });
});
