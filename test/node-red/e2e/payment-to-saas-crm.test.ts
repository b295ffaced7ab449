import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CrmSync } from '../../../nodes/core/contracts/payment-message';
import { closeAllDatabases, openDatabase } from '../../../nodes/core/store/open-database';
import type { SqlDatabase } from '../../../nodes/core/store/sql-database';
import { ensureEngine } from '../../../sandbox/install';
import { deployFlows, exampleFlow, getFlows, type FlowNode } from '../../../sandbox/run/node-red/admin-api';
import { startNodeRedWithPaymentFlow } from '../../../sandbox/run/node-red/payment-instance';
import type { RunningNodeRed } from '../../../sandbox/run/node-red/start-node-red';
import { configureMessageFlow, SLACK_PLACEHOLDER } from '../../../sandbox/run/node-red/template-flows';
import { freePort } from '../../../sandbox/run/shared/free-port';
import { packRepo, readManifest } from '../../../sandbox/run/shared/pack';
import { waitForWebhook } from '../../../sandbox/run/shared/webhook-ready';
import { chargeObject, signedDelivery, stripeEvent } from '../../../sandbox/simulator/stripe-terminal-events';
import { HubSpotMock } from '../../core/crm/saas/mocks/hubspot-mock';
import { assertGhostAlertMessage, queueGhostPayment } from '../../core/outbox/support/sync-fixture';
import { startNockRelay, type NockRelay } from '../../support/nock-relay-server';
import { startSmtpCatcher } from '../../support/smtp-catcher';
import { TEST_TOKEN_KEYS, TEST_WEBHOOK_SECRET, tempDir } from '../../support/temp-store';
import { NodeRedComms } from './harness/comms';
import { postWebhook } from './harness/webhook';

const PAT = 'pat-na1-11111111-2222-3333-4444-555555555555';
const OPS = 'ops@yourshop.example';
const PATH = '/e2e/saas-crm';

/**
 * examples/payment-to-saas-crm.json on a real Node-RED 5 (the pack installed from its tarball): as Import →
 * Examples serves it, with the operator's part filled in — Stripe, the store, the HubSpot account (its base URL a
 * relay to HubSpot's contract mock, the access token in its credentials), SMTP to a real SMTP server — and the
 * inject repeating every 2 s as the tests run schedules; signed Stripe deliveries to its trigger.
 */
