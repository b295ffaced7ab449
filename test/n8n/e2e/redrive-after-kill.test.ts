import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { closeAllDatabases, openDatabase } from '../../../nodes/core/store/open-database';
import type { SqlDatabase } from '../../../nodes/core/store/sql-database';
import { chargeObject, signedDelivery, stripeEvent } from '../../../sandbox/simulator/stripe-terminal-events';
import { ensureEngine } from '../../../sandbox/install';
import { ensurePaymentWorkflow, publish, readPaymentTemplate } from '../../../sandbox/run/n8n/payment-workflow';
import type { N8nWorkflowFile } from '../../../sandbox/run/n8n/workflow-file';
import { ownerSession } from '../../../sandbox/run/n8n/rest-session';
import { startN8n, type RunningN8n } from '../../../sandbox/run/n8n/start-n8n';
import { freePort } from '../../../sandbox/run/shared/free-port';
import { installPack, packRepo } from '../../../sandbox/run/shared/pack';
import { waitUntil } from '../../../sandbox/run/shared/wait-until';
import { tempDir, TEST_TOKEN_KEYS, TEST_WEBHOOK_SECRET } from '../../support/temp-store';
import { E2E_OWNER } from './harness/e2e-owner';
import { luhnValidDigits } from '../../support/luhn-digits';

const PACK = '@terminal-crm/n8n-nodes-terminal-crm';
/** Long enough that the scheduled redrive cannot take the event before the kill. */
const GRACE = '10s';

/** The template with a Wait (50 s, held in n8n's memory) between the trigger and Tokenize: a slow step to die in. */
function withSlowStep(template: N8nWorkflowFile): N8nWorkflowFile {
  const t = structuredClone(template) as N8nWorkflowFile & { connections: Record<string, { main: { node: string; type: string; index: number }[][] }> };
  const trigger = t.nodes.find((n) => n.type.endsWith('.terminalTrigger'))!;
  t.nodes.push({ id: 'e2e-kill-wait', name: 'Slow Step', type: 'n8n-nodes-base.wait', typeVersion: 1.1, position: [400, 500], parameters: { resume: 'timeInterval', amount: 50, unit: 'seconds' } } as never);
  t.connections['Slow Step'] = { main: [[{ node: 'Tokenize', type: 'main', index: 0 }]] };
  t.connections[trigger.name as string] = { main: [[{ node: 'Slow Step', type: 'main', index: 0 }]] };
  return t;
}

/**
 * The failure the inbox exists for, on a real n8n 2.x with the pack installed from its tarball: the trigger answers
 * Stripe 200, then n8n is SIGKILLed while the execution waits before CRM Upsert. After a restart, a Schedule
 * Trigger → Terminal Redrive workflow records the payment, once.
 */
describe('n8n: a payment answered 200 and then lost to a SIGKILL is recorded once after restart (Terminal Redrive)', { timeout: 480_000 }, () => {
  const work = tempDir('tcrm-n8n-kill-');
  const userFolder = join(work.path, 'n8n');
  const storeUrl = `sqlite:${join(work.path, 'store.db')}`;
  let n8n: RunningN8n | undefined;
  let engine: Awaited<ReturnType<typeof ensureEngine>>;
  let port: number;
  let webhookUrl: string;
  let db: SqlDatabase;

  before(async () => {
    engine = await ensureEngine('n8n');
    const packed = await packRepo(engine.node, join(work.path, 'pack'));
    await installPack(engine.node, packed, join(userFolder, '.n8n', 'nodes'));
    port = await freePort();
    n8n = await startN8n(userFolder, { engine, owner: E2E_OWNER, port, encryptionKey: 'terminal-crm-kill-test-key' });
    const rest = await ownerSession(n8n.baseUrl, E2E_OWNER);
    const payment = await ensurePaymentWorkflow(rest, n8n.baseUrl, { storeUrl, signingSecret: TEST_WEBHOOK_SECRET, tokenKeys: TEST_TOKEN_KEYS, defaultRegion: 'US' }, withSlowStep(readPaymentTemplate()));
    webhookUrl = payment.webhookUrl;
    const saved = await rest.request<{ id: string; versionId: string }>('POST', '/workflows', {
      name: 'Terminal redrive', active: false, settings: { executionOrder: 'v1' },
      nodes: [
        { id: 'e2e-kill-schedule', name: 'Schedule Trigger', type: 'n8n-nodes-base.scheduleTrigger', typeVersion: 1.2, position: [0, 0], parameters: { rule: { interval: [{ field: 'seconds', secondsInterval: 2 }] } } },
        { id: 'e2e-kill-redrive', name: 'Terminal Redrive', type: `${PACK}.terminalRedrive`, typeVersion: 1, position: [220, 0], parameters: { olderThan: GRACE, limit: 50 }, credentials: { terminalCrmStore: payment.credentials.terminalCrmStore } },
      ],
      connections: { 'Schedule Trigger': { main: [[{ node: 'Terminal Redrive', type: 'main', index: 0 }]] } },
    });
    await publish(rest, saved.id, saved.versionId);
    db = await openDatabase(storeUrl);
  });

  after(async () => {
    await n8n?.stop();
    await closeAllDatabases();
    work.remove();
  });

  const count = async (sql: string, id: string) => Number((await db.get<{ n: number }>(sql, [id]))!.n);

  it('keeps the event through the kill and records it exactly once after the restart', async () => {
    // A Luhn-valid digit run in the id, as one Stripe id in ten has: it must come through whole.
    const id = `evt_1Kill${luhnValidDigits()}N8n`;
    const eventId = `stripe:${id}`;
    const d = signedDelivery(stripeEvent('charge.succeeded', chargeObject({ amount: 2700, email: 'n8n-kill@example.com' }), { id }), TEST_WEBHOOK_SECRET);
    const res = await fetch(webhookUrl, { method: 'POST', body: d.body, headers: d.headers });
    assert.equal(res.status, 200, await res.text());

    process.kill(-n8n!.process.pid, 'SIGKILL');
    await n8n!.process.exited;
    assert.equal(await count("SELECT COUNT(*) AS n FROM inbox_events WHERE event_id = ? AND state = 'accepted'", eventId), 1, 'kept before the 200');
    assert.equal(await count('SELECT COUNT(*) AS n FROM transactions WHERE event_id = ?', eventId), 0, 'not written before the kill');

    const restartedAt = performance.now();
    n8n = await startN8n(userFolder, { engine, owner: E2E_OWNER, port, encryptionKey: 'terminal-crm-kill-test-key' });
    await waitUntil('the redriven payment in the store', 180_000, async () => (await count('SELECT COUNT(*) AS n FROM transactions WHERE event_id = ?', eventId)) > 0 || undefined, 250);
    const recoveredMs = performance.now() - restartedAt;
    await new Promise((r) => setTimeout(r, 5_000));
    assert.equal(await count('SELECT COUNT(*) AS n FROM transactions WHERE event_id = ?', eventId), 1, n8n.logTail());
    assert.equal(await count('SELECT COUNT(*) AS n FROM ledger_events WHERE event_id = ?', eventId), 1);
    assert.equal(await count("SELECT COUNT(*) AS n FROM inbox_events WHERE event_id = ? AND state = 'done'", eventId), 1);
    assert.equal(await count('SELECT COUNT(*) AS n FROM customers WHERE email = ?', 'n8n-kill@example.com'), 1);
    process.stderr.write(`[n8n kill] restart → recorded in ${Math.round(recoveredMs)} ms (grace ${GRACE})\n`);
  });
});
