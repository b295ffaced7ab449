import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { closeAllDatabases, openDatabase } from '../../../nodes/core/store/open-database';
import type { SqlDatabase } from '../../../nodes/core/store/sql-database';
import { chargeObject, signedDelivery, stripeEvent } from '../../../sandbox/simulator/stripe-terminal-events';
import { ensureEngine } from '../../../sandbox/install';
import { deployFlows, type FlowNode } from '../../../sandbox/run/node-red/admin-api';
import { nodeOfType } from '../../../sandbox/run/node-red/payment-flow';
import { startNodeRedWithPaymentFlow } from '../../../sandbox/run/node-red/payment-instance';
import { startNodeRed, type RunningNodeRed } from '../../../sandbox/run/node-red/start-node-red';
import { freePort } from '../../../sandbox/run/shared/free-port';
import { packRepo } from '../../../sandbox/run/shared/pack';
import { waitUntil } from '../../../sandbox/run/shared/wait-until';
import { waitForWebhook } from '../../../sandbox/run/shared/webhook-ready';
import { TEST_TOKEN_KEYS, TEST_WEBHOOK_SECRET, tempDir } from '../../support/temp-store';
import { postWebhook } from './harness/webhook';
import { luhnValidDigits } from '../../support/luhn-digits';

const ROUTE = '/e2e/redrive';
/** Long enough that the redrive node cannot take the event before the kill; short enough for a test. */
const GRACE = '8s';

/**
 * The failure the inbox exists for, on a real Node-RED 5 with the pack installed from its tarball: the trigger
 * answers Stripe 200, then Node-RED is SIGKILLed while the payment waits before CRM Upsert (a delay node stands
 * for a slow step). Stripe will not send it again. After a restart the flow's terminal redrive records it, once.
 */
describe('Node-RED 5: a payment answered 200 and then lost to a SIGKILL is recorded once after restart (terminal redrive)', { timeout: 240_000 }, () => {
  const work = tempDir('tcrm-node-red-kill-');
  const userDir = join(work.path, 'user');
  const storeUrl = `sqlite:${join(work.path, 'store.db')}`;
  let nodeRed: RunningNodeRed | undefined;
  let db: SqlDatabase;
  let url: string;
  let port: number;
  let engine: Awaited<ReturnType<typeof ensureEngine>>;

  before(async () => {
    engine = await ensureEngine('node-red');
    const packed = await packRepo(engine.node, work.path);
    port = await freePort();
    const instance = await startNodeRedWithPaymentFlow({
      engine, userDir, packed, port, credentialSecret: 'terminal-crm-kill',
      setup: { path: ROUTE, webhookSecret: TEST_WEBHOOK_SECRET, storeUrl, tokenKeys: TEST_TOKEN_KEYS },
    });
    ({ nodeRed, webhookUrl: url } = instance);
    // Trigger → delay (10 min) → Tokenize …, and a terminal redrive on the same store every second.
    const flows = instance.flows.map((n) => ({ ...n }));
    const trigger = nodeOfType(flows, 'terminal-trigger');
    const tokenize = nodeOfType(flows, 'terminal-tokenize');
    const store = nodeOfType(flows, 'terminal-crm-store');
    const delay: FlowNode = { id: 'e2e0kill0delay01', type: 'delay', z: trigger.z, name: 'slow step', pauseType: 'delay', timeout: '10', timeoutUnits: 'minutes', rate: '1', nbRateUnits: '1', rateUnits: 'second', randomFirst: '1', randomLast: '5', randomUnits: 'seconds', drop: false, allowrate: false, outputs: 1, x: 300, y: 400, wires: [[tokenize.id]] };
    const redrive: FlowNode = { id: 'e2e0kill0redrive', type: 'terminal-redrive', z: trigger.z, name: '', store: store.id, interval: 1, olderThan: GRACE, limit: 100, x: 300, y: 460, wires: [[]] };
    trigger.wires = [[delay.id]];
    await deployFlows(nodeRed.baseUrl, [...flows, delay, redrive]);
    await waitForWebhook(url, 15_000);
    db = await openDatabase(storeUrl);
  });

  after(async () => {
    await nodeRed?.stop();
    await closeAllDatabases();
    work.remove();
  });

  const count = async (sql: string, id: string) => Number((await db.get<{ n: number }>(sql, [id]))!.n);

  it('keeps the event through the kill and records it exactly once after the restart', async () => {
    // A Luhn-valid digit run in the id, as one Stripe id in ten has: it must come through whole.
    const id = `evt_1Kill${luhnValidDigits()}NodeRed`;
    const eventId = `stripe:${id}`;
    const d = signedDelivery(stripeEvent('charge.succeeded', chargeObject({ amount: 3100, email: 'kill@example.com' }), { id }), TEST_WEBHOOK_SECRET);
    const answer = await postWebhook(url, d.body, d.headers);
    assert.equal(answer.status, 200, answer.text);

    // The engine dies between its answer and the CRM write.
    process.kill(-nodeRed!.pid, 'SIGKILL');
    await nodeRed!.process.exited;
    assert.equal(await count("SELECT COUNT(*) AS n FROM inbox_events WHERE event_id = ? AND state = 'accepted'", eventId), 1, 'kept before the 200');
    assert.equal(await count('SELECT COUNT(*) AS n FROM transactions WHERE event_id = ?', eventId), 0, 'not written before the kill');

    const restartedAt = performance.now();
    nodeRed = await startNodeRed({ node: engine.node, redJs: engine.binPath, userDir, port });
    await waitUntil('the redriven payment in the store', 60_000, async () => (await count('SELECT COUNT(*) AS n FROM transactions WHERE event_id = ?', eventId)) > 0 || undefined, 200);
    const recoveredMs = performance.now() - restartedAt;
    // A few more redrive passes change nothing.
    await new Promise((r) => setTimeout(r, 3_000));
    assert.equal(await count('SELECT COUNT(*) AS n FROM transactions WHERE event_id = ?', eventId), 1);
    assert.equal(await count('SELECT COUNT(*) AS n FROM ledger_events WHERE event_id = ?', eventId), 1);
    assert.equal(await count("SELECT COUNT(*) AS n FROM inbox_events WHERE event_id = ? AND state = 'done' AND attempts = 1", eventId), 1);
    assert.equal(await count("SELECT COUNT(*) AS n FROM customers WHERE email = ?", 'kill@example.com'), 1);
    process.stderr.write(`[node-red kill] restart → recorded in ${Math.round(recoveredMs)} ms (grace ${GRACE})\n`);
  });
});
