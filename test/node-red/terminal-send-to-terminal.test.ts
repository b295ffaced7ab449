import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import registerAdyenCloud from '../../nodes/node-red/adyen-cloud-account';
import registerSquare from '../../nodes/node-red/square-account';
import registerStripe from '../../nodes/node-red/stripe-terminal-account';
import registerSend from '../../nodes/node-red/terminal-send-to-terminal';
import type { SourceAccountNode } from '../../nodes/node-red/shared/config-types';
import { attributionFrom } from '../../nodes/core/terminal-push/push-metadata';
import { form, recordInto, useNock, type Seen } from '../core/terminal-push/nock-harness';
import { adyenPaymentResponse, squareCheckout, STRIPE_ERRORS, stripePaymentIntent, stripeReader } from '../core/terminal-push/vendor-fixtures';
import { fakeRed } from './support/fake-red';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PUSH_ACCOUNTS } from '../../nodes/node-red/shared/push-accounts';

const STRIPE = 'https://api.stripe.com';
const SQUARE = 'https://connect.squareupsandbox.com';
const ADYEN = 'https://terminal-api-test.adyen.com';
const READER = 'tmr_FrontDesk';
const POI = 'S1F2-000158123456';
const PI = 'pi_3PushTest';
const KEY = 'sk_test_terminalcrm';
const CUSTOMER = 'cus_4fHq9kQ2mZx7TtWbL1cN0a';

type Push = { outcome: string; message: string; paymentId?: string; metadata?: Record<string, string>; by?: string; field?: string; vendorCode?: string };

