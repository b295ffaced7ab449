import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CrmSync } from '../../../nodes/core/contracts/payment-message';
import { openDatabase } from '../../../nodes/core/store/open-database';
import type { SqlDatabase } from '../../../nodes/core/store/sql-database';
import type { RestSession } from '../../../sandbox/run/n8n/rest-session';
import type { RunningN8n } from '../../../sandbox/run/n8n/start-n8n';
import { importTemplate, upsertSmtpCredential, type TemplateWorkflow } from '../../../sandbox/run/n8n/template-workflows';
import type { N8nWorkflowFile } from '../../../sandbox/run/n8n/workflow-file';
import { waitUntil } from '../../../sandbox/run/shared/wait-until';
import { chargeObject, signedDelivery, stripeEvent } from '../../../sandbox/simulator/stripe-terminal-events';
import { HubSpotMock } from '../../core/crm/saas/mocks/hubspot-mock';
import { assertGhostAlertMessage, queueGhostPayment } from '../../core/outbox/support/sync-fixture';
import { startNockRelay, type NockRelay } from '../../support/nock-relay-server';
import { startSmtpCatcher } from '../../support/smtp-catcher';
import { tempDir, TEST_TOKEN_KEYS, TEST_WEBHOOK_SECRET } from '../../support/temp-store';
import { nodeOutputs } from './harness/execution-data';
import { listExecutions } from './harness/executions';
import { startPaymentWorkflow } from './harness/payment-workflow-instance';

const PAT = 'pat-na1-11111111-2222-3333-4444-555555555555';
const OPS = 'ops@yourshop.example';

/** The template's schedule as the tests run schedules: every 2 s rather than every minute. */
function everyTwoSeconds(t: N8nWorkflowFile): N8nWorkflowFile {
  return {
    ...t,
    nodes: t.nodes.map((n) => {
      if (n.type !== 'n8n-nodes-base.scheduleTrigger') return n;
      assert.deepEqual((n.parameters as { rule: unknown }).rule, { interval: [{ field: 'minutes', minutesInterval: 1 }] }, 'shipped: every minute');
      return { ...n, parameters: { rule: { interval: [{ field: 'seconds', secondsInterval: 2 }] } } };
    }),
  };
}

/**
 * templates/n8n/payment-to-saas-crm.json on a real n8n 2.39 (the pack installed from its tarball): imported as
 * shipped with the operator's part filled in — Stripe, the store, a HubSpot credential whose base URL is a relay to
 * HubSpot's contract mock, SMTP to a real SMTP server — and published; signed Stripe deliveries to its webhook.
 */
