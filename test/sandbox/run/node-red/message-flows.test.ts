import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { FlowNode } from '../../../../sandbox/run/node-red/admin-api';
import { SANDBOX_CRM_ACCOUNT_ID, withSandboxCrm } from '../../../../sandbox/run/node-red/crm-account';
import { readPaymentToCrmExample, withPaymentFlow } from '../../../../sandbox/run/node-red/payment-flow';
import { SLACK_PLACEHOLDER, TEMPLATE_EXAMPLES, withMessageFlow } from '../../../../sandbox/run/node-red/template-flows';
import { sandboxCrmFromEnv } from '../../../../sandbox/run/crm/sandbox-crm';
import { repoRoot } from '../../../../sandbox/run/shared/repo-root';

const example = (name: string) => JSON.parse(readFileSync(join(repoRoot(), 'examples', `${name}.json`), 'utf8')) as FlowNode[];
const thankYou = example('thank-you');
const payment = readPaymentToCrmExample();
const setup = { webhookSecret: 'whsec_x', storeUrl: 'sqlite:/tmp/s.db', tokenKeys: 'k1:ab' };
const upserts = new Set([...payment, ...thankYou].filter((n) => n.type === 'terminal-crm-upsert').map((n) => n.id));
const catcher = (port: number, name = 'thank-you') => ({ smtp: { host: '127.0.0.1', port }, slackUrl: `http://127.0.0.1:${port + 1}/slack/${name}`, from: 'Shop <hello+node-red@shop.example>' });
const withThankYouFlow = (flows: FlowNode[], port: number) => withMessageFlow(flows, thankYou, setup, catcher(port));

describe('the sandbox flows in Node-RED: the message examples and the CRM', () => {
  it('adds every message example beside the payment flow, each with its own trigger, its mail pointed at the catcher and its Slack posts at the receiver', () => {
    let flows = withPaymentFlow([], payment, setup);
    for (const name of TEMPLATE_EXAMPLES) flows = withMessageFlow(flows, example(name), setup, catcher(1025, name));
    const triggers = flows.filter((n) => n.type === 'terminal-trigger');
    assert.equal(triggers.length, 1 + TEMPLATE_EXAMPLES.length);
    assert.equal(new Set(triggers.map((t) => t.path)).size, triggers.length, 'every trigger on its own path');
    const sends = flows.filter((n) => n.type === 'terminal-send-message');
    assert.equal(sends.length, TEMPLATE_EXAMPLES.length);
    for (const s of sends) assert.deepEqual([s.host, s.port, s.from], ['127.0.0.1', 1025, 'Shop <hello+node-red@shop.example>']);
    const slack = flows.filter((n) => n.type === 'http request' && String(n.url).includes('/slack/'));
    assert.deepEqual(slack.map((n) => n.url).sort(), ['http://127.0.0.1:1026/slack/failed-payment-alert', 'http://127.0.0.1:1026/slack/high-value-alert']);
    assert.equal(flows.filter((n) => n.url === SLACK_PLACEHOLDER).length, 0, 'no request left on the placeholder');
    // The SMS stays off until the operator fills in a gateway.
    const sms = flows.find((n) => n.type === 'http request' && String(n.url).includes('api.twilio.com'));
    assert.equal(sms?.d, true);
  });

  it('adds the thank-you example with its mail step pointed at the catcher, and points it again at a new port on restart', () => {
    const first = withThankYouFlow(withPaymentFlow([], payment, setup), 1025);
    const send = first.filter((n) => n.type === 'terminal-send-message');
    assert.equal(send.length, 1);
    assert.deepEqual([send[0]!.host, send[0]!.port, send[0]!.secure, send[0]!.credentials], ['127.0.0.1', 1025, false, { user: '', password: '' }]);
    assert.match(String(send[0]!.from), /@/);
    assert.equal(first.filter((n) => n.type === 'terminal-trigger').length, 2);
    // Credentials never come back from Node-RED: a restart starts from the deployed flow without them.
    const deployed = first.map(({ credentials: _, ...n }) => ({ ...n, name: n.type === 'terminal-send-message' ? 'renamed by the operator' : n.name }));
    const again = withThankYouFlow(deployed, 2025);
    assert.equal(again.length, first.length);
    const sendAgain = again.find((n) => n.type === 'terminal-send-message')!;
    assert.deepEqual([sendAgain.port, sendAgain.name], [2025, 'renamed by the operator']);
    assert.deepEqual(again.find((n) => n.type === 'stripe-terminal-account' && thankYou.some((t) => t.id === n.id))!.credentials, { webhookSecrets: 'whsec_x' });
  });

  it('points both examples\' CRM Upserts at a crm-account whose plain fields name the variables and whose secrets are credentials', () => {
    const crm = sandboxCrmFromEnv({ TERMINAL_CRM_CRM: 'hubspot', HUBSPOT_ACCESS_TOKEN: 'pat-secret', HUBSPOT_BASE_URL: 'http://127.0.0.1:9' });
    const flows = withSandboxCrm(withThankYouFlow(withPaymentFlow([], payment, setup), 1025), upserts, crm);
    const ups = flows.filter((n) => n.type === 'terminal-crm-upsert');
    assert.equal(ups.length, 2);
    for (const u of ups) assert.deepEqual([u.crm, u.account], ['hubspot', SANDBOX_CRM_ACCOUNT_ID]);
    const account = flows.filter((n) => n.type === 'crm-account');
    assert.equal(account.length, 1);
    const { credentials, ...plain } = account[0]!;
    assert.deepEqual(credentials, { accessToken: 'pat-secret', baseUrl: 'http://127.0.0.1:9' });
    assert.equal(plain.crm, 'hubspot');
    assert.equal(plain.baseUrl, '${HUBSPOT_BASE_URL}');
    assert.doesNotMatch(JSON.stringify(plain), /pat-secret/);

    // Back to the local store on the next start: the account goes, the upserts write to the store only.
    const local = withSandboxCrm(flows, upserts, { name: 'local' });
    assert.equal(local.filter((n) => n.type === 'crm-account').length, 0);
    for (const u of local.filter((n) => n.type === 'terminal-crm-upsert')) assert.deepEqual([u.crm, u.account], ['local', '']);
  });
});
