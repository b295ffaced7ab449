import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ICredentialDataDecryptedObject, IConnections, IHttpRequestOptions, INodeExecutionData } from 'n8n-workflow';
import { normalizeStripeEvent } from '../../nodes/core/sources/stripe-terminal';
import { chargeObject, stripeEvent } from '../../sandbox/simulator/stripe-terminal-events';
import { TOKEN } from '../core/crm/saas/hubspot-kit';
import { HubSpotMock } from '../core/crm/saas/mocks/hubspot-mock';
import { assertFixtureSynced, assertGhostAlert, assertGhostAlertMessage, queueSyncFixture } from '../core/outbox/support/sync-fixture';
import { tempStore } from '../support/temp-store';
import { assignCredentials } from './support/assign-credentials';
import { outputsOf } from './support/outputs';
import { PACKAGE, packageNodeTypes } from './support/package-node-types';
import { runWorkflow, type WorkflowJson, storeCredentials } from './support/run-workflow';
import { StaticCredentialsHelper } from './support/static-credentials-helper';
import { n8nTemplate, type TemplateJson } from './support/template';

const TEMPLATES = ['payment-to-crm.json', 'thank-you.json', 'high-value-alert.json', 'loyalty-welcome.json', 'failed-payment-alert.json', 'refund-sync.json', 'payment-to-saas-crm.json'];

/** Where an output of a node leads: the names of the nodes connected to it. */
const targets = (wf: TemplateJson, from: string, output = 0) => (wf.connections[from]?.main?.[output] ?? []).map((c) => c.node);
const byName = (wf: TemplateJson, name: string) => {
  const found = wf.nodes.find((n) => n.name === name);
  assert.ok(found, `the template has a node named "${name}"`);
  return found;
};

/**
 * The template without the nodes this in-process runner does not register (n8n's own, Terminal Message): the
 * steps before them run with the parameters exactly as shipped. The e2e tests run whole templates on a real n8n.
 */
function ownNodesOnly(wf: TemplateJson): WorkflowJson {
  const known = packageNodeTypes().getKnownTypes();
  const keep = new Set(wf.nodes.filter((n) => n.type in known).map((n) => n.name));
  const connections: IConnections = {};
  for (const [from, byType] of Object.entries(wf.connections)) {
    if (!keep.has(from)) continue;
    connections[from] = { main: (byType.main ?? []).map((outs) => (outs ?? []).filter((c) => keep.has(c.node))) };
  }
  return { ...wf, nodes: wf.nodes.filter((n) => keep.has(n.name)), connections };
}

