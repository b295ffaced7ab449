import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { parseLoyaltyProgram } from '../../nodes/core/loyalty/program';
import { createBatchActivities } from '../../temporal/activities/batch-activities';
import { insertTieredMembers } from '../core/loyalty/support/members';
import { tempStore } from '../support/temp-store';
import { startDevServer, type DevServer } from './support/dev-server';
import type { shortHeartbeatReview } from './support/short-heartbeat-batch-workflow';
import { bundleShortHeartbeatWorkflows, runUnderShortHeartbeat } from './support/short-heartbeat-run';

/** Reviewing this many members and writing their fields takes well over the short timeout: 4–8 s on a 2-CPU machine. */
const MEMBERS = 40_000;
const program = parseLoyaltyProgram({ id: 'review-e2e', currency: 'USD', tiers: [{ name: 'Silver', minSpendMinor: 0 }, { name: 'Gold', minSpendMinor: 10_000 }] });

describe('the loyalty review activity under a short heartbeat timeout (real Temporal dev server)', { timeout: 120_000 }, () => {
  let server: DevServer;
  let bundle: WorkflowBundleWithSourceMap;
  let s: Awaited<ReturnType<typeof tempStore>>;
  before(async () => {
    [server, bundle, s] = await Promise.all([startDevServer(), bundleShortHeartbeatWorkflows(), tempStore()]);
    await insertTieredMembers(s.db, program.id, MEMBERS, 'Gold');
  }, { timeout: 90_000 });
  after(async () => {
    await server?.stop();
    await s?.remove();
  });

  it('heartbeats while it reviews and writes, so its only attempt is not timed out', { timeout: 30_000 }, async () => {
    const activities = createBatchActivities({ storeUrl: s.url, segment: null, loyalty: program });
    const { result, timedOut } = await runUnderShortHeartbeat<typeof shortHeartbeatReview>(server, bundle, activities, 'shortHeartbeatReview', '2026-06-01T00:00:00Z');
    assert.equal(result!.downgrades, MEMBERS);
    assert.deepEqual(timedOut, [], 'no attempt timed out');
  });
});