describe('n8n e2e: payment-to-saas-crm — CRM Upsert (HubSpot), Every Minute → CRM Sync → Alerts → Email Operations', { timeout: 420_000 }, () => {
  const tmp = tempDir('tcrm-n8n-saas-template-');
  const storeUrl = `sqlite:${join(tmp.path, 'store.db')}`;
  let n8n: RunningN8n | undefined;
  let rest: RestSession;
  let store: SqlDatabase;
  let mock: HubSpotMock;
  let relay: NockRelay;
  let smtp: Awaited<ReturnType<typeof startSmtpCatcher>>;
  let template: TemplateWorkflow;

  before(async () => {
    mock = await HubSpotMock.start({ privateAppToken: PAT, retryAfterSeconds: 1 });
    relay = await startNockRelay({ target: mock.baseUrl });
    smtp = await startSmtpCatcher();
    const instance = await startPaymentWorkflow({ workDir: tmp.path, storeUrl, signingSecret: TEST_WEBHOOK_SECRET, tokenKeys: TEST_TOKEN_KEYS });
    ({ n8n, rest } = instance);
    const hubspot = await rest.request<{ id: string; name: string }>('POST', '/credentials', {
      type: 'terminalHubSpotApi', name: 'HubSpot (relay to the contract mock)', data: { accessToken: PAT, baseUrl: relay.url },
    });
    const refs = { ...instance.credentials, ...(await upsertSmtpCredential(rest, smtp, 'Mail catcher (e2e)')), terminalHubSpotApi: { id: hubspot.id, name: hubspot.name } };
    template = await importTemplate(rest, n8n.baseUrl, 'payment-to-saas-crm', refs, { edit: everyTwoSeconds });
    store = await openDatabase(storeUrl);
  });

  after(async () => {
    await n8n?.stop();
    await store?.close();
    await relay?.close();
    mock?.stop();
    await smtp?.close();
    tmp.remove();
  });

  const logHint = () => `\n--- n8n log ---\n${n8n?.logTail()}`;
  const deliver = async (event: object) => {
    const { body, headers } = signedDelivery(event, TEST_WEBHOOK_SECRET);
    const res = await fetch(template.webhookUrl, { method: 'POST', headers, body });
    assert.equal(res.status, 200, await res.text());
  };
  /** What `node` put out in each finished execution that ran it, newest first (webhook and schedule runs share the list). */
  const read = new Map<string, Array<Array<Record<string, unknown>>> | null>();
  const outputsOf = async (node: string) => {
    const out: Array<Array<Array<Record<string, unknown>>>> = [];
    for (const e of await listExecutions(rest, template.workflowId)) {
      if (e.status !== 'success' && e.status !== 'error') continue;
      assert.equal(e.status, 'success', `execution ${e.id} failed${logHint()}`);
      if (!read.has(`${node}:${e.id}`)) read.set(`${node}:${e.id}`, await nodeOutputs(rest, e.id, node).catch(() => null));
      const outputs = read.get(`${node}:${e.id}`);
      if (outputs) out.push(outputs);
    }
    return out;
  };
  const dealsOf = (paymentIntent: string) => mock.recordBy('deals', 'terminal_crm_payment_key', `stripe:${paymentIntent}`);

  it('a payment HubSpot refuses with 429 stays queued; the next scheduled CRM Sync delivers it, once', async () => {
    mock.setFaults({ rate429: 1 });
    await deliver(stripeEvent('charge.succeeded', chargeObject({ amount: 2_750, email: 'queued@example.com', name: 'Quinn Queued', paymentIntentId: 'pi_saas_429' })));
    const crm = await waitUntil('CRM Upsert to answer for the payment', 60_000, async () => {
      const [latest] = await outputsOf('CRM Upsert');
      return latest?.[0]?.[0]?.crm as { outcome: string; customerId: string; sync: CrmSync } | undefined;
    });
    assert.equal(crm.outcome, 'recorded');
    assert.equal(crm.sync.status, 'queued', JSON.stringify(crm.sync));
    assert.ok(mock.calls.some((c) => c.status === 429), 'HubSpot answered 429');
    assert.deepEqual(dealsOf('pi_saas_429'), [], 'nothing reached HubSpot');
    // The customer goes first: HubSpot's reason is on its row, the payment waits behind it.
    const waiting = await store.all<{ kind: string; state: string; last_error: string | null }>(
      "SELECT kind, state, last_error FROM outbox WHERE crm = 'hubspot' AND external_id IN (?, ?) ORDER BY kind",
      [crm.customerId, 'stripe:pi_saas_429'],
    );
    // Waiting: pending, or claimed by a scheduled CRM Sync run (every 2 s here) that may already be sending it.
    assert.deepEqual(waiting.map((r) => [r.kind, r.state === 'inflight' ? 'pending' : r.state]), [['customer', 'pending'], ['payment', 'pending']]);
    assert.match(String(waiting[0]!.last_error), /ten_secondly_rolling limit/i);

    mock.setFaults({});
    await waitUntil('the payment as a deal in HubSpot', 60_000, async () => (dealsOf('pi_saas_429').length ? true : undefined));
    const sent = await waitUntil('a CRM Sync run that synced it', 30_000, async () => (await outputsOf('CRM Sync')).find(([result]) => Number(result?.[0]?.synced) > 0));
    assert.equal(sent[0]![0]!.crm, 'hubspot');
    const contact = mock.recordBy('contacts', 'email', 'queued@example.com');
    assert.equal(contact.length, 1);
    assert.ok(mock.associations.has(`deals:${dealsOf('pi_saas_429')[0]!.id}->contacts:${contact[0]!.id}`), 'the deal is on its contact');
    const row = await store.get<{ state: string }>("SELECT state FROM outbox WHERE crm = 'hubspot' AND external_id = 'stripe:pi_saas_429'");
    assert.equal(row?.state, 'synced');
    assert.equal(dealsOf('pi_saas_429').length, 1, 'sent once');
  });

  it('a record given up on sends operations one email with the record and HubSpot\'s reason', async () => {
    mock.setFaults({});
    await queueGhostPayment(store);
    const [mail] = await smtp.waitFor(`the alert to ${OPS}`, () => smtp.to(OPS).length > 0, 60_000).then(() => smtp.to(OPS));
    const alert = await store.get<{ reason: string }>("SELECT reason FROM outbox_alerts WHERE crm = 'hubspot' AND external_id = 'stripe:pi_sync_ghost'");
    assert.ok(alert, 'the store kept the alert');
    assertGhostAlertMessage({ subject: mail!.subject, text: mail!.text }, alert.reason);
    assert.equal(mail!.from, 'alerts@yourshop.example');
    // Later runs find the record dead: no second mail.
    const runs = (await listExecutions(rest, template.workflowId)).length;
    await waitUntil('two more scheduled runs', 30_000, async () => ((await listExecutions(rest, template.workflowId)).length >= runs + 2 ? true : undefined));
    assert.equal(smtp.to(OPS).length, 1);
  });
});
