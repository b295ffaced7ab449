import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bundleWorkflowCode, DefaultLogger, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { parseSegmentConfig } from '../../nodes/core/segment/config';
import { createBatchActivities } from '../../temporal/activities/batch-activities';
import { insertSimulatedStats } from '../core/segment/support/simulated-stats';
import { tempStore } from '../support/temp-store';
import { startDevServer, type DevServer } from './support/dev-server';
import type { shortHeartbeatBatch } from './support/short-heartbeat-batch-workflow';

const AS_OF = Date.parse('2025-07-01T00:00:00Z');
/** Reading, scoring and fitting this many customers takes longer than the timeout below: 5–6 s on a loaded 2-CPU machine. */
const CUSTOMERS = 40_000;
/** The workflow's 30 s scaled down with the store. */
const HEARTBEAT_TIMEOUT = '2 seconds';

describe('the segment batch activity under a short heartbeat timeout (real Temporal dev server)', { timeout: 120_000 }, () => {
  let server: DevServer;
  let bundle: WorkflowBundleWithSourceMap;
  let s: Awaited<ReturnType<typeof tempStore>>;
  before(async () => {
    [server, bundle, s] = await Promise.all([
      startDevServer(),
      bundleWorkflowCode({ workflowsPath: join(__dirname, 'support', 'short-heartbeat-batch-workflow.js'), logger: new DefaultLogger('WARN') }),
      tempStore(),
    ]);
    await insertSimulatedStats(s.db, CUSTOMERS, AS_OF);
  }, { timeout: 90_000 });
  after(async () => {
    await server?.stop();
    await s?.remove();
  });

  it('heartbeats while it reads, scores and fits, so its only attempt is not timed out before the first chunk', { timeout: 30_000 }, async () => {
    const taskQueue = `segment-heartbeat-${randomUUID()}`;
    const worker = await Worker.create({
      connection: server.env.nativeConnection, taskQueue, workflowBundle: bundle, shutdownGraceTime: '500ms',
      activities: createBatchActivities({ storeUrl: s.url, segment: parseSegmentConfig({ clv: { unit: 'days' } }), loyalty: null }),
      // The SDK sends heartbeats at most every 80 % of the timeout (1.6 s here); at most every 0.5 s leaves room on a
      // loaded machine. The batch's own pauses (50 ms of work) are what this test is about.
      maxHeartbeatThrottleInterval: '500ms',
    });
    const workflowId = `segment-heartbeat-${randomUUID()}`;
    const summary = await worker.runUntil(
      server.env.client.workflow.execute<typeof shortHeartbeatBatch>('shortHeartbeatBatch', { workflowId, taskQueue, args: [new Date(AS_OF).toISOString(), HEARTBEAT_TIMEOUT] }),
    );
    assert.equal(summary!.currencies[0]!.customers, CUSTOMERS);
    assert.notEqual(summary!.currencies[0]!.modelId, null, 'a lifetime-value model was fitted');
    const history = await server.env.client.workflow.getHandle(workflowId).fetchHistory();
    const timedOut = history.events!.filter((e) => e.activityTaskTimedOutEventAttributes);
    assert.deepEqual(timedOut, [], 'no attempt timed out');
  });
});
