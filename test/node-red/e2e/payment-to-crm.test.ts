import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LocalSqlCrm } from '../../../nodes/core/crm/local-sql-crm';
import { closeAllDatabases, openDatabase } from '../../../nodes/core/store/open-database';
import type { SqlDatabase } from '../../../nodes/core/store/sql-database';
import { GATEWAY_CHECK_PATH } from '../../../nodes/node-red/shared/gateway-check';
import { chargeObject, signedDelivery, stripeEvent } from '../../../sandbox/simulator/stripe-terminal-events';
import { ensureEngine } from '../../../sandbox/install';
import { deployFlows, editorHtml, nodeSetsOf, type FlowNode } from '../../../sandbox/run/node-red/admin-api';
import { nodeOfType } from '../../../sandbox/run/node-red/payment-flow';
import { startNodeRedWithPaymentFlow } from '../../../sandbox/run/node-red/payment-instance';
import type { RunningNodeRed } from '../../../sandbox/run/node-red/start-node-red';
import { freePort } from '../../../sandbox/run/shared/free-port';
import { packRepo, readManifest } from '../../../sandbox/run/shared/pack';
import { waitForWebhook } from '../../../sandbox/run/shared/webhook-ready';
import { seedCustomers, strangers } from '../../core/match/match-fixtures';
import { TEST_TOKEN_KEYS, TEST_WEBHOOK_SECRET, tempDir } from '../../support/temp-store';
import { NodeRedComms } from './harness/comms';
import { postWebhook } from './harness/webhook';

const ROUTE = '/e2e/stripe';

/**
 * The Node-RED face end to end: the pack as `npm pack` makes it, installed into a Node-RED 5 user directory the
 * way users install nodes, the shipped example flow deployed through the Admin API, real signed webhooks.
 */
