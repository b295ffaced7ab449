/**
 * paymentSaga on a real Temporal dev server (the pack's installer's `temporal` binary, SQLite store in a temp folder):
 *
 * 1. Throughput: N sagas (one sale each) handed over with the faces' glue (signal-with-start), `--concurrency` at a
 *    time, until all have completed; beside N no-op workflows on the same server and worker. Ratio = sagas/s over
 *    no-op/s (target ≥ 0.5): what the saga's seven activities cost on top of Temporal itself.
 * 2. Latency: signed Stripe deliveries POSTed one at a time to the worker's webhook server with
 *    TERMINAL_CRM_PAYMENT_WORKFLOW=saga; from the POST to the transaction row in the store, p50 / p99.
 *
 *   node build/bench/temporal/saga-throughput.js [--sagas 300] [--concurrency 32] [--deliveries 100]
 *
 * Prints a table and one JSON line.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
import { SqlInbox } from '../../nodes/core/inbox/inbox';
import { normalizeStripeEvent, stripeTerminalSource } from '../../nodes/core/sources/stripe-terminal';
import { keyProviderFromSpec } from '../../nodes/core/tokenize/key-provider';
import { chargeObject, signedDelivery, stripeEvent } from '../../sandbox/simulator/stripe-terminal-events';
import { createActivities } from '../../temporal/activities/payment-activities';
import { createSagaActivities } from '../../temporal/activities/saga-activities';
import { handToTemporal } from '../../temporal/hand-to-temporal';
import { PAYMENT_WORKFLOW_ENV } from '../../temporal/payment-workflow-setting';
import { connectTemporalTarget, temporalTargetOf } from '../../temporal/temporal-target';
import { startWebhookServer } from '../../temporal/webhook-server';
import { startDevServer } from '../../test/temporal/support/dev-server';
import { tempStore, TEST_TOKEN_KEYS, TEST_WEBHOOK_SECRET } from '../../test/support/temp-store';
import { ms, quantile, table } from '../engines/latency-stats';

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
  const { values } = parseArgs({ options: { sagas: { type: 'string' }, concurrency: { type: 'string' }, deliveries: { type: 'string' } }, strict: true });
  const sagas = Number(values.sagas ?? 300);
  const concurrency = Number(values.concurrency ?? 32);
  const deliveries = Number(values.deliveries ?? 100);
  const [server, s] = await Promise.all([startDevServer(), tempStore()]);
  const taskQueue = `bench-${randomUUID()}`;
  const activities = {
    ...createActivities({ storeUrl: s.url, tokenKeys: TEST_TOKEN_KEYS, defaultRegion: 'US' }),
    ...createSagaActivities({ storeUrl: s.url, defaultRegion: 'US', crm: 'local' }),
  };
  const { Worker } = await import('@temporalio/worker');
  const worker = await Worker.create({
    connection: server.env.nativeConnection, taskQueue, activities, workflowsPath: require.resolve('./bench-workflows'),
    maxConcurrentActivityTaskExecutions: 64, maxConcurrentWorkflowTaskExecutions: 64,
  });
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

    // Webhook → saga → ledger row, one delivery at a time.
    process.env[PAYMENT_WORKFLOW_ENV] = 'saga';
    const web = await startWebhookServer({
      client, taskQueue, port: 0,
      sources: { stripe: { source: stripeTerminalSource, credentials: { signingSecret: [TEST_WEBHOOK_SECRET] } } },
      inbox: new SqlInbox(s.db, keyProviderFromSpec(TEST_TOKEN_KEYS)),
    });
    const latencies: number[] = [];
    try {
      for (let i = 0; i < deliveries; i++) {
        const event = stripeEvent('charge.succeeded', chargeObject({ amount: 2000 + i, email: `w${i}-${randomUUID().slice(0, 8)}@example.com` }));
        const d = signedDelivery(event, TEST_WEBHOOK_SECRET);
        const start = performance.now();
        const res = await fetch(`${web.url}/webhooks/stripe`, { method: 'POST', headers: d.headers, body: d.body, signal: AbortSignal.timeout(10_000) });
        if (res.status !== 200) throw new Error(`delivery ${i}: HTTP ${res.status} ${await res.text()}`);
        const eventId = `stripe:${(event as { id: string }).id}`;
        const until = Date.now() + 30_000;
        while (!(await s.db.get('SELECT 1 AS one FROM transactions WHERE event_id = ?', [eventId]))) {
          if (Date.now() > until) throw new Error(`delivery ${i}: no ledger row for ${eventId} within 30 s`);
          await new Promise((r) => setTimeout(r, 2));
        }
        latencies.push(performance.now() - start);
      }
    } finally {
      await web.close();
    }
    const p50 = quantile(latencies, 0.5);
    const p99 = quantile(latencies, 0.99);
    const ratio = sagaPerSec / noopPerSec;
    console.log(table(['measure', 'unit', 'value'], [
      ['no-op workflows', '/s', noopPerSec.toFixed(1)],
      ['payment sagas', '/s', sagaPerSec.toFixed(1)],
      ['ratio (target ≥ 0.5)', '', ratio.toFixed(2)],
      ['webhook → ledger row p50', '', ms(p50)],
      ['webhook → ledger row p99', '', ms(p99)],
    ]));
    console.log(JSON.stringify({ sagas, concurrency, deliveries, noopPerSec: +noopPerSec.toFixed(1), sagaPerSec: +sagaPerSec.toFixed(1), ratio: +ratio.toFixed(3), webhookToRowP50Ms: +p50.toFixed(1), webhookToRowP99Ms: +p99.toFixed(1), serverStartMs: server.startMs }));
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
