import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SqlInbox } from '../../nodes/core/inbox/inbox';
import { normalizeStripeEvent } from '../../nodes/core/sources/stripe-terminal';
import { keyProviderFromSpec } from '../../nodes/core/tokenize/key-provider';
import { chargeObject, signedDelivery, stripeEvent } from '../../sandbox/simulator/stripe-terminal-events';
import { describeExit, spawnGroup, type GroupProcess } from '../../sandbox/run/shared/process-group';
import { GiveUp, waitUntil } from '../../sandbox/run/shared/wait-until';
import { createSource } from '../../nodes/core/sources/registry';
import { paymentWorkflowIdOfKind } from '../../temporal/start-payment/payment-workflow-setting';
import { startWebhookServer, type RunningWebhookServer } from '../../temporal/webhook-server';
import { tempStore, TEST_TOKEN_KEYS, TEST_WEBHOOK_SECRET } from '../support/temp-store';
import { startDevServer, type DevServer } from './support/dev-server';
import { resultWithin } from './support/result-within';
import { sagaOutcomesOf } from './support/saga-outcomes';
import { luhnValidDigits } from '../support/luhn-digits';

const WORKER_JS = join(__dirname, '..', '..', 'temporal', 'worker.js');

/**
 * The worker SIGKILLed, on a real dev server: a payment the webhook entry answered 200 while no worker was alive,
 * and a payment another trigger on the store accepted and never started (its engine died after its answer), are
 * each recorded exactly once by the restarted worker — the first by Temporal's durable start, the second by the
 * worker's redrive of the inbox.
 */
