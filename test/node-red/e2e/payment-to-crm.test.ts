import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { closeAllDatabases, openDatabase } from '../../../nodes/core/store/open-database';
import type { SqlDatabase } from '../../../nodes/core/store/sql-database';
import { chargeObject, signedDelivery, stripeEvent } from '../../../sandbox/simulator/stripe-terminal-events';
import { ensureEngine } from '../../../sandbox/install';
import { TEST_TOKEN_KEYS, TEST_WEBHOOK_SECRET, tempDir } from '../../support/temp-store';
import { deployFlows, editorHtml, exampleFlow, nodeSetsOf, type FlowNode } from './harness/admin-api';
import { NodeRedComms } from './harness/comms';
import { freePort } from './harness/free-port';
import { writeNodeRedSettings } from './harness/node-red-settings';
import { startNodeRed, type RunningNodeRed } from './harness/node-red-process';
import { installIntoUserDir, packRepo, readManifest } from './harness/pack-install';
import { configurePaymentFlow, nodeOfType, PAYMENT_TO_CRM_EXAMPLE } from './harness/payment-flow';
import { postWebhook, waitForRoute } from './harness/webhook';

const REPO = resolve(__dirname, '../../../..');
const ROUTE = '/e2e/stripe';

/**
 * The Node-RED face end to end: the pack as `npm pack` makes it, installed into a Node-RED 5 user directory the
 * way users install nodes, the shipped example flow deployed through the Admin API, real signed webhooks.
 */