describe('Node-RED: terminal send to terminal (in a stand-in for Node-RED)', { timeout: 30_000 }, () => {
  const nock = useNock();
  let red: ReturnType<typeof fakeRed>;
  before(() => {
    red = fakeRed();
    for (const register of [registerStripe, registerSquare, registerAdyenCloud, registerSend]) register(red.RED);
    red.create('stripe-terminal-account', { id: 'stripe' }, { webhookSecrets: 'whsec_a', secretKey: KEY });
    red.create('stripe-terminal-account', { id: 'stripe-webhooks-only' }, { webhookSecrets: 'whsec_a' });
    red.create('square-account', { id: 'square', baseUrl: SQUARE, notificationUrl: '' }, { accessToken: 'EAAAl-test-token', signatureKey: 'sig' });
    red.create('adyen-cloud-account', { id: 'adyen', baseUrl: '', saleId: '' }, { apiKey: 'AQE-test-key' });
  });

  const stripeNode = (id: string, over: Record<string, unknown> = {}) =>
    red.create('terminal-send-to-terminal', { id, processor: 'stripe', stripeAccount: 'stripe', readerId: READER, currency: 'USD', amountUnit: 'major', description: 'Cut and colour', ...over });
  const created = (seen: Seen[] = []) => nock()(STRIPE).post('/v1/payment_intents').reply(recordInto(seen, 200, stripePaymentIntent({ amount: 1250, currency: 'usd' })));
  const pushOf = (msg: Record<string, unknown> | undefined) => msg!.push as Push;

  it('Stripe: takes the sale from msg.payload, writes exactly the customer, record, reference and reader to the metadata, and adds msg.push', async () => {
    const seen: Seen[] = [];
    created(seen);
    nock()(STRIPE).post(`/v1/terminal/readers/${READER}/process_payment_intent`).reply(recordInto(seen, 200, stripeReader({ paymentIntent: PI, status: 'in_progress' })));
    const node = stripeNode('s1', { amount: '99.00', reference: 'default-ref' });
    const payload = { amount: '12.50', customerId: CUSTOMER, crmRecordId: 'deal-9001', reference: 'deal-9001' };

    const { sent, error } = await node.receive(payload, { topic: 'front desk' });

    assert.equal(error, undefined);
    const body = form(seen[0]!.body);
    assert.deepEqual(Object.fromEntries([...body].filter(([k]) => k.startsWith('metadata['))), {
      'metadata[terminal_crm_customer_id]': CUSTOMER,
      'metadata[terminal_crm_record_id]': 'deal-9001',
      'metadata[terminal_crm_reference]': 'deal-9001',
      'metadata[reader_id]': READER,
    });
    assert.equal(body.get('amount'), '1250', 'the payload amount wins over the node property');
    assert.equal(body.get('description'), 'Cut and colour', 'a field the payload leaves out comes from the node');
    assert.equal(seen[0]!.headers.authorization, `Bearer ${KEY}`);
    assert.equal(seen[0]!.headers['idempotency-key'], 'terminal-crm:deal-9001');
    assert.deepEqual(sent!.payload, payload, 'msg.payload leaves as it came');
    assert.equal(sent!.topic, 'front desk');
    const push = pushOf(sent);
    assert.equal(push.outcome, 'sent');
    assert.equal(push.paymentId, PI);
    assert.deepEqual(attributionFrom({ metadata: push.metadata }), { customerId: CUSTOMER, crmRecordId: 'deal-9001', reference: 'deal-9001' });
    assert.deepEqual(node.statuses.at(-1), { fill: 'green', shape: 'dot', text: `sent ${READER} (${PI})` });
  });

  it('Stripe: an offline reader is msg.push.outcome "offline" with a yellow status, not an error', async () => {
    created();
    nock()(STRIPE).post(`/v1/terminal/readers/${READER}/process_payment_intent`).reply(400, STRIPE_ERRORS.offline);
    const node = stripeNode('s2');
    const { sent, error } = await node.receive({ amount: 12.5, customerId: CUSTOMER, reference: 'deal-9001' });
    assert.equal(error, undefined);
    assert.equal(pushOf(sent).outcome, 'offline');
    assert.match(pushOf(sent).message, /offline/);
    assert.equal(node.statuses.at(-1)?.fill, 'yellow');
  });

  it('Stripe: a customer who cancels on the reader is "cancelled" by the customer', async () => {
    created();
    nock()(STRIPE).post(`/v1/terminal/readers/${READER}/process_payment_intent`)
      .reply(200, stripeReader({ paymentIntent: PI, status: 'failed', failure_code: 'customer_canceled', failure_message: 'Customer canceled.' }));
    const { sent } = await stripeNode('s3').receive({ amount: '12.50', customerId: CUSTOMER, reference: 'deal-9001' });
    assert.equal(pushOf(sent).outcome, 'cancelled');
    assert.equal(pushOf(sent).by, 'customer');
  });

  it('Adyen cloud account: a busy terminal is "busy"; the key goes in X-API-Key, blank settings take the test URL and Sale ID "terminal-crm"', async () => {
    const seen: Seen[] = [];
    nock()(ADYEN).post('/sync').reply(recordInto(seen, 200, adyenPaymentResponse({ serviceId: 'Svc0000001', poiId: POI, reference: 'deal-9001', result: 'Failure', errorCondition: 'Busy' })));
    const node = red.create('terminal-send-to-terminal', { id: 'a1', processor: 'adyen', adyenAccount: 'adyen', readerId: POI, currency: 'EUR', amount: '10.50', customerId: CUSTOMER });
    const { sent, error } = await node.receive({ reference: 'deal-9001' });
    assert.equal(error, undefined);
    assert.equal(pushOf(sent).outcome, 'busy');
    assert.equal(seen[0]!.headers['x-api-key'], 'AQE-test-key');
    const request = JSON.parse(seen[0]!.body).SaleToPOIRequest;
    assert.equal(request.MessageHeader.SaleID, 'terminal-crm');
    assert.equal(request.MessageHeader.POIID, POI);
    assert.deepEqual(request.PaymentRequest.PaymentTransaction.AmountsReq, { Currency: 'EUR', RequestedAmount: 10.5 });
  });

  it('Square account: the access token and base URL of the trigger\'s account send the checkout', async () => {
    const seen: Seen[] = [];
    const device = '9fa747a2-25ff-48ee-b078-04381f7c828f';
    nock()(SQUARE).post('/v2/terminals/checkouts').reply(recordInto(seen, 200, squareCheckout({ amount: 1250, currency: 'USD', deviceId: device, referenceId: 'deal-9001', createdAt: new Date().toISOString() })));
    const node = red.create('terminal-send-to-terminal', { id: 'q1', processor: 'square', squareAccount: 'square', readerId: device, currency: 'USD' });
    const { sent } = await node.receive({ amount: 1250, amountUnit: 'minor', customerId: CUSTOMER, reference: 'deal-9001' });
    assert.equal(pushOf(sent).outcome, 'sent');
    assert.equal(seen[0]!.headers.authorization, 'Bearer EAAAl-test-token');
    assert.deepEqual(JSON.parse(seen[0]!.body).checkout.amount_money, { amount: 1250, currency: 'USD' });
  });

  it('hands setup problems to done() naming the box to fill in, and a refused key too', async () => {
    const noAccount = await stripeNode('e1', { stripeAccount: '' }).receive({ amount: '1', customerId: CUSTOMER, reference: 'r' });
    assert.match(noAccount.error!.message, /^Stripe account: none is selected/);
    assert.equal(noAccount.sent, undefined);

    const noKey = await stripeNode('e2', { stripeAccount: 'stripe-webhooks-only' }).receive({ amount: '1', customerId: CUSTOMER, reference: 'r' });
    assert.match(noKey.error!.message, /^Stripe account → Secret key: .*no Stripe secret key is set\. Fix: open the Stripe account configuration, fill in Secret key and deploy$/);

    nock()(STRIPE).post('/v1/payment_intents').reply(401, STRIPE_ERRORS.badKey);
    const node = stripeNode('e3');
    const refused = await node.receive({ amount: '1', customerId: CUSTOMER, reference: 'r' });
    assert.match(refused.error!.message, /^stripe: 401 .*Fix: use a secret key/);
    assert.equal(node.statuses.at(-1)?.fill, 'red');
  });

  it('refuses an amount with a thousands separator as a rejected outcome, without calling Stripe', async () => {
    const { sent, error } = await stripeNode('r1').receive({ amount: '1,250.00', customerId: CUSTOMER, reference: 'deal-9001' });
    assert.equal(error, undefined);
    assert.equal(pushOf(sent).outcome, 'rejected');
    assert.equal(pushOf(sent).field, 'amount');
  });

  it('the Stripe account still gives the trigger its signing secrets, and the key when one is set', () => {
    const account = red.RED.nodes.getNode('stripe') as unknown as SourceAccountNode;
    assert.deepEqual(account.sourceCredentials(), { signingSecret: ['whsec_a'], secretKey: KEY });
    const webhooksOnly = red.RED.nodes.getNode('stripe-webhooks-only') as unknown as SourceAccountNode;
    assert.deepEqual(webhooksOnly.sourceCredentials(), { signingSecret: ['whsec_a'] });
  });

  it("names each account's fields in errors as its dialog labels them (locales/en-US), and the account as the send node's field does", async () => {
    const catalog = (type: string) => (JSON.parse(readFileSync(resolve(__dirname, '../../../nodes/node-red/locales/en-US', `${type}.json`), 'utf8')) as Record<string, { label: Record<string, string> }>)[type]!;
    const send = catalog('terminal-send-to-terminal');
    for (const [processor, account] of Object.entries(PUSH_ACCOUNTS)) {
      const labels = catalog(account.type).label;
      for (const [field, label] of Object.entries(account.labels)) assert.equal(label, labels[field], `${processor}: ${field}`);
      assert.ok([send.label[account.property], (catalog(account.type) as unknown as { paletteLabel: string }).paletteLabel].includes(account.label), `${processor}: ${account.label}`);
    }

    red.create('adyen-cloud-account', { id: 'adyen-no-scheme', baseUrl: 'terminal-api-test.adyen.com', saleId: '' }, { apiKey: 'AQE-test-key' });
    const node = red.create('terminal-send-to-terminal', { id: 'a-bad-url', processor: 'adyen', adyenAccount: 'adyen-no-scheme', readerId: POI, currency: 'EUR' });
    const { error } = await node.receive({ amount: '1', customerId: CUSTOMER, reference: 'r' });
    assert.match(error!.message, /^Adyen cloud account → Terminal API: .*"terminal-api-test\.adyen\.com" is not a usable URL: it has no scheme.*Fix: open the Adyen cloud account configuration, fill in Terminal API and deploy$/);
  });
});