describe('the worker killed between the answer and the CRM write (real Temporal dev server)', { timeout: 180_000 }, () => {
  let server: DevServer;
  let s: Awaited<ReturnType<typeof tempStore>>;
  let entry: RunningWebhookServer | undefined;
  const workers: GroupProcess[] = [];
  const taskQueue = `kill-${randomUUID()}`;

  const spawnWorker = () => {
    const p = spawnGroup('worker', process.execPath, [WORKER_JS], {
      env: {
        PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '',
        TEMPORAL_ADDRESS: server.env.address, TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: taskQueue,
        TERMINAL_CRM_STORE_URL: s.url, TERMINAL_CRM_TOKEN_KEYS: TEST_TOKEN_KEYS, TERMINAL_CRM_SEGMENT_CONFIG: 'off',
        TERMINAL_CRM_REDRIVE_AFTER: '2s',
      },
    });
    workers.push(p);
    return p;
  };
  const polling = (p: GroupProcess) =>
    waitUntil('the worker to poll', 60_000, async () => {
      if (p.exitStatus()) throw new GiveUp(`worker ${describeExit(p.exitStatus()!)}:\n${p.tail(100)}`);
      return /polling task queue/.test(p.tail(100)) || undefined;
    }, 50);

  before(async () => {
    [server, s] = await Promise.all([startDevServer(), tempStore()]);
    entry = await startWebhookServer({
      client: server.env.client, port: 0, taskQueue,
      sources: { stripe: { source: createSource('stripe'), credentials: { signingSecret: [TEST_WEBHOOK_SECRET] } } },
      inbox: new SqlInbox(s.db, keyProviderFromSpec(TEST_TOKEN_KEYS)),
    });
  });
  after(async () => {
    for (const w of workers) await w.stop();
    await entry?.close();
    await server?.stop();
    await s?.remove();
  });

  const count = async (sql: string, id: string) => Number((await s.db.get<{ n: number }>(sql, [id]))!.n);

  it('records both payments once after the restart, and marks both done in the inbox', async () => {
    const first = spawnWorker();
    await polling(first);
    process.kill(-first.pid, 'SIGKILL');
    await first.exited;

    // A Luhn-valid digit run in the id, as one Stripe id in ten has: it must come through whole.
    const id = `evt_1KillTemporal${luhnValidDigits()}`;
    const answered = stripeEvent('charge.succeeded', chargeObject({ amount: 4400, email: 'answered@example.com' }), { id });
    const d = signedDelivery(answered, TEST_WEBHOOK_SECRET);
    const res = await fetch(`${entry!.url}/webhooks/stripe`, { method: 'POST', body: d.body, headers: d.headers });
    assert.equal(res.status, 200, await res.text());
    // Accepted by a trigger on the same store that died right after answering: in the inbox, no workflow.
    const orphan = normalizeStripeEvent(stripeEvent('charge.succeeded', chargeObject({ amount: 5500, email: 'orphan@example.com' })));
    await new SqlInbox(s.db, keyProviderFromSpec(TEST_TOKEN_KEYS)).accept([orphan], new Date(Date.now() - 60_000));
    const ids = [`stripe:${id}`, orphan.id];
    // The worker's default workflow, the saga: one run per payment.
    const workflowIds = [paymentWorkflowIdOfKind(normalizeStripeEvent(answered)), paymentWorkflowIdOfKind(orphan)];
    for (const eventId of ids) assert.equal(await count('SELECT COUNT(*) AS n FROM transactions WHERE event_id = ?', eventId), 0);

    const second = spawnWorker();
    const restartedAt = performance.now();
    await waitUntil('both payments in the store', 60_000, async () => {
      if (second.exitStatus()) throw new GiveUp(`worker ${describeExit(second.exitStatus()!)}:\n${second.tail(100)}`);
      const n = await Promise.all(ids.map((eventId) => count('SELECT COUNT(*) AS n FROM transactions WHERE event_id = ?', eventId)));
      return n.every((x) => x > 0) || undefined;
    }, 100);
    const recoveredMs = performance.now() - restartedAt;
    // Further redrive passes start nothing new.
    await new Promise((r) => setTimeout(r, 3_000));
    for (const [i, eventId] of ids.entries()) {
      assert.equal(await count('SELECT COUNT(*) AS n FROM transactions WHERE event_id = ?', eventId), 1, eventId);
      assert.equal(await count("SELECT COUNT(*) AS n FROM inbox_events WHERE event_id = ? AND state = 'done'", eventId), 1, `${eventId} done`);
      const outcomes = await sagaOutcomesOf(server.env.client, workflowIds[i]!, eventId);
      assert.equal(outcomes.filter((o) => o === 'recorded').length, 1, `${eventId}: ${outcomes.join(', ')}`);
    }
    // The orphan's workflow came from the redrive (the answered one may be redriven too: it joins the run or finds
    // the payment recorded).
    assert.ok(second.tail(200).includes(workflowIds[1]!), second.tail(40));
    process.stderr.write(`[temporal kill] restart → both recorded in ${Math.round(recoveredMs)} ms\n`);
  });

  it('starts the workflow of a redelivered event that was kept but never started (our first answer was a 503)', async () => {
    const id = `evt_1KeptNotStarted${Date.now()}`;
    const event = stripeEvent('charge.succeeded', chargeObject({ amount: 6600, email: 'kept@example.com' }), { id });
    // The first delivery got as far as the inbox; the start failed (Temporal unreachable), so it was answered 503.
    await new SqlInbox(s.db, keyProviderFromSpec(TEST_TOKEN_KEYS)).accept([normalizeStripeEvent(event)], new Date());
    const d = signedDelivery(event, TEST_WEBHOOK_SECRET);
    const res = await fetch(`${entry!.url}/webhooks/stripe`, { method: 'POST', body: d.body, headers: d.headers });
    assert.equal(res.status, 200);
    assert.deepEqual(((await res.json()) as { duplicates: string[] }).duplicates, [`stripe:${id}`]);
    await resultWithin(server.env.client.workflow.getHandle(paymentWorkflowIdOfKind(normalizeStripeEvent(event))), 30_000);
    assert.equal(await count('SELECT COUNT(*) AS n FROM transactions WHERE event_id = ?', `stripe:${id}`), 1);
    assert.equal(await count("SELECT COUNT(*) AS n FROM inbox_events WHERE event_id = ? AND state = 'done'", `stripe:${id}`), 1);
  });
});
