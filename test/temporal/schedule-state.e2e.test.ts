import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ensureCrmSyncSchedules, crmSyncScheduleId } from '../../temporal/crm-sync-schedule';
import { ensurePollSchedules, pollScheduleId } from '../../temporal/poll-schedule';
import { ensureSegmentSchedule, SEGMENT_SCHEDULE_ID } from '../../temporal/segment-schedule';
import type { Client } from '@temporalio/client';
import { startDevServer, type DevServer } from './support/dev-server';

/** What a worker's start does to the schedules, with a cron: the segment batch's, one source's poll, one CRM's sync. */
const workerStart = (client: Client, taskQueue: string, source: string, crm: string) => async (cron: string) => {
  await ensureSegmentSchedule(client, { taskQueue, cron });
  await ensurePollSchedules(client, { taskQueue, sources: [source], cron });
  await ensureCrmSyncSchedules(client, { taskQueue, crms: [crm], cron });
};

/**
 * Every worker brings the pack's schedules in line with its settings at start. What an operator set on a schedule
 * (paused, with a note saying why; a limit on the actions left; pause-on-failure) must survive the next worker's
 * start, whether the spec changed or not.
 */
describe('the schedules the worker keeps: an operator\'s pause survives a worker restart (real Temporal dev server)', { timeout: 60_000 }, () => {
  let server: DevServer;
  before(async () => {
    server = await startDevServer();
  });
  after(async () => {
    await server?.stop();
  });

  it('segment batch, poll and CRM sync schedules stay paused with their note; the new spec is applied; the schedule is the same one', { timeout: 30_000 }, async () => {
    const client = server.env.client;
    const start = workerStart(client, 'schedule-state', 'square', 'hubspot');
    const ids = [SEGMENT_SCHEDULE_ID, pollScheduleId('square'), crmSyncScheduleId('hubspot')];
    await start('0 3 * * *');
    const created = new Map<string, Date>();
    for (const id of ids) {
      const handle = client.schedule.getHandle(id);
      created.set(id, (await handle.describe()).info.createdAt);
      await handle.pause(`paused by the operator: ${id}`);
    }
    for (const cron of ['0 3 * * *', '30 4 * * *']) {
      await start(cron);
      for (const id of ids) {
        const d = await client.schedule.getHandle(id).describe();
        assert.deepEqual({ id, paused: d.state.paused, note: d.state.note }, { id, paused: true, note: `paused by the operator: ${id}` }, `after a start with ${cron}`);
        assert.deepEqual(d.info.createdAt, created.get(id), `${id}: the same schedule, not a new one`);
        const hour = cron === '0 3 * * *' ? 3 : 4;
        assert.deepEqual(d.spec.calendars?.map((c) => c.hour), [[{ start: hour, end: hour, step: 1 }]], `${id}: the spec of ${cron}`);
        assert.equal(d.policies.overlap, 'SKIP');
      }
    }
  });

  it('a limit on the actions left and pause-on-failure survive the start; a schedule without a limit stays unlimited', { timeout: 30_000 }, async () => {
    const client = server.env.client;
    const start = workerStart(client, 'schedule-limits', 'stripe', 'salesforce');
    await start('0 3 * * *');
    // What an operator sets with `temporal schedule update --remaining-actions …` or the UI; 0 is a limit used up.
    const set: Record<string, { remainingActions?: number; pauseOnFailure: boolean }> = {
      [SEGMENT_SCHEDULE_ID]: { remainingActions: 3, pauseOnFailure: true },
      [pollScheduleId('stripe')]: { remainingActions: 0, pauseOnFailure: false },
      [crmSyncScheduleId('salesforce')]: { remainingActions: undefined, pauseOnFailure: true },
    };
    for (const [id, o] of Object.entries(set)) {
      await client.schedule.getHandle(id).update((p) => ({ ...p, policies: { ...p.policies, pauseOnFailure: o.pauseOnFailure }, state: { ...p.state, remainingActions: o.remainingActions } }));
    }
    for (const cron of ['0 3 * * *', '30 4 * * *']) {
      await start(cron);
      for (const [id, o] of Object.entries(set)) {
        const d = await client.schedule.getHandle(id).describe();
        assert.deepEqual({ id, remainingActions: d.state.remainingActions, pauseOnFailure: d.policies.pauseOnFailure }, { id, ...o }, `after a start with ${cron}`);
        const hour = cron === '0 3 * * *' ? 3 : 4;
        assert.deepEqual(d.spec.calendars?.map((c) => c.hour), [[{ start: hour, end: hour, step: 1 }]], `${id}: the spec of ${cron}`);
      }
    }
  });
});
