import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ScheduleHandle } from '@temporalio/client';
import { parseLoyaltyProgram } from '../../nodes/core/loyalty/program';
import { runSegmentBatch } from '../../nodes/core/segment/batch';
import { parseSegmentConfig } from '../../nodes/core/segment/config';
import { openDatabase } from '../../nodes/core/store/open-database';
import { spawnGroup, type GroupProcess } from '../../sandbox/run/shared/process-group';
import { GiveUp, waitUntil } from '../../sandbox/run/shared/wait-until';
import { ensureSegmentSchedule, SEGMENT_SCHEDULE_ID } from '../../temporal/segment-schedule';
import type { segmentBatch } from '../../workflows/segment-batch';
import { tempDir, TEST_TOKEN_KEYS } from '../support/temp-store';
import { coreSteps, expectedRfm, MAY_SALES, seedPayments, storedRfm, type SeedPayment } from '../workflows/support/seed-payments';
import { startDevServer, type DevServer } from './support/dev-server';
import { resultWithin } from './support/result-within';

// The compiled entry point, as `node dist/temporal/worker.js` runs it (here from build/).
const WORKER_JS = join(__dirname, '..', '..', 'temporal', 'worker.js');
const PROGRAM = { id: 'schedule-e2e', currency: 'USD' };
const JUNE: SeedPayment[] = ['ana', 'ben', 'chloe', 'dev', 'eve', 'fay'].map((name) => ({ email: `${name}@example.com`, amount: 1000, at: '2025-06-15T10:00:00Z' }));

describe('the segment batch schedule, created by the worker (real Temporal dev server)', () => {
  let server: DevServer;
  const dir = tempDir('tcrm-schedule-');
  const storeUrl = `sqlite:${join(dir.path, 'store.db')}`;
  const taskQueue = `schedule-e2e-${randomUUID()}`;
  const workers: GroupProcess[] = [];
  let schedule: ScheduleHandle;

  before(async () => {
    server = await startDevServer();
    schedule = server.env.client.schedule.getHandle(SEGMENT_SCHEDULE_ID);
  });
  after(async () => {
    await Promise.all(workers.map((w) => w.stop(5_000)));
    await server?.stop();
    dir.remove();
  });

  /** `node temporal/worker.js` until it polls; its output so far. */
  async function startWorker(env: Record<string, string>): Promise<{ process: GroupProcess; output: () => string }> {
    let out = '';
    const child = spawnGroup('worker', process.execPath, [WORKER_JS], {
      env: {
        PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '',
        TEMPORAL_ADDRESS: server.env.address, TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: taskQueue,
        TERMINAL_CRM_STORE_URL: storeUrl, TERMINAL_CRM_TOKEN_KEYS: TEST_TOKEN_KEYS, TERMINAL_CRM_LOYALTY_PROGRAM: JSON.stringify(PROGRAM),
        ...env,
      },
      onLine: (line) => (out += `${line}\n`),
    });
    workers.push(child);
    await waitUntil('the worker to poll', 60_000, async () => {
      const exit = child.exitStatus();
      if (exit) throw new GiveUp(`worker exited (${exit.code}):\n${child.tail()}`);
      return /polling task queue/.test(out) ? true : undefined;
    }, 100);
    return { process: child, output: () => out };
  }

  it('is created by the first worker, updated (not duplicated) by the next, and its run makes approximate scores exact', async () => {
    // A store with a first batch run behind it and a day of payments since, scored against that run.
    const steps = coreSteps(storeUrl, parseLoyaltyProgram(PROGRAM));
    await seedPayments(steps, MAY_SALES);
    const db = await openDatabase(storeUrl);
    const firstRun = (await runSegmentBatch(db, parseSegmentConfig(), { asOf: new Date('2025-06-01T00:00:00Z') })).currencies[0]!.runId;
    await seedPayments(steps, JUNE);
    const between = await storedRfm(db);
    for (const [email, s] of between) assert.deepEqual({ r: s.r, runId: s.runId }, { r: 5, runId: firstRun }, `${email}: placed against the first run`);

    const a = await startWorker({});
    assert.match(a.output(), /Segment batch schedule "terminal-crm-segment-batch" created \(0 3 \* \* \*\)/);
    const created = await schedule.describe();
    assert.deepEqual(created.spec.calendars?.map((c) => [c.hour, c.minute]), [[[{ start: 3, end: 3, step: 1 }], [{ start: 0, end: 0, step: 1 }]]]);
    assert.equal(created.policies.overlap, 'SKIP');
    assert.equal(created.action.type === 'startWorkflow' && created.action.workflowType, 'segmentBatch');
    await a.process.stop(20_000);
    assert.deepEqual(await a.process.exited, { code: 0, signal: null }, a.process.tail());

    const b = await startWorker({ TERMINAL_CRM_SEGMENT_SCHEDULE: '30 4 * * *' });
    assert.match(b.output(), /Segment batch schedule "terminal-crm-segment-batch" updated \(30 4 \* \* \*\)/);
    const updated = await schedule.describe();
    assert.deepEqual(updated.info.createdAt, created.info.createdAt, 'the same schedule, not a new one');
    assert.deepEqual(updated.spec.calendars?.map((c) => [c.hour, c.minute]), [[[{ start: 4, end: 4, step: 1 }], [{ start: 30, end: 30, step: 1 }]]]);
    // Listing reads the visibility store, which may lag a moment behind.
    const ids = await waitUntil('the schedule to be listed', 10_000, async () => {
      const found: string[] = [];
      for await (const s of server.env.client.schedule.list()) found.push(s.scheduleId);
      return found.length ? found : undefined;
    });
    assert.deepEqual(ids, [SEGMENT_SCHEDULE_ID]);

    // Run it now, as 04:30 would: worker B takes the batch.
    await schedule.trigger();
    const workflowId = await waitUntil('the schedule to start the batch', 30_000, async () => (await schedule.describe()).info.recentActions[0]?.action.workflow.workflowId);
    const result = await resultWithin(server.env.client.workflow.getHandle<typeof segmentBatch>(workflowId));
    const usd = result.segment!.currencies.find((c) => c.currency === 'USD')!;
    assert.notEqual(usd.runId, firstRun);
    const exact = expectedRfm([...MAY_SALES, ...JUNE]);
    const stored = await storedRfm(db);
    for (const [email, scores] of exact) assert.deepEqual(stored.get(email), { ...scores, runId: usd.runId }, `${email}: exact after the scheduled run`);
    assert.ok([...stored.values()].every((s) => s.r === 1), 'six customers who last bought on one day share the lowest recency');
    assert.equal(result.loyalty?.programId, 'schedule-e2e');
    await b.process.stop(20_000);
  });

  it('goes away when the batch is turned off, and turning it off twice is fine', async () => {
    const client = server.env.client;
    assert.equal(await ensureSegmentSchedule(client, { taskQueue, cron: null }), 'removed');
    assert.equal(await ensureSegmentSchedule(client, { taskQueue, cron: null }), 'absent');
    await assert.rejects(ensureSegmentSchedule(client, { taskQueue, cron: '99 99 * * *' }), /^InputError: TERMINAL_CRM_SEGMENT_SCHEDULE: "99 99 \* \* \*" was refused by Temporal/);
  });
});
