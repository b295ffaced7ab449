import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { Context } from '@temporalio/activity';
import { Client, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { bundleWorkflowCode, DefaultLogger, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { readBackfillState, backfillCursorName } from '../../nodes/core/backfill';
import type { BackfillState } from '../../nodes/core/backfill/backfill-state';
import type { SqlDatabase } from '../../nodes/core/store/sql-database';
import { createBackfillActivities, type PageHeartbeat } from '../../temporal/activities/backfill-activities';
import type { BackfillInput } from '../../workflows/activity-contracts/backfill-activities';
import { createReconcileActivities } from '../../temporal/activities/reconcile-activities';
import type { reconcilePeriod } from '../../workflows/reconcile';
import { WORKFLOWS_PATH } from '../../temporal/payment-worker';
import { followBackfill } from '../../bin/commands/backfill';
import {
  backfillProgressQuery, backfillWorkflowId, cancelBackfillSignal, pauseBackfillSignal, resumeBackfillSignal, type backfill, type BackfillWorkflowInput,
} from '../../workflows/backfill';
import { nock, serveStripeCharges, SINCE, STRIPE_KEY, UNTIL } from '../core/backfill/history-mocks';
import { tempStore, TEST_TOKEN_KEYS } from '../support/temp-store';
import { startDevServer, type DevServer } from './support/dev-server';
import { resultWithin, settledWithin } from './support/result-within';

const INPUT: BackfillInput = { source: 'stripe', since: SINCE.toISOString(), until: UNTIL.toISOString(), limit: 2 };

async function waitFor<T>(what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`gave up waiting for ${what} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('backfill workflow on the Temporal dev server', { timeout: 120_000 }, () => {
  let server: DevServer;
  let bundle: WorkflowBundleWithSourceMap;
  let s: Awaited<ReturnType<typeof tempStore>>;
  let client: Client;
  before(async () => {
    [server, bundle] = await Promise.all([startDevServer(), bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('WARN') })]);
    // Through the Rust connection: nock (loaded on first use, for the processor's API) hangs Node's http2, which
    // the grpc-js client rides on.
    client = new Client({ connection: server.env.nativeConnection });
  });
  after(async () => {
    await server?.stop();
    nock.restore();
  });
  beforeEach(async () => {
    nock.disableNetConnect();
    // The dev server is local: only the processor is mocked.
    nock.enableNetConnect((host: string) => /^(127\.0\.0\.1|localhost)(:\d+)?$/.test(host));
    s = await tempStore();
  });
  afterEach(async () => {
    // A test that failed midway leaves its workers polling: stopped here, so the file ends instead of hanging.
    const running = workers.splice(0).filter((w) => w.getState() === 'RUNNING');
    for (const w of running) w.shutdown();
    await waitFor('the workers to stop', 10_000, async () => (running.every((w) => ['STOPPED', 'FAILED'].includes(w.getState())) ? true : undefined)).catch(() => undefined);
    nock.cleanAll();
    nock.enableNetConnect();
    await s.remove();
  });

  const settings = (extra: Partial<Parameters<typeof createBackfillActivities>[0]> = {}) =>
    ({ storeUrl: s.url, tokenKeys: TEST_TOKEN_KEYS, defaultRegion: 'GB' as const, env: { STRIPE_SECRET_KEY: STRIPE_KEY }, ...extra });

  const workers: Worker[] = [];
  async function worker(taskQueue: string, activities: object) {
    const w = await Worker.create({ connection: server.env.nativeConnection, taskQueue, activities, workflowBundle: bundle, shutdownGraceTime: '500ms' });
    workers.push(w);
    return w;
  }

  async function ledgerCounts() {
    const rows = await s.db.all<{ n: number }>("SELECT SUM(payments) AS n FROM ledger_events WHERE source = 'stripe' GROUP BY payment_id ORDER BY payment_id");
    return rows.map((r) => Number(r.n));
  }

  it('reads every page, one activity each, continuing as new, and answers the progress query', async () => {
    const api = serveStripeCharges();
    const taskQueue = `backfill-${randomUUID()}`;
    const w = await worker(taskQueue, createBackfillActivities(settings()));
    const input: BackfillWorkflowInput = { ...INPUT, pagesPerRun: 1 };
    const result = await w.runUntil(async () => {
      const handle = await client.workflow.start<typeof backfill>('backfill', { workflowId: backfillWorkflowId(INPUT), taskQueue, args: [input] });
      // What `terminal-crm backfill --temporal` draws, from the workflow's query.
      let drawn = '';
      const followed = followBackfill(client, handle.workflowId, { out: () => undefined, err: (t) => void (drawn += t) }, 50);
      const r = await resultWithin(handle, 30_000);
      assert.equal((await followed).pages, 3);
      assert.match(drawn, /stripe \[#{24}\] 100%\s+6 records\s+[\d.]+\/s\s+done/);
      // The last run answers the query with the final state.
      const status = await handle.query(backfillProgressQuery);
      assert.equal(status.done, true);
      const runs = [];
      for await (const e of client.workflow.list({ query: `WorkflowId = '${handle.workflowId}'` })) runs.push(e.runId);
      assert.equal(runs.length, 3, 'one run per page: continue-as-new after each');
      return r;
    });
    assert.ok(api.isDone());
    assert.deepEqual([result.done, result.pages, result.listed, result.recorded, result.fraction, result.cancelled], [true, 3, 6, 6, 1, false]);
    assert.deepEqual(await ledgerCounts(), [1, 1, 1, 1, 1]);
  });

  // Kept as it was (Math.max read the digits too): the reading that refuses what is not a number must not refuse these.
  it('a pagesPerRun given as text, as JSON typed into the Temporal UI or CLI carries it, continues as new as the number does', async () => {
    const api = serveStripeCharges();
    const taskQueue = `backfill-${randomUUID()}`;
    const w = await worker(taskQueue, createBackfillActivities(settings()));
    const input = { ...INPUT, pagesPerRun: '1' } as unknown as BackfillWorkflowInput;
    const result = await w.runUntil(async () => {
      const handle = await client.workflow.start<typeof backfill>('backfill', { workflowId: `backfill-${randomUUID()}`, taskQueue, args: [input] });
      const r = await resultWithin(handle, 30_000);
      const runs = [];
      for await (const e of client.workflow.list({ query: `WorkflowId = '${handle.workflowId}'` })) runs.push(e.runId);
      assert.equal(runs.length, 3, 'one run per page: continue-as-new after each');
      return r;
    });
    assert.ok(api.isDone());
    assert.deepEqual([result.done, result.pages, result.recorded], [true, 3, 6]);
  });

  it('a pagesPerRun that is not a number fails the run at once, naming it and the fix, before any page is read', async () => {
    const taskQueue = `backfill-${randomUUID()}`;
    const opened: BackfillInput[] = [];
    const real = createBackfillActivities(settings());
    const w = await worker(taskQueue, { ...real, openBackfillActivity: async (i: BackfillInput) => (opened.push(i), real.openBackfillActivity(i)) });
    const input = { ...INPUT, pagesPerRun: 'five' } as unknown as BackfillWorkflowInput;
    const failure = await w.runUntil(async () => {
      const handle = await client.workflow.start<typeof backfill>('backfill', { workflowId: `backfill-${randomUUID()}`, taskQueue, args: [input] });
      return (await settledWithin(handle, 15_000)).error;
    });
    assert.ok(failure instanceof WorkflowFailedError, String(failure));
    assert.ok(failure.cause instanceof ApplicationFailure, String(failure.cause));
    assert.equal(failure.cause.type, 'InputError');
    assert.equal(failure.cause.nonRetryable, true);
    assert.match(failure.cause.message, /^pagesPerRun: "five" is not a number of pages\. Fix: give a whole number such as 10, or leave it out for 25$/);
    assert.deepEqual(opened, [], 'the backfill was opened');
  });

  it('pauses between pages, resumes, and a cancelled backfill is carried on by the next one from its stored page', async () => {
    serveStripeCharges();
    const taskQueue = `backfill-${randomUUID()}`;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const real = createBackfillActivities(settings());
    const pagesRead: number[] = [];
    const activities = {
      ...real,
      backfillPageActivity: async (input: BackfillInput, state: BackfillState) => {
        pagesRead.push(state.pages);
        if (state.pages === 1) await gate;
        return real.backfillPageActivity(input, state);
      },
    };
    const w = await worker(taskQueue, activities);
    await w.runUntil(async () => {
      const handle = await client.workflow.start<typeof backfill>('backfill', { workflowId: backfillWorkflowId(INPUT), taskQueue, args: [INPUT] });
      await waitFor('page 2 to start', 15_000, async () => (pagesRead.includes(1) ? true : undefined));
      await handle.signal(pauseBackfillSignal);
      release();
      const paused = await waitFor('the paused state after page 2', 15_000, async () => {
        const st = await handle.query(backfillProgressQuery);
        return st.paused && st.pages === 2 ? st : undefined;
      });
      assert.equal(paused.done, false);
      await new Promise((r) => setTimeout(r, 500));
      assert.deepEqual(pagesRead, [0, 1], 'a page was read while paused');
      await handle.signal(cancelBackfillSignal);
      const cancelled = await resultWithin(handle, 15_000);
      assert.deepEqual([cancelled.cancelled, cancelled.done, cancelled.pages], [true, false, 2]);
      assert.equal(pagesRead.length, 2);
    });
    const stored = await readBackfillState(s.db, backfillCursorName('stripe', SINCE, UNTIL));
    assert.deepEqual([stored?.pages, stored?.done], [2, false]);

    // Started again: the third page only, from the store. Resume is exercised on the same run first.
    const w2 = await worker(taskQueue, real);
    await w2.runUntil(async () => {
      const handle = await client.workflow.start<typeof backfill>('backfill', { workflowId: backfillWorkflowId(INPUT), taskQueue, args: [{ ...INPUT, paused: true }] });
      await waitFor('the paused start', 15_000, async () => ((await handle.query(backfillProgressQuery)).paused ? true : undefined));
      await handle.signal(resumeBackfillSignal);
      const done = await resultWithin(handle, 15_000);
      assert.deepEqual([done.done, done.pages, done.recorded], [true, 3, 6]);
    });
    assert.deepEqual(await ledgerCounts(), [1, 1, 1, 1, 1]);
  });

  it('a worker shut down mid-page: another worker takes the retried page from its heartbeat and every payment is recorded once', async () => {
    // Page 2 is listed twice: by the attempt that dies and by the one that finishes it.
    const api = serveStripeCharges(undefined, { 1: 2 });
    const taskQueue = `backfill-${randomUUID()}`;
    let transactions = 0;
    let stalled = false;
    // The first worker's store stalls on page 2's second write (one transaction per event: page 1 takes two, page 2's
    // sale the third, its refund the fourth), as a process frozen mid-page would.
    const stalling = (db: SqlDatabase): SqlDatabase => ({
      ...db,
      all: (sql, p) => db.all(sql, p),
      get: (sql, p) => db.get(sql, p),
      run: (sql, p) => db.run(sql, p),
      exec: (x) => db.exec(x),
      close: () => Promise.resolve(),
      transaction: async (fn, o) => {
        if (++transactions === 4) {
          stalled = true;
          await Context.current().cancelled;
        }
        return db.transaction(fn, o);
      },
    });
    const first = await worker(taskQueue, createBackfillActivities(settings({ batchSize: 1, openStore: async () => stalling(s.db) })));
    const handle = await client.workflow.start<typeof backfill>('backfill', { workflowId: backfillWorkflowId(INPUT), taskQueue, args: [INPUT] });
    const running = first.run();
    await waitFor('the first worker to stall mid-page', 20_000, async () => (stalled ? true : undefined));
    first.shutdown();
    await running.catch(() => undefined);

    const retries: Array<{ attempt: number; details: PageHeartbeat | undefined }> = [];
    const real = createBackfillActivities(settings({ batchSize: 1 }));
    const second = await worker(taskQueue, {
      ...real,
      backfillPageActivity: (input: BackfillInput, state: BackfillState) => {
        const info = Context.current().info;
        if (info.attempt > 1) retries.push({ attempt: info.attempt, details: info.heartbeatDetails as PageHeartbeat | undefined });
        return real.backfillPageActivity(input, state);
      },
    });
    const result = await second.runUntil(resultWithin(handle, 60_000));
    assert.deepEqual([result.done, result.pages], [true, 3]);
    assert.ok(api.isDone(), 'page 2 was not read again by the retry');
    assert.equal(retries.length, 1, JSON.stringify(retries));
    assert.equal(retries[0]!.details?.pages, 1, 'the retry did not get the heartbeat of page 2');
    assert.deepEqual(await ledgerCounts(), [1, 1, 1, 1, 1]);
    const sales = await s.db.all<{ n: number }>("SELECT COUNT(*) AS n FROM transactions WHERE source = 'stripe' AND kind = 'payment' GROUP BY payment_id");
    assert.deepEqual(sales.map((r) => Number(r.n)), [1, 1, 1, 1, 1]);
  });

  it('the reconcile workflow reports a lost payment and repairs it', async () => {
    serveStripeCharges();
    const taskQueue = `reconcile-${randomUUID()}`;
    const w = await worker(taskQueue, { ...createBackfillActivities(settings()), ...createReconcileActivities(settings()) });
    await w.runUntil(async () => {
      const filled = await client.workflow.start<typeof backfill>('backfill', { workflowId: `backfill-${randomUUID()}`, taskQueue, args: [INPUT] });
      assert.equal((await resultWithin(filled, 30_000)).done, true);
      for (const table of ['ledger_events', 'ledger_payments', 'transactions']) await s.db.run(`DELETE FROM ${table} WHERE payment_id = 'pi_3Backfill4AAAAAAAAAAAAAA'`);
      serveStripeCharges();
      const run = await client.workflow.start<typeof reconcilePeriod>('reconcilePeriod', {
        workflowId: `reconcile-${randomUUID()}`, taskQueue, args: [{ source: 'stripe', since: INPUT.since, until: INPUT.until, limit: 2, repair: true }],
      });
      const summary = await resultWithin(run, 30_000);
      assert.deepEqual([summary.clean, summary.missing, summary.backfilled, summary.unfixable], [false, ['stripe:pi_3Backfill4AAAAAAAAAAAAAA (ledger)'], ['stripe:pi_3Backfill4AAAAAAAAAAAAAA'], []]);
    });
    assert.deepEqual(await ledgerCounts(), [1, 1, 1, 1, 1]);
  });

  it('terminal-crm backfill --temporal starts the workflow and draws its progress from the query', async () => {
    const api = serveStripeCharges();
    const taskQueue = `backfill-cli-${randomUUID()}`;
    const w = await worker(taskQueue, createBackfillActivities(settings()));
    // The command in a process of its own (as an operator runs it), the worker here (where nock serves Stripe).
    const cli = join(__dirname, '..', '..', 'bin', 'terminal-crm.js');
    const outcome = await w.runUntil(
      new Promise<{ code: number | null; out: string; err: string }>((resolve, reject) => {
        const child = spawn(process.execPath, [cli, 'backfill', '--from', 'stripe', '--since', '2026-01-01', '--until', '2026-02-01', '--limit', '2', '--temporal', server.env.address, '--json'], {
          env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TEMPORAL_TASK_QUEUE: taskQueue },
        });
        let out = '';
        let err = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (err += d.toString()));
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`terminal-crm backfill --temporal did not finish within 45 s:\n${err}`));
        }, 45_000);
        child.on('exit', (code) => {
          clearTimeout(timer);
          resolve({ code, out, err });
        });
      }),
    );
    assert.equal(outcome.code, 0, outcome.err);
    assert.ok(api.isDone());
    assert.match(outcome.err, new RegExp(`started workflow ${backfillWorkflowId(INPUT).replace(/[.]/g, '\\.')} on task queue "${taskQueue}"`));
    assert.match(outcome.err, /stripe \[#{24}\] 100%\s+6 records\s+[\d.]+\/s\s+done/);
    const result = JSON.parse(outcome.out) as { done: boolean; recorded: number };
    assert.deepEqual([result.done, result.recorded], [true, 6]);
    assert.deepEqual(await ledgerCounts(), [1, 1, 1, 1, 1]);
  });
});
