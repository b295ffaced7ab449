import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { parseSegmentConfig } from '../../nodes/core/segment/config';
import { createBatchActivities } from '../../temporal/activities/batch-activities';
import { insertSimulatedStats } from '../core/segment/support/simulated-stats';
import { tempStore } from '../support/temp-store';
import { startDevServer, type DevServer } from './support/dev-server';
import type { shortHeartbeatBatch } from './support/short-heartbeat-batch-workflow';
import { bundleShortHeartbeatWorkflows, runUnderShortHeartbeat } from './support/short-heartbeat-run';

const AS_OF = Date.parse('2025-07-01T00:00:00Z');
/** Reading, scoring and fitting this many customers takes longer than the short timeout: 5–6 s on a loaded 2-CPU machine. */
const CUSTOMERS = 40_000;

describe('the segment batch activity under a short heartbeat timeout (real Temporal dev server)', { timeout: 120_000 }, () => {
  let server: DevServer;
  let bundle: WorkflowBundleWithSourceMap;
  let s: Awaited<ReturnType<typeof tempStore>>;
  before(async () => {
    [server, bundle, s] = await Promise.all([startDevServer(), bundleShortHeartbeatWorkflows(), tempStore()]);
    await insertSimulatedStats(s.db, CUSTOMERS, AS_OF);
  }, { timeout: 90_000 });
  after(async () => {
    await server?.stop();
    await s?.remove();
  });

  it('heartbeats while it reads, scores and fits, so its only attempt is not timed out before the first chunk', { timeout: 30_000 }, async () => {
    const activities = createBatchActivities({ storeUrl: s.url, segment: parseSegmentConfig({ clv: { unit: 'days' } }), loyalty: null });
    const { result, timedOut } = await runUnderShortHeartbeat<typeof shortHeartbeatBatch>(server, bundle, activities, 'shortHeartbeatBatch', new Date(AS_OF).toISOString());
    assert.equal(result!.currencies[0]!.customers, CUSTOMERS);
    assert.notEqual(result!.currencies[0]!.modelId, null, 'a lifetime-value model was fitted');
    assert.deepEqual(timedOut, [], 'no attempt timed out');
  });
});
