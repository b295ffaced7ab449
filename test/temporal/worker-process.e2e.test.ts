import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { verifiedStripeEvent } from '../support/stripe-delivery';
import { chargeObject, signedDelivery, stripeEvent } from '../../sandbox/simulator/stripe-terminal-events';
import { describeExit, spawnGroup, type GroupProcess } from '../../sandbox/run/shared/process-group';
import { GiveUp, waitUntil } from '../../sandbox/run/shared/wait-until';
import { startPaymentWorkflow } from '../../temporal/start-payment/start-payment-workflow';
import { tempStore, TEST_TOKEN_KEYS, TEST_WEBHOOK_SECRET } from '../support/temp-store';
import { startDevServer, type DevServer } from './support/dev-server';
import { resultWithin } from './support/result-within';

// The compiled entry point, as `node dist/temporal/worker.js` runs it (here from build/).
const WORKER_JS = join(__dirname, '..', '..', 'temporal', 'worker.js');

function spawnWorker(env: Record<string, string>): GroupProcess {
  // Its own process group, so a failed test can still stop it and anything it started.
  return spawnGroup('worker', process.execPath, [WORKER_JS], { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env } });
}

async function waitFor(p: GroupProcess, text: RegExp, ms: number): Promise<void> {
  await waitUntil(`the worker to print ${text}`, ms, async () => {
    if (p.exitStatus()) throw new GiveUp(`worker ${describeExit(p.exitStatus()!)} before printing ${text}:\n${p.tail(200)}`);
    return text.test(p.tail(200)) ? true : undefined;
  }, 50);
}

describe('the worker entry point (node temporal/worker.js)', () => {
  let server: DevServer;
  let s: Awaited<ReturnType<typeof tempStore>>;
  let worker: GroupProcess | undefined;
  before(async () => {
    [server, s] = await Promise.all([startDevServer(), tempStore()]);
  });
  after(async () => {
    await worker?.stop();
    await server?.stop();
    await s?.remove();
  });

  it('processes a payment from the environment’s settings and stops cleanly on SIGTERM', async () => {
    const taskQueue = `worker-process-${randomUUID()}`;
    worker = spawnWorker({
      TEMPORAL_ADDRESS: server.env.address,
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: taskQueue,
      TERMINAL_CRM_STORE_URL: s.url,
      TERMINAL_CRM_TOKEN_KEYS: TEST_TOKEN_KEYS,
      TERMINAL_CRM_DEFAULT_REGION: 'GB',
    });
    await waitFor(worker, /polling task queue/, 60_000);

    const d = signedDelivery(stripeEvent('charge.succeeded', chargeObject({ amount: 1800, currency: 'gbp', phone: '07911 123456' })), TEST_WEBHOOK_SECRET);
    const event = await verifiedStripeEvent(d, [TEST_WEBHOOK_SECRET]);
    const result = await resultWithin(await startPaymentWorkflow(server.env.client, event, { taskQueue }));
    assert.equal(result.outcome, 'recorded');
    // The region setting reached the activities: a national number was stored in international form.
    const customer = await s.db.get<{ phone: string }>('SELECT phone FROM customers WHERE id = ?', [result.customerId!]);
    assert.equal(customer?.phone, '+447911123456');

    process.kill(worker.pid, 'SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const exit = await Promise.race([worker.exited, new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), 20_000)))]);
    clearTimeout(timer);
    assert.deepEqual(exit, { code: 0, signal: null }, worker.tail(200));
    assert.match(worker.tail(200), /worker stopped/);
  });

  it('refuses to start without a token key, saying which setting to fix', async () => {
    const p = spawnWorker({ TEMPORAL_ADDRESS: server.env.address, TERMINAL_CRM_STORE_URL: s.url });
    try {
      assert.deepEqual(await p.exited, { code: 1, signal: null });
      assert.match(p.tail(200), /TERMINAL_CRM_TOKEN_KEYS: no tokenization key is configured\. Fix: /);
    } finally {
      await p.stop();
    }
  });

  it('refuses to start on a store location it cannot use, naming the variable it came from', async () => {
    const p = spawnWorker({ TEMPORAL_ADDRESS: server.env.address, TERMINAL_CRM_STORE_URL: 'mysql://shop/crm', TERMINAL_CRM_TOKEN_KEYS: TEST_TOKEN_KEYS });
    try {
      assert.deepEqual(await p.exited, { code: 1, signal: null });
      assert.match(p.tail(200), /TERMINAL_CRM_STORE_URL: "mysql:\/\/shop\/crm" is not a store location this pack understands\. Fix: use postgres:\/\//);
    } finally {
      await p.stop();
    }
  });
});