describe('Node-RED 5: the payment-to-crm example flow, installed from the package tarball', { timeout: 240_000 }, () => {
  const work = tempDir('tcrm-node-red-');
  const storeUrl = `sqlite:${join(work.path, 'store.db')}`;
  const moduleName = readManifest().name;
  let nodeRed: RunningNodeRed | undefined;
  let comms: NodeRedComms | undefined;
  let db: SqlDatabase;
  let flow: FlowNode[];
  let url: string;
  const timings: Record<string, number> = {};

  before(async () => {
    const engine = await ensureEngine('node-red');
    const packed = await packRepo(engine.node, work.path);
    timings.packMs = packed.ms;
    const instance = await startNodeRedWithPaymentFlow({
      engine,
      userDir: join(work.path, 'user'),
      packed,
      port: await freePort(),
      credentialSecret: 'terminal-crm-e2e',
      setup: { path: ROUTE, webhookSecret: TEST_WEBHOOK_SECRET, storeUrl, tokenKeys: TEST_TOKEN_KEYS },
    });
    ({ nodeRed, flows: flow, webhookUrl: url } = instance);
    Object.assign(timings, instance.timings);
    assert.equal(url, `${nodeRed.baseUrl}${ROUTE}`);

    const sets = await nodeSetsOf(nodeRed.baseUrl, moduleName);
    // Node-RED's API drops a load error's message; its log (attached by explain) has it.
    await nodeRed.explain(async () => assert.deepEqual(sets.filter((s) => s.err).map((s) => s.id), [], 'node sets that failed to load'));
    const ours = new Set(Object.keys(readManifest()['node-red']?.nodes ?? {}));
    assert.deepEqual(sets.flatMap((s) => s.types).sort(), [...ours].sort());
    for (const type of ['stripe-terminal-account', 'terminal-crm-store', 'terminal-crm-upsert', 'terminal-match-customer', 'terminal-tokenize', 'terminal-trigger']) assert.ok(ours.has(type), type);
    comms = await NodeRedComms.connect(nodeRed.baseUrl);
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
  /** Events are stored and passed on under their namespaced id. */
  const ns = (id: string) => `stripe:${id}`;
  const countOf = async (sql: string, params: string[] = []) => Number((await db.get<{ n: number }>(sql, params))!.n);

  it('gives the editor a form and help text for every node', async () => {
    const html = await editorHtml(nodeRed!.baseUrl);
    for (const type of ['terminal-trigger', 'terminal-tokenize', 'terminal-match-customer', 'terminal-crm-upsert', 'terminal-crm-store', 'stripe-terminal-account']) {
      assert.match(html, new RegExp(`data-template-name="${type}"`));
      assert.match(html, new RegExp(`data-help-name="${type}"`));
    }
  });

  it('checks a signed-webhook account\'s Gateway (JSON) for its dialog, on the editor\'s admin API', async () => {
    const check = async (config: string) => {
      const res = await fetch(`${nodeRed!.baseUrl}${GATEWAY_CHECK_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ config }) });
      return { status: res.status, verdict: (await res.json()) as { ok: boolean; field?: string } };
    };
    const mapping = { eventType: '$.type', kind: 'payment', paymentId: '$.data.id', amount: '$.data.amount', currency: '$.data.currency' };
    assert.deepEqual(await check(JSON.stringify({ name: 'counter-gateway', mapping })), { status: 200, verdict: { ok: true } });
    const refused = await check(JSON.stringify({ mapping: { ...mapping, currency: undefined } }));
    assert.equal(refused.verdict.ok, false);
    assert.match(refused.verdict.field ?? '', /^Signed webhook → Gateway \(JSON\) → mapping/);
  });

  it('turns a signed Stripe Terminal charge into a customer and a transaction in the store', async () => {
    const event = stripeEvent('charge.succeeded', chargeObject({ amount: 1250, currency: 'eur', email: 'Ada@Example.com' }));
    const delivery = signedDelivery(event, TEST_WEBHOOK_SECRET);
    const answer = await postWebhook(url, delivery.body, delivery.headers);
    assert.equal(answer.status, 200, answer.text);

    const [result] = await recorded(ns(event.id));
    assert.equal(result!.outcome, 'recorded');
    const tx = await db.get<{ customer_id: string; amount_minor: number; currency: string }>(
      'SELECT customer_id, amount_minor, currency FROM transactions WHERE event_id = ?',
      [ns(event.id)],
    );
    assert.deepEqual({ ...tx }, { customer_id: result!.customerId, amount_minor: 1250, currency: 'EUR' });
    const customer = await db.get<{ email: string }>('SELECT email FROM customers WHERE id = ?', [tx!.customer_id]);
    assert.equal(customer?.email, 'ada@example.com');
    const triggerId = nodeOfType(flow, 'terminal-trigger').id;
    await comms!.waitFor(`the trigger's status to show ${event.id}`, () => (comms!.statusOf(triggerId) === `payment ${ns(event.id)}` ? true : undefined));
  });

  it('answers a tampered signature with 400 and the reason, and writes nothing', async () => {
    const before = await countOf('SELECT COUNT(*) AS n FROM transactions');
    const event = stripeEvent('charge.succeeded', chargeObject({ amount: 500 }));
    const delivery = signedDelivery(event, TEST_WEBHOOK_SECRET);
    const tampered = delivery.body.replace('"amount": 500', '"amount": 5');
    assert.notEqual(tampered, delivery.body);

    const answer = await postWebhook(url, tampered, delivery.headers);
    assert.equal(answer.status, 400);
    assert.match((JSON.parse(answer.text) as { rejected: string }).rejected, /signature/i);
    const triggerId = nodeOfType(flow, 'terminal-trigger').id;
    await comms!.waitFor('the trigger to show the rejection', () => (comms!.statusOf(triggerId)?.startsWith('rejected:') ? true : undefined));

    // A later good event is recorded, so the flow was running: the tampered one simply never entered it.
    const good = stripeEvent('charge.succeeded', chargeObject({ amount: 700 }));
    const goodDelivery = signedDelivery(good, TEST_WEBHOOK_SECRET);
    assert.equal((await postWebhook(url, goodDelivery.body, goodDelivery.headers)).status, 200);
    await recorded(ns(good.id));
    assert.equal(await countOf('SELECT COUNT(*) AS n FROM transactions WHERE event_id = ?', [ns(event.id)]), 0);
    assert.equal(await countOf('SELECT COUNT(*) AS n FROM transactions'), before + 1);
  });

  it('records an event Stripe delivers twice only once: the replay is answered from the inbox and starts no flow', async () => {
    const event = stripeEvent('charge.succeeded', chargeObject({ amount: 990, phone: '+1 415 555 0100' }));
    const delivery = signedDelivery(event, TEST_WEBHOOK_SECRET);
    assert.equal((await postWebhook(url, delivery.body, delivery.headers)).status, 200);
    const again = await postWebhook(url, delivery.body, delivery.headers);
    assert.equal(again.status, 200);
    assert.deepEqual(JSON.parse(again.text), { received: true, duplicates: [ns(event.id)] });

    const results = await recorded(ns(event.id), 1);
    // A later event is recorded, so the flow was running: the replay never entered it.
    const later = stripeEvent('charge.succeeded', chargeObject({ amount: 991 }));
    const laterDelivery = signedDelivery(later, TEST_WEBHOOK_SECRET);
    assert.equal((await postWebhook(url, laterDelivery.body, laterDelivery.headers)).status, 200);
    await recorded(ns(later.id));
    assert.equal(comms!.debugMessages().filter((m) => m.name === 'recorded' && (m.value as { eventId?: string }).eventId === ns(event.id)).length, 1);
    assert.deepEqual(results.map((r) => r.outcome), ['recorded']);
    assert.equal(await countOf('SELECT COUNT(*) AS n FROM transactions WHERE event_id = ?', [ns(event.id)]), 1);
    assert.equal(await countOf('SELECT payments AS n FROM customer_totals WHERE customer_id = ?', [results[0]!.customerId!]), 1);
  });

  it('sends a payment it is unsure about out of "needs review", which the example also wires to the upsert', async () => {
    await seedCustomers(new LocalSqlCrm(db), [...strangers(), { id: 'cus_e2e_jon', givenName: 'Jonathan', familyName: 'Smith', email: 'jonathan.smith@example.com', postalCode: '94110' }]);
    const event = stripeEvent('charge.succeeded', chargeObject({ amount: 1800, name: 'John Smith', postalCode: '94110', card: { last4: '6161', fingerprint: 'fp_e2e_review' } }));
    const delivery = signedDelivery(event, TEST_WEBHOOK_SECRET);
    assert.equal((await postWebhook(url, delivery.body, delivery.headers)).status, 200);
    const [result] = await recorded(ns(event.id));
    assert.equal(result!.outcome, 'recorded');
    assert.notEqual(result!.customerId, 'cus_e2e_jon', 'recorded under a new customer, not the candidate');
    const matchId = nodeOfType(flow, 'terminal-match-customer').id;
    await comms!.waitFor('the match node to show the review', () => (/^review: maybe cus_e2e_jon \(\d+%\)$/.test(comms!.statusOf(matchId) ?? '') ? true : undefined));
  });

  it('moves the endpoint on redeploy instead of stacking routes: the old path is gone', async () => {
    const moved = '/e2e/moved';
    const redeployed = structuredClone(flow);
    nodeOfType(redeployed, 'terminal-trigger').path = moved;
    await deployFlows(nodeRed!.baseUrl, redeployed);
    await waitForWebhook(`${nodeRed!.baseUrl}${moved}`);

    const event = stripeEvent('charge.succeeded', chargeObject({ amount: 300 }));
    const delivery = signedDelivery(event, TEST_WEBHOOK_SECRET);
    assert.equal((await postWebhook(url, delivery.body, delivery.headers)).status, 404);
    assert.equal((await postWebhook(`${nodeRed!.baseUrl}${moved}`, delivery.body, delivery.headers)).status, 200);
    assert.equal((await recorded(ns(event.id)))[0]!.outcome, 'recorded');
  });
});