describe('n8n templates (templates/n8n/)', () => {
  let store: Awaited<ReturnType<typeof tempStore>>;
  before(async () => {
    store = await tempStore();
  });
  after(async () => {
    await store.remove();
  });
  const creds = () => storeCredentials(store.url);
  const refs = { terminalCrmStore: { id: '1', name: 'Terminal CRM Store' }, stripeTerminalApi: { id: '2', name: 'Stripe Terminal' } };
  const asItem = (amount: number, email: string) =>
    ({ json: JSON.parse(JSON.stringify(normalizeStripeEvent(stripeEvent('charge.succeeded', chargeObject({ amount, email }))))) }) as INodeExecutionData;

  it('every template has its own trigger webhook id, ships no credentials and starts with a setup note', () => {
    const ids = TEMPLATES.map((file) => {
      const wf = n8nTemplate(file);
      assert.equal(wf.nodes.filter((n) => 'credentials' in n).length, 0, `${file} ships no credentials`);
      assert.match(String(byName(wf, 'Setup').parameters.content), /Terminal CRM Store/);
      const triggers = wf.nodes.filter((n) => n.type === `${PACKAGE}.terminalTrigger`);
      assert.equal(triggers.length, 1, file);
      return triggers[0]!.webhookId;
    });
    assert.equal(new Set(ids).size, TEMPLATES.length, 'importing all templates into one n8n gives distinct webhook URLs');
  });

  describe('high-value-alert.json', () => {
    const wf = n8nTemplate('high-value-alert.json');

    it('wires Upsert → Segment Customer → High-Value Alert (Terminal Message) → Post to Slack and Email Sales', () => {
      assert.deepEqual(targets(wf, 'CRM Upsert'), ['Segment Customer']);
      assert.deepEqual(targets(wf, 'Segment Customer'), ['High-Value Alert']);
      assert.deepEqual(targets(wf, 'High-Value Alert'), ['Post to Slack', 'Email Sales']);
      assert.deepEqual([byName(wf, 'High-Value Alert').type, byName(wf, 'High-Value Alert').parameters.kind], [`${PACKAGE}.terminalMessage`, 'high-value-alert']);
      assert.equal(byName(wf, 'Email Sales').type, 'n8n-nodes-base.emailSend');
      const url = String(byName(wf, 'Post to Slack').parameters.url);
      assert.match(url, /^https:\/\/example\.com\/replace-/);
      assert.match(JSON.stringify(byName(wf, 'Post to Slack').parameters.bodyParameters), /\$json\.message\.slackText/, 'Slack gets the Slack-escaped text');
      assert.ok(wf.nodes.some((n) => n.type === 'n8n-nodes-base.stickyNote' && String(n.parameters.content).includes(url)), 'a note names the URL to replace');
    });

    it("our nodes, with the template's parameters, flag a 600.00 payment high value and a 20.00 one not", async () => {
      const run = await runWorkflow(assignCredentials(ownNodesOnly(wf), refs), 'Tokenize', [asItem(60_000, 'vip@example.com'), asItem(2_000, 'regular@example.com')], creds());
      assert.equal(run.data.resultData.error, undefined, run.data.resultData.error?.message);
      const flags = outputsOf(run, 'Segment Customer')[0]!.map((i) => (i.json.segment as { flags: { highValue: boolean } }).flags.highValue);
      assert.deepEqual(flags, [true, false]);
    });

    it('recomputes all segments every night with a Schedule Trigger, and that node runs as shipped', async () => {
      assert.deepEqual(targets(wf, 'Every Night'), ['Recompute Segments']);
      assert.equal(byName(wf, 'Every Night').type, 'n8n-nodes-base.scheduleTrigger');
      const run = await runWorkflow(assignCredentials(ownNodesOnly(wf), refs), 'Recompute Segments', [{ json: {} }], creds());
      assert.equal(run.data.resultData.error, undefined, run.data.resultData.error?.message);
      const summary = outputsOf(run, 'Recompute Segments')[0]![0]!.json as { currencies: Array<{ currency: string; customers: number }> };
      assert.deepEqual(summary.currencies.map((c) => [c.currency, c.customers]), [['USD', 2]]);
    });
  });

  describe('loyalty-welcome.json', () => {
    const wf = n8nTemplate('loyalty-welcome.json');

    it('wires Loyalty Enroll\'s "Enrolled / Tier Changed" output (not "Payment") to Welcome Message → Send Welcome', () => {
      assert.deepEqual(targets(wf, 'CRM Upsert'), ['Loyalty Enroll']);
      assert.deepEqual(targets(wf, 'Loyalty Enroll', 0), []);
      assert.deepEqual(targets(wf, 'Loyalty Enroll', 1), ['Welcome Message']);
      assert.deepEqual(targets(wf, 'Welcome Message'), ['Send Welcome']);
      assert.equal(byName(wf, 'Welcome Message').parameters.kind, 'loyalty-welcome');
    });

    it('with the default program, a first payment enrolls the customer once; the same event again sends nothing', async () => {
      const own = assignCredentials(ownNodesOnly(wf), refs);
      const item = asItem(2_500, 'welcome@example.com');
      const first = await runWorkflow(own, 'Tokenize', [item], creds());
      const [, events] = outputsOf(first, 'Loyalty Enroll');
      assert.deepEqual(events!.map((e) => (e.json.loyaltyEvent as { type: string }).type), ['enrolled']);
      const again = await runWorkflow(own, 'Tokenize', [item], creds());
      assert.deepEqual(outputsOf(again, 'Loyalty Enroll')[1], []);
      const members = await store.db.all("SELECT customer_id FROM loyalty_members WHERE program_id = 'default' AND enrolled_at IS NOT NULL");
      assert.equal(members.length, 1);
    });
  });
  it('thank-you.json: CRM Upsert → Thank-You Message → Send Thank-You (with an email) and Send SMS (with a phone; off as shipped), and a 5-minute schedule flushes messages quiet hours held', () => {
    const wf = n8nTemplate('thank-you.json');
    assert.deepEqual(targets(wf, 'CRM Upsert'), ['Thank-You Message']);
    assert.deepEqual([byName(wf, 'Thank-You Message').parameters.kind, byName(wf, 'Thank-You Message').parameters.operation], ['thank-you', 'compose']);
    assert.deepEqual(targets(wf, 'Thank-You Message'), ['Has Email?', 'Has Phone?']);
    assert.deepEqual([targets(wf, 'Has Email?'), targets(wf, 'Has Phone?')], [['Send Thank-You'], ['Send SMS']]);
    assert.equal(byName(wf, 'Send SMS').disabled, true);
    assert.deepEqual(targets(wf, 'Every 5 Minutes'), ['Send Queued Messages']);
    assert.equal(byName(wf, 'Send Queued Messages').parameters.operation, 'flush');
    assert.deepEqual(targets(wf, 'Send Queued Messages'), ['Has Email?', 'Has Phone?']);
    assert.deepEqual([byName(wf, 'Send Thank-You').parameters.toEmail, byName(wf, 'Send Thank-You').parameters.text], ['={{ $json.message.to }}', '={{ $json.message.text }}']);
  });

  it('failed-payment-alert.json: Tokenize → Decline Alert → Slack and email; refund-sync.json: Upsert → Loyalty Enroll (Payment) → Refund Message → email', () => {
    const fail = n8nTemplate('failed-payment-alert.json');
    assert.deepEqual(targets(fail, 'Tokenize'), ['Decline Alert']);
    assert.deepEqual(targets(fail, 'Decline Alert'), ['Post to Slack', 'Email Operations']);
    assert.match(JSON.stringify(byName(fail, 'Post to Slack').parameters.bodyParameters), /\$json\.message\.slackText/, 'Slack gets the Slack-escaped text');
    assert.equal(byName(fail, 'Decline Alert').parameters.kind, 'failed-payments');
    const refund = n8nTemplate('refund-sync.json');
    assert.deepEqual(targets(refund, 'CRM Upsert'), ['Loyalty Enroll']);
    assert.deepEqual(targets(refund, 'Loyalty Enroll', 0), ['Refund Message']);
    assert.deepEqual(targets(refund, 'Refund Message'), ['Send Refund Note']);
  });

  describe('payment-to-saas-crm.json', () => {
    const wf = n8nTemplate('payment-to-saas-crm.json');
    const setup = String(byName(wf, 'Setup').parameters.content);

    it('wires both Match Customer outputs to CRM Upsert on HubSpot, and Every Minute → CRM Sync (same CRM) → Alerts → Email Operations', () => {
      assert.deepEqual([targets(wf, 'Match Customer', 0), targets(wf, 'Match Customer', 1)], [['CRM Upsert'], ['CRM Upsert']]);
      assert.deepEqual(targets(wf, 'CRM Upsert'), []);
      const upsert = byName(wf, 'CRM Upsert').parameters;
      const sync = byName(wf, 'CRM Sync').parameters;
      assert.deepEqual([upsert.crm, upsert.authentication], ['hubspot', 'accessToken']);
      assert.deepEqual([sync.crm, sync.authentication], [upsert.crm, upsert.authentication], 'CRM Sync sends what CRM Upsert queued only for the same CRM');
      assert.ok(Number(upsert.waitSeconds) > 0, 'CRM Upsert sends at once, within its wait');
      assert.equal(byName(wf, 'Every Minute').type, 'n8n-nodes-base.scheduleTrigger');
      assert.deepEqual(byName(wf, 'Every Minute').parameters.rule, { interval: [{ field: 'minutes', minutesInterval: 1 }] });
      assert.ok(Number(sync.deadlineSeconds) > 0 && Number(sync.deadlineSeconds) < 60, 'the deadline is below the schedule\'s interval');
      assert.deepEqual([targets(wf, 'Every Minute'), targets(wf, 'CRM Sync', 0), targets(wf, 'CRM Sync', 1)], [['CRM Sync'], [], ['Email Operations']]);
      const mail = byName(wf, 'Email Operations');
      assert.equal(mail.type, 'n8n-nodes-base.emailSend');
      assert.deepEqual([mail.parameters.toEmail, mail.parameters.subject, mail.parameters.text], ['ops@yourshop.example', '={{ $json.message.subject }}', '={{ $json.message.text }}']);
    });

    it('says what to fill in: the CRM credential on both CRM nodes, the store, SMTP and the recipient, and that another CRM is changed on both', () => {
      for (const words of [/Terminal CRM HubSpot API/, /Terminal CRM Store/, /SMTP/, /ops@yourshop\.example/, /change \*CRM\* on \*\*both\*\* nodes/, /Deadline \(Seconds\)\* \(50\) below its interval/]) assert.match(setup, words);
    });

    describe('CRM Sync as shipped, run as Every Minute starts it', () => {
      let nock: typeof import('nock', { with: { 'resolution-mode': 'import' } }).default;
      const authenticate = StaticCredentialsHelper.prototype.authenticate;
      before(async () => {
        nock = (await import('nock')).default;
        nock.disableNetConnect();
        // What n8n's credentials helper does with the HubSpot credential's `authenticate` (a Bearer header).
        StaticCredentialsHelper.prototype.authenticate = async function (c: ICredentialDataDecryptedObject, type: string, options: IHttpRequestOptions) {
          return type === 'terminalHubSpotApi' ? { ...options, headers: { ...options.headers, Authorization: `Bearer ${String(c.accessToken)}` } } : options;
        };
      });
      after(() => {
        StaticCredentialsHelper.prototype.authenticate = authenticate;
        nock.cleanAll();
        nock.enableNetConnect();
      });

      it('sends what CRM Upsert left queued, and gives Email Operations one item per record given up on, worded with the CRM\'s reason', async () => {
        const mock = await HubSpotMock.start({ privateAppToken: TOKEN });
        try {
          await store.db.run('DELETE FROM outbox');
          await queueSyncFixture(store.db);
          const own = assignCredentials(ownNodesOnly(wf), { ...refs, terminalHubSpotApi: { id: '3', name: 'HubSpot' } });
          const run = await runWorkflow(own, 'CRM Sync', [{ json: {} }], { ...creds(), terminalHubSpotApi: { accessToken: TOKEN, baseUrl: 'https://api.hubapi.com' } });
          assert.equal(run.data.resultData.error, undefined, run.data.resultData.error?.message);
          const [result, alerts] = outputsOf(run, 'CRM Sync');
          assert.deepEqual([result![0]!.json.synced, result![0]!.json.dead], [4, 1]);
          await assertFixtureSynced(store.db, mock);
          assert.equal(alerts!.length, 1);
          assertGhostAlert(alerts![0]!.json);
          assertGhostAlertMessage(alerts![0]!.json.message, String(alerts![0]!.json.reason));
        } finally {
          mock.stop();
        }
      });
    });
  });

  it('every message quiet hours can hold (thank-you, loyalty welcome, refund) has a schedule → Send Queued Messages of its own kind → the same steps as its Compose node', () => {
    for (const file of TEMPLATES) {
      const wf = n8nTemplate(file);
      const composers = wf.nodes.filter((n) => n.type === `${PACKAGE}.terminalMessage` && n.parameters.operation !== 'flush' && ['thank-you', 'loyalty-welcome', 'refund'].includes(String(n.parameters.kind)));
      for (const composer of composers) {
        const flush = wf.nodes.find((n) => n.type === `${PACKAGE}.terminalMessage` && n.parameters.operation === 'flush' && (n.parameters.kind ?? 'thank-you') === composer.parameters.kind);
        assert.ok(flush, `${file}: a Send Queued Messages for the ${String(composer.parameters.kind)} messages "${composer.name}" holds in quiet hours`);
        assert.ok(wf.nodes.some((n) => n.type === 'n8n-nodes-base.scheduleTrigger' && targets(wf, n.name).includes(flush.name)), `${file}: a schedule drives "${flush.name}"`);
        assert.deepEqual(targets(wf, flush.name), targets(wf, composer.name), `${file}: "${flush.name}" sends what it releases as "${composer.name}" sends`);
      }
    }
  });
});