describe('Node-RED 5: the payment-to-crm example flow, installed from the package tarball', { timeout: 240_000 }, () => {
  const work = tempDir('tcrm-node-red-');
  const storeUrl = `sqlite:${join(work.path, 'store.db')}`;
  const moduleName = readManifest(REPO).name;
  let nodeRed: RunningNodeRed | undefined;
  let comms: NodeRedComms | undefined;
  let db: SqlDatabase;
  let flow: FlowNode[];
  let url: string;
  const timings: Record<string, number> = {};

  before(async () => {
    const engine = await ensureEngine('node-red');
    const userDir = join(work.path, 'user');
    mkdirSync(userDir);
    const packed = await packRepo(REPO, work.path, engine.node);
    timings.packMs = packed.ms;
    timings.installMs = (await installIntoUserDir(userDir, packed.tarball, engine.node)).ms;
    const port = await freePort();
    writeNodeRedSettings(userDir, { port, credentialSecret: 'terminal-crm-e2e' });
    nodeRed = await startNodeRed({ node: engine.node, redJs: engine.binPath, userDir, port });
    timings.startMs = nodeRed.startupMs;
    url = `${nodeRed.baseUrl}${ROUTE}`;

    const sets = await nodeSetsOf(nodeRed.baseUrl, moduleName);
    // Node-RED's API drops a load error's message; its log (attached by explain) has it.
    await nodeRed.explain(async () => assert.deepEqual(sets.filter((s) => s.err).map((s) => s.id), [], 'node sets that failed to load'));
    assert.deepEqual(
      sets.flatMap((s) => s.types).sort(),
      ['stripe-terminal-account', 'terminal-crm-store', 'terminal-crm-upsert', 'terminal-match-customer', 'terminal-tokenize', 'terminal-trigger'],
    );

    flow = configurePaymentFlow(await exampleFlow(nodeRed.baseUrl, moduleName, PAYMENT_TO_CRM_EXAMPLE), {
      path: ROUTE,
      webhookSecret: TEST_WEBHOOK_SECRET,
      storeUrl,
      tokenKeys: TEST_TOKEN_KEYS,
    });
    comms = await NodeRedComms.connect(nodeRed.baseUrl);
    const deployedAt = performance.now();
    await nodeRed.explain(async () => {
      await deployFlows(nodeRed!.baseUrl, flow);
      await waitForRoute(url);
    });
    timings.deployToRouteMs = performance.now() - deployedAt;
    db = await openDatabase(storeUrl);
  });

  after(async () => {
    comms?.close();
    const stoppingAt = performance.now();
    await nodeRed?.stop();
    timings.stopMs = performance.now() - stoppingAt;
    await closeAllDatabases();
    work.remove();
    const shown = Object.entries(timings).map(([k, v]) => `${k}=${Math.round(v)}`);
    process.stderr.write(`[node-red e2e] ${shown.join(' ')}\n`);
  });

  /** The flow's own "recorded" debug node, once it has shown `count` results for the event. */
  const recorded = (eventId: string, count = 1) =>
    comms!.waitFor(`${count} "recorded" debug message(s) for ${eventId}`, () => {
      const errors = comms!.debugMessages().filter((m) => m.name === 'what went wrong');
      if (errors.length) throw new Error(`the flow's Catch node reported: ${errors.map((e) => String(e.value)).join('; ')}`);
      const hits = comms!.debugMessages().filter((m) => m.name === 'recorded' && (m.value as { eventId?: string }).eventId === eventId);
      return hits.length >= count ? hits.map((h) => h.value as { outcome: string; customerId: string | null }) : undefined;
    });
  const countOf = async (sql: string, params: string[] = []) => Number((await db.get<{ n: number }>(sql, params))!.n);

  it('gives the editor a form and help text for every node', async () => {
    const html = await editorHtml(nodeRed!.baseUrl);
    for (const type of ['terminal-trigger', 'terminal-tokenize', 'terminal-match-customer', 'terminal-crm-upsert', 'terminal-crm-store', 'stripe-terminal-account']) {
      assert.match(html, new RegExp(`data-template-name="${type}"`));
      assert.match(html, new RegExp(`data-help-name="${type}"`));
    }
  });

  it('turns a signed Stripe Terminal charge into a customer and a transaction in the store', async () => {
    const event = stripeEvent('charge.succeeded', chargeObject({ amount: 1250, currency: 'eur', email: 'Ada@Example.com' }));
    const delivery = signedDelivery(event, TEST_WEBHOOK_SECRET);
    const answer = await postWebhook(url, delivery.body, delivery.headers);
    assert.equal(answer.status, 200, answer.text);

    const [result] = await recorded(event.id);
    assert.equal(result!.outcome, 'recorded');
    const tx = await db.get<{ customer_id: string; amount_minor: number; currency: string }>(
      'SELECT customer_id, amount_minor, currency FROM transactions WHERE event_id = ?',
      [event.id],
    );
    assert.deepEqual({ ...tx }, { customer_id: result!.customerId, amount_minor: 1250, currency: 'EUR' });
    const customer = await db.get<{ email: string }>('SELECT email FROM customers WHERE id = ?', [tx!.customer_id]);
    assert.equal(customer?.email, 'ada@example.com');
    const triggerId = nodeOfType(flow, 'terminal-trigger').id;
    await comms!.waitFor(`the trigger's status to show ${event.id}`, () => (comms!.statusOf(triggerId) === `payment ${event.id}` ? true : undefined));
  });

  it('answers a tampered signature with 400 and the reason, and writes nothing', async () => {
    const before = await countOf('SELECT COUNT(*) AS n FROM transactions');
    const event = stripeEvent('charge.succeeded', chargeObject({ amount: 500 }));
    const delivery = signedDelivery(event, TEST_WEBHOOK_SECRET);
    const tampered = delivery.body.replace('"amount": 500', '"amount": 5');
    assert.notEqual(tampered, delivery.body);

    const answer = await postWebhook(url, tampered, delivery.headers);
    assert.equal(answer.status, 400);
    assert.match(answer.text, /^rejected: .*signature/i);
    const triggerId = nodeOfType(flow, 'terminal-trigger').id;
    await comms!.waitFor('the trigger to show the rejection', () => (comms!.statusOf(triggerId)?.startsWith('rejected:') ? true : undefined));

    // A later good event is recorded, so the flow was running: the tampered one simply never entered it.
    const good = stripeEvent('charge.succeeded', chargeObject({ amount: 700 }));
    const goodDelivery = signedDelivery(good, TEST_WEBHOOK_SECRET);
    assert.equal((await postWebhook(url, goodDelivery.body, goodDelivery.headers)).status, 200);
    await recorded(good.id);
    assert.equal(await countOf('SELECT COUNT(*) AS n FROM transactions WHERE event_id = ?', [event.id]), 0);
    assert.equal(await countOf('SELECT COUNT(*) AS n FROM transactions'), before + 1);
  });

  it('records an event Stripe delivers twice only once', async () => {
    const event = stripeEvent('charge.succeeded', chargeObject({ amount: 990, phone: '+1 415 555 0100' }));
    const delivery = signedDelivery(event, TEST_WEBHOOK_SECRET);
    assert.equal((await postWebhook(url, delivery.body, delivery.headers)).status, 200);
    assert.equal((await postWebhook(url, delivery.body, delivery.headers)).status, 200);

    const results = await recorded(event.id, 2);
    assert.deepEqual(results.map((r) => r.outcome).sort(), ['duplicate', 'recorded']);
    assert.equal(await countOf('SELECT COUNT(*) AS n FROM transactions WHERE event_id = ?', [event.id]), 1);
    assert.equal(await countOf('SELECT payments AS n FROM customer_totals WHERE customer_id = ?', [results[0]!.customerId!]), 1);
  });

  it('moves the endpoint on redeploy instead of stacking routes: the old path is gone', async () => {
    const moved = '/e2e/moved';
    const redeployed = structuredClone(flow);
    nodeOfType(redeployed, 'terminal-trigger').path = moved;
    await deployFlows(nodeRed!.baseUrl, redeployed);
    await waitForRoute(`${nodeRed!.baseUrl}${moved}`);

    const event = stripeEvent('charge.succeeded', chargeObject({ amount: 300 }));
    const delivery = signedDelivery(event, TEST_WEBHOOK_SECRET);
    assert.equal((await postWebhook(url, delivery.body, delivery.headers)).status, 404);
    assert.equal((await postWebhook(`${nodeRed!.baseUrl}${moved}`, delivery.body, delivery.headers)).status, 200);
    assert.equal((await recorded(event.id))[0]!.outcome, 'recorded');
  });
});
