import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { receiveWebhook } from '../../nodes/core/pipeline/receive-webhook';
import { chargeObject, signedDelivery, stripeEvent } from '../../sandbox/simulator/stripe-terminal-events';
import { startPaymentWorkflow } from '../../temporal/start-payment-workflow';
import { tempStore, TEST_TOKEN_KEYS, TEST_WEBHOOK_SECRET } from '../support/temp-store';
import { startDevServer, type DevServer } from './support/dev-server';

// The compiled entry point, as `node dist/temporal/worker.js` runs it (here from build/).
const WORKER_JS = join(__dirname, '..', '..', 'temporal', 'worker.js');

interface WorkerProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function spawnWorker(env: Record<string, string>): WorkerProcess {
  // Its own process group, so a failed test can still kill it and anything it started.
  const child = spawn(process.execPath, [WORKER_JS], { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, output: () => out, exited };
}

function killGroup(p: WorkerProcess | undefined): void {
  if (p?.child.pid && p.child.exitCode === null && p.child.signalCode === null) {
    try {
      process.kill(-p.child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

async function waitFor(p: WorkerProcess, text: RegExp, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!text.test(p.output())) {
    if (p.child.exitCode !== null) throw new Error(`worker exited (${p.child.exitCode}) before printing ${text}:\n${p.output()}`);
    if (Date.now() > deadline) throw new Error(`worker did not print ${text} within ${ms} ms:\n${p.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the worker entry point (node temporal/worker.js)', () => {
  let server: DevServer;
  let s: Awaited<ReturnType<typeof tempStore>>;
  let worker: WorkerProcess | undefined;
  before(async () => {
    [server, s] = await Promise.all([startDevServer(), tempStore()]);
  });
  after(async () => {
    killGroup(worker);
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
    const accepted = receiveWebhook('stripe', { rawBody: d.body, headers: d.headers }, [TEST_WEBHOOK_SECRET]);
    assert.ok(accepted.accepted);
    const result = await (await startPaymentWorkflow(server.env.client, accepted.event, { taskQueue })).result();
    assert.equal(result.outcome, 'recorded');
    // The region setting reached the activities: a national number was stored in international form.
    const customer = await s.db.get<{ phone: string }>('SELECT phone FROM customers WHERE id = ?', [result.customerId!]);
    assert.equal(customer?.phone, '+447911123456');

    worker.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const exit = await Promise.race([worker.exited, new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), 20_000)))]);
    clearTimeout(timer);
    assert.deepEqual(exit, { code: 0, signal: null }, worker.output());
    assert.match(worker.output(), /worker stopped/);
  });

  it('refuses to start without a token key, saying which setting to fix', async () => {
    const p = spawnWorker({ TEMPORAL_ADDRESS: server.env.address, TERMINAL_CRM_STORE_URL: s.url });
    try {
      assert.deepEqual(await p.exited, { code: 1, signal: null });
      assert.match(p.output(), /TERMINAL_CRM_TOKEN_KEYS: no tokenization key is configured\. Fix: /);
    } finally {
      killGroup(p);
    }
  });
});