describe('Node-RED 5 e2e: payment-to-saas-crm — HubSpot upsert, every minute → CRM sync → alerts → email operations', { timeout: 420_000 }, () => {
  const work = tempDir('tcrm-node-red-saas-template-');
  const storeUrl = `sqlite:${join(work.path, 'store.db')}`;
  let nodeRed: RunningNodeRed | undefined;
  let comms: NodeRedComms | undefined;
  let db: SqlDatabase;
  let mock: HubSpotMock;
  let relay: NockRelay;
  let smtp: Awaited<ReturnType<typeof startSmtpCatcher>>;
  let flow: FlowNode[];

  before(async () => {
    mock = await HubSpotMock.start({ privateAppToken: PAT, retryAfterSeconds: 1 });
    relay = await startNockRelay({ target: mock.baseUrl });
    smtp = await startSmtpCatcher();
    const engine = await ensureEngine('node-red');
    const packed = await packRepo(engine.node, work.path);
    const setup = { webhookSecret: TEST_WEBHOOK_SECRET, storeUrl, tokenKeys: TEST_TOKEN_KEYS };
    ({ nodeRed } = await startNodeRedWithPaymentFlow({ engine, userDir: join(work.path, 'user'), packed, port: await freePort(), credentialSecret: 'terminal-crm-e2e', setup: { ...setup, path: '/e2e/stripe' } }));
    comms = await NodeRedComms.connect(nodeRed.baseUrl);
    const example = await exampleFlow(nodeRed.baseUrl, readManifest().name, 'payment-to-saas-crm');
    flow = configureMessageFlow(example, { ...setup, path: PATH }, { smtp, from: 'alerts@e2e.example', slackUrl: SLACK_PLACEHOLDER }).map((n) => {
      if (n.type === 'crm-account') return { ...n, baseUrl: relay.url, credentials: { accessToken: PAT } };
      if (n.type !== 'inject') return n;
      assert.equal(n.repeat, '60', 'shipped: every minute');
      return { ...n, repeat: '2' };
    });
    await nodeRed.explain(async () => deployFlows(nodeRed!.baseUrl, [...(await getFlows(nodeRed!.baseUrl)), ...flow]));
    await waitForWebhook(`${nodeRed.baseUrl}${PATH}`, 15_000);
    db = await openDatabase(storeUrl);
  });

  after(async () => {
    comms?.close();
    await nodeRed?.stop();
    await closeAllDatabases();
    await relay?.close();
    mock?.stop();
    await smtp?.close();
    work.remove();
  });

  const idOf = (type: string, name?: string) => flow.find((n) => n.type === type && (name === undefined || n.name === name))!.id;
  const noFlowErrors = () => {
    const errors = comms!.debugMessages().filter((m) => m.name === 'what went wrong');
    if (errors.length) throw new Error(`a flow's Catch node reported: ${errors.map((e) => String(e.value)).join('; ')}`);
  };
  /** What a debug node of this flow showed, in order. */
  const shown = (name: string) => {
    noFlowErrors();
    const id = idOf('debug', name);
    return comms!.debugMessages().filter((m) => m.id === id).map((m) => m.value as Record<string, unknown>);
  };
  const deliver = async (event: object) => {
    const d = signedDelivery(event, TEST_WEBHOOK_SECRET);
    const answer = await postWebhook(`${nodeRed!.baseUrl}${PATH}`, d.body, d.headers);
    assert.equal(answer.status, 200, answer.text);
  };
  const dealsOf = (paymentIntent: string) => mock.recordBy('deals', 'terminal_crm_payment_key', `stripe:${paymentIntent}`);

  it('a payment HubSpot refuses with 429 stays queued; the next scheduled CRM sync delivers it, once', async () => {
    mock.setFaults({ rate429: 1 });
    await deliver(stripeEvent('charge.succeeded', chargeObject({ amount: 2_750, email: 'nr.queued@example.com', name: 'Quinn Queued', paymentIntentId: 'pi_nr_saas_429' })));
    const [crm] = await comms!.waitFor('HubSpot upsert to answer for the payment', () => {
      const recorded = shown('recorded');
      return recorded.length ? (recorded as unknown as Array<{ outcome: string; customerId: string; sync: CrmSync }>) : undefined;
    }, 60_000);
    assert.equal(crm!.outcome, 'recorded');
    assert.equal(crm!.sync.status, 'queued', JSON.stringify(crm!.sync));
    assert.ok(mock.calls.some((c) => c.status === 429), 'HubSpot answered 429');
    assert.deepEqual(dealsOf('pi_nr_saas_429'), [], 'nothing reached HubSpot');
    // The customer goes first: HubSpot's reason is on its row, the payment waits behind it.
    const waiting = await db.all<{ kind: string; state: string; last_error: string | null }>(
      "SELECT kind, state, last_error FROM outbox WHERE crm = 'hubspot' AND external_id IN (?, ?) ORDER BY kind",
      [crm!.customerId, 'stripe:pi_nr_saas_429'],
    );
    assert.deepEqual(waiting.map((r) => [r.kind, r.state]), [['customer', 'pending'], ['payment', 'pending']]);
    assert.match(String(waiting[0]!.last_error), /ten_secondly_rolling limit/i);

    mock.setFaults({});
    await comms!.waitFor('the payment as a deal in HubSpot', () => (noFlowErrors(), dealsOf('pi_nr_saas_429').length ? true : undefined), 60_000);
    const sent = await comms!.waitFor('a "sync result" that synced it', () => shown('sync result').find((r) => Number(r.synced) > 0), 30_000);
    assert.equal(sent.crm, 'hubspot');
    const contact = mock.recordBy('contacts', 'email', 'nr.queued@example.com');
    assert.equal(contact.length, 1);
    assert.ok(mock.associations.has(`deals:${dealsOf('pi_nr_saas_429')[0]!.id}->contacts:${contact[0]!.id}`), 'the deal is on its contact');
    const row = await db.get<{ state: string }>("SELECT state FROM outbox WHERE crm = 'hubspot' AND external_id = 'stripe:pi_nr_saas_429'");
    assert.equal(row?.state, 'synced');
    assert.equal(dealsOf('pi_nr_saas_429').length, 1, 'sent once');
  });

  it('a record given up on sends operations one email with the record and HubSpot\'s reason', async () => {
    mock.setFaults({});
    await queueGhostPayment(db);
    await smtp.waitFor(`the alert to ${OPS}`, () => (noFlowErrors(), smtp.to(OPS).length > 0), 60_000);
    const [mail] = smtp.to(OPS);
    const alert = await db.get<{ reason: string }>("SELECT reason FROM outbox_alerts WHERE crm = 'hubspot' AND external_id = 'stripe:pi_sync_ghost'");
    assert.ok(alert, 'the store kept the alert');
    assertGhostAlertMessage({ subject: mail!.subject, text: mail!.text }, alert.reason);
    assert.equal(mail!.from, 'alerts@e2e.example');
    // The mail can reach the SMTP server before the debug node's message reaches the editor's comms: wait for it.
    await comms!.waitFor('terminal send message to say it sent it', () => (shown('sent').length >= 1 ? true : undefined), 15_000);
    // Later runs find the record dead: no second mail.
    const runs = shown('sync result').length;
    await comms!.waitFor('two more scheduled runs', () => (shown('sync result').length >= runs + 2 ? true : undefined), 30_000);
    assert.equal(smtp.to(OPS).length, 1);
  });
});
