/**
 * paymentSaga on a real Temporal dev server (the pack's installer's `temporal` binary, SQLite store in a temp folder):
 *
 * 1. Throughput: N sagas (one sale each) handed over with the faces' glue (signal-with-start), `--concurrency` at a
 *    time, until all have completed; beside N no-op workflows on the same server and worker. Ratio = sagas/s over
 *    no-op/s (target ≥ 0.5): what the saga's steps cost on top of Temporal itself.
 * 2. Latency: signed Stripe deliveries POSTed one at a time to the worker's webhook server with
 *    TERMINAL_CRM_PAYMENT_WORKFLOW=saga; from the POST to the transaction row in the store, p50 / p99: once through
 *    the entry's own client (signal-with-start), once with the worker's connection at hand (eager start), as
 *    `terminal-crm worker --webhook-port` runs it.
 *
 *   node build/bench/temporal/saga-throughput.js [--sagas 300] [--concurrency 32] [--deliveries 100] [--breakdown] [--classic]
 *
 * --breakdown prints where the time to the row goes (the server's event times, and each activity's in the worker);
 * --classic measures paymentToCrm the same way. Prints tables and one JSON line.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Client } from '@temporalio/client';
import { SqlInbox } from '../../nodes/core/inbox/inbox';
import { normalizeStripeEvent, stripeTerminalSource } from '../../nodes/core/sources/stripe-terminal';
import { keyProviderFromSpec } from '../../nodes/core/tokenize/key-provider';
import { chargeObject, signedDelivery, stripeEvent } from '../../sandbox/simulator/stripe-terminal-events';
import { createActivities } from '../../temporal/activities/worker-activities';
import { createSagaActivities } from '../../temporal/activities/saga-activities';
import { handToTemporal } from '../../temporal/hand-to-temporal';
import { createPaymentWorker } from '../../temporal/payment-worker';
import { startPaymentWorkflow } from '../../temporal/start-payment/start-payment-workflow';
import { PAYMENT_WORKFLOW_ENV } from '../../temporal/start-payment/payment-workflow-setting';
import { connectTemporalTarget, temporalTargetOf } from '../../temporal/temporal-target';
import { startWebhookServer } from '../../temporal/webhook-server';
import { startDevServer } from '../../test/temporal/support/dev-server';
import { tempStore, TEST_TOKEN_KEYS, TEST_WEBHOOK_SECRET } from '../../test/support/temp-store';
import { ms, quantile, table } from '../engines/latency-stats';
import { ActivityTimings, breakdown, type TimedRun } from './history-breakdown';

const DEADLINE_MS = 120_000;

async function inParallel(n: number, concurrency: number, one: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, async () => {
    while (next < n) await one(next++);
  }));
}

/** A workflow's result, or an error after the bench's deadline (never wait on Temporal without one). */
async function resultOf(client: Client, workflowId: string): Promise<unknown> {
  const r = client.workflow.getHandle(workflowId).result();
  const deadline = new Promise<never>((_, no) => setTimeout(() => no(new Error(`${workflowId}: no result within ${DEADLINE_MS} ms`)), DEADLINE_MS).unref());
  return Promise.race([r, deadline]);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { sagas: { type: 'string' }, concurrency: { type: 'string' }, deliveries: { type: 'string' }, breakdown: { type: 'boolean' }, classic: { type: 'boolean' } }, strict: true });
  const sagas = Number(values.sagas ?? 300);
  const concurrency = Number(values.concurrency ?? 32);
  const deliveries = Number(values.deliveries ?? 100);
  const [server, s] = await Promise.all([startDevServer(), tempStore()]);
  const taskQueue = `bench-${randomUUID()}`;
  const timings = new ActivityTimings();
  const activities = timings.wrap({
    ...createActivities({ storeUrl: s.url, tokenKeys: TEST_TOKEN_KEYS, defaultRegion: 'US' }),
    ...createSagaActivities({ storeUrl: s.url, defaultRegion: 'US', crm: 'local' }),
  });
  // The worker as `terminal-crm worker` makes it (its tuning included), with a no-op workflow beside the pack's.
  const worker = await createPaymentWorker({ connection: server.env.nativeConnection, taskQueue, activities: activities as never, workflowsPath: require.resolve('./bench-workflows') });
  const running = worker.run();
  const client = await connectTemporalTarget(temporalTargetOf({ address: server.env.address, taskQueue }));
  try {
    // Warm-up: bundle loaded, store migrated, connections open.
    await inParallel(8, 8, async () => {
      const e = normalizeStripeEvent(stripeEvent('charge.succeeded', chargeObject({ amount: 100, email: `warm-${randomUUID()}@example.com` })));
      await resultOf(client, (await handToTemporal(client, taskQueue, e)).workflowId);
    });

    let t = Date.now();
    await inParallel(sagas, concurrency, async (i) => {
      const workflowId = `noop-${i}-${randomUUID()}`;
      await client.workflow.start('noopWorkflow', { workflowId, taskQueue, args: [] });
      await resultOf(client, workflowId);
    });
    const noopPerSec = sagas / ((Date.now() - t) / 1000);

    const events = Array.from({ length: sagas }, (_, i) =>
      normalizeStripeEvent(stripeEvent('charge.succeeded', chargeObject({ amount: 1000 + i, email: `p${i}-${randomUUID().slice(0, 8)}@example.com`, name: `Bench Person ${i}` }))),
    );
    t = Date.now();
    await inParallel(sagas, concurrency, async (i) => {
      await resultOf(client, (await handToTemporal(client, taskQueue, events[i]!)).workflowId);
    });
    const sagaPerSec = sagas / ((Date.now() - t) / 1000);

    // --classic: the same sales through paymentToCrm (one run per event, every step a regular activity), to compare.
    let classicPerSec = Number.NaN;
    if (values.classic) {
      const sales = Array.from({ length: sagas }, (_, i) => normalizeStripeEvent(stripeEvent('charge.succeeded', chargeObject({ amount: 1000 + i, email: `c${i}-${randomUUID().slice(0, 8)}@example.com` }))));
      t = Date.now();
      await inParallel(sagas, concurrency, async (i) => {
        await resultOf(client, (await startPaymentWorkflow(client, sales[i]!, { taskQueue })).workflowId);
      });
      classicPerSec = sagas / ((Date.now() - t) / 1000);
    }

    // Webhook → saga → ledger row, one delivery at a time: through the entry's own client (signal-with-start), and
    // with the worker's connection at hand as `terminal-crm worker --webhook-port` has it (eager start).
    const local = new Client({ connection: server.env.nativeConnection });
    const latency = async (label: string, localWorkerClient?: () => Client, kind: 'saga' | 'classic' = 'saga') => {
      process.env[PAYMENT_WORKFLOW_ENV] = kind;
      const web = await startWebhookServer({
        client, localWorkerClient, taskQueue, port: 0,
        sources: { stripe: { source: stripeTerminalSource, credentials: { signingSecret: [TEST_WEBHOOK_SECRET] } } },
        inbox: new SqlInbox(s.db, keyProviderFromSpec(TEST_TOKEN_KEYS)),
      });
      const latencies: number[] = [];
      const timed: (Omit<TimedRun, 'history'> & { workflowId: string })[] = [];
      try {
        for (let i = 0; i < deliveries; i++) {
          const event = stripeEvent('charge.succeeded', chargeObject({ amount: 2000 + i, email: `w${i}-${randomUUID().slice(0, 8)}@example.com` }));
          const d = signedDelivery(event, TEST_WEBHOOK_SECRET);
          const start = performance.now();
          const postedAtMs = Date.now();
          const res = await fetch(`${web.url}/webhooks/stripe`, { method: 'POST', headers: d.headers, body: d.body, signal: AbortSignal.timeout(10_000) });
          if (res.status !== 200) throw new Error(`delivery ${i}: HTTP ${res.status} ${await res.text()}`);
          const answeredAtMs = Date.now();
          const eventId = `stripe:${(event as { id: string }).id}`;
          const until = Date.now() + 30_000;
          while (!(await s.db.get('SELECT 1 AS one FROM transactions WHERE event_id = ?', [eventId]))) {
            if (Date.now() > until) throw new Error(`delivery ${i}: no ledger row for ${eventId} within 30 s`);
            await new Promise((r) => setTimeout(r, 2));
          }
          latencies.push(performance.now() - start);
          timed.push({ postedAtMs, answeredAtMs, rowAtMs: Date.now(), workflowId: kind === 'saga' ? `payment-stripe:${normalizeStripeEvent(event).paymentId}` : `payment-${eventId}` });
        }
      } finally {
        await web.close();
      }
      if (values.breakdown) {
        // After the timed loop, so fetching histories costs the measured deliveries nothing.
        const runs: TimedRun[] = [];
        for (const t of timed) {
          await resultOf(client, t.workflowId);
          runs.push({ ...t, history: await client.workflow.getHandle(t.workflowId).fetchHistory(), activities: timings.of(t.workflowId) });
        }
        console.log(`\n${label}\n${table(['step (median from the POST)', 'unit', 'p50'], breakdown(runs).map((r) => [r.step, '', ms(r.p50)]))}`);
      }
      return { p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99) };
    };
    const signalled = await latency('webhook → row, signal-with-start through the entry\'s own client');
    const eager = await latency('webhook → row, eager start on the worker of the same process', () => local);
    const classic = values.classic ? await latency('webhook → row, paymentToCrm (classic)', undefined, 'classic') : { p50: Number.NaN, p99: Number.NaN };
    const ratio = sagaPerSec / noopPerSec;
    console.log(table(['measure', 'unit', 'value'], [
      ['no-op workflows', '/s', noopPerSec.toFixed(1)],
      ['payment sagas', '/s', sagaPerSec.toFixed(1)],
      ['ratio (target ≥ 0.5)', '', ratio.toFixed(2)],
      ['webhook → ledger row p50 (signal-with-start)', '', ms(signalled.p50)],
      ['webhook → ledger row p99 (signal-with-start)', '', ms(signalled.p99)],
      ['webhook → ledger row p50 (eager start)', '', ms(eager.p50)],
      ['webhook → ledger row p99 (eager start)', '', ms(eager.p99)],
      ...(values.classic
        ? [
            ['paymentToCrm (classic)', '/s', classicPerSec.toFixed(1)],
            ['webhook → ledger row p50 (classic)', '', ms(classic.p50)],
            ['webhook → ledger row p99 (classic)', '', ms(classic.p99)],
          ]
        : []),
    ]));
    const round = (v: number) => +v.toFixed(1);
    console.log(JSON.stringify({
      sagas, concurrency, deliveries, noopPerSec: round(noopPerSec), sagaPerSec: round(sagaPerSec), ratio: +ratio.toFixed(3),
      webhookToRowP50Ms: round(signalled.p50), webhookToRowP99Ms: round(signalled.p99), eagerWebhookToRowP50Ms: round(eager.p50), eagerWebhookToRowP99Ms: round(eager.p99),
      ...(values.classic ? { classicPerSec: round(classicPerSec), classicWebhookToRowP50Ms: round(classic.p50), classicWebhookToRowP99Ms: round(classic.p99) } : {}),
      serverStartMs: server.startMs,
    }));
  } finally {
    await client.connection.close();
    worker.shutdown();
    await running.catch(() => undefined);
    await server.stop();
    await s.remove();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
