import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import type { ICredentialDataDecryptedObject, IDataObject, INode, INodeExecutionData, INodeType, INodeTypes, IRun, IWorkflowBase } from 'n8n-workflow';
import { createRunExecutionData, NodeHelpers, Workflow } from 'n8n-workflow';
import { SendToTerminal } from '../../nodes/n8n/SendToTerminal/SendToTerminal.node';
import { attributionFrom } from '../../nodes/core/terminal-push/push-metadata';
import { form, recordInto, useNock, type Seen } from '../core/terminal-push/nock-harness';
import { adyenPaymentResponse, squareCheckout, STRIPE_ERRORS, stripePaymentIntent, stripeReader } from '../core/terminal-push/vendor-fixtures';
import { additionalData } from './support/additional-data';
import { PACKAGE } from './support/package-node-types';
import { PUSH_CREDENTIALS } from '../../nodes/n8n/SendToTerminal/push-credentials';
import { StripeTerminalApi } from '../../credentials/StripeTerminalApi.credentials';
import { TerminalSquareApi } from '../../credentials/TerminalSquareApi.credentials';
import { TerminalAdyenCloudApi } from '../../credentials/TerminalAdyenCloudApi.credentials';

const STRIPE = 'https://api.stripe.com';
const SQUARE = 'https://connect.squareupsandbox.com';
const ADYEN = 'https://terminal-api-test.adyen.com';
const READER = 'tmr_FrontDesk';
const PI = 'pi_3PushTest';
const KEY = 'sk_test_terminalcrm';
const CUSTOMER = 'cus_4fHq9kQ2mZx7TtWbL1cN0a';
const NAME = 'Send to Terminal';

const CREDENTIALS: Record<string, ICredentialDataDecryptedObject> = {
  stripeTerminalApi: { secretKey: KEY, signingSecret: '' },
  terminalSquareApi: { accessToken: 'EAAAl-test-token', baseUrl: SQUARE, signatureKey: '', notificationUrl: '' },
  terminalAdyenCloudApi: { apiKey: 'AQE-test-key', baseUrl: ADYEN, saleId: 'front-desk-pos' },
};
const CREDENTIAL_OF: Record<string, string> = { stripe: 'stripeTerminalApi', square: 'terminalSquareApi', adyen: 'terminalAdyenCloudApi' };

/** A CRM deal as the node before this one would hand it over. */
const deal = (over: IDataObject = {}): INodeExecutionData => ({ json: { dealId: 'deal-9001', price: '12.50', crm: { customerId: CUSTOMER }, ...over } });

/** Parameters as an operator fills them in: amount, reference and record read from the deal by expressions. */
const params = (processor: string, readerId: string, over: IDataObject = {}): IDataObject => ({
  processor,
  readerId,
  amount: '={{ $json.price }}',
  currency: 'USD',
  customerId: '={{ $json.crm.customerId }}',
  crmRecordId: '={{ $json.dealId }}',
  reference: '={{ $json.dealId }}',
  description: 'Cut and colour',
  ...over,
});

/** Only this node is needed; n8n-core runs it as it would in a workflow, expressions, credentials and all. */
function nodeTypes(): INodeTypes {
  const types: Record<string, INodeType> = { [`${PACKAGE}.sendToTerminal`]: new SendToTerminal() };
  const byName = (type: string) => {
    if (!types[type]) throw new Error(`unknown node type ${type}`);
    return types[type]!;
  };
  return {
    getByName: byName,
    getByNameAndVersion: (type, version) => NodeHelpers.getVersionedNodeType(byName(type), version),
    getKnownTypes: () => Object.fromEntries(Object.keys(types).map((t) => [t, { className: t, sourcePath: '' }])),
  };
}

/** Runs Send to Terminal under n8n-core's WorkflowExecute (as test/n8n/support/run-workflow.ts does for the pack's chain). */
async function run(parameters: IDataObject, items: INodeExecutionData[], settings: Partial<INode> = {}, credentials = CREDENTIALS): Promise<IRun> {
  const processor = parameters.processor as string;
  const node: INode = {
    id: '1', name: NAME, type: `${PACKAGE}.sendToTerminal`, typeVersion: 1, position: [0, 0], parameters: parameters as INode['parameters'],
    credentials: { [CREDENTIAL_OF[processor]!]: { id: '1', name: processor } },
    ...settings,
  };
  const json = { name: 'push', nodes: [node], connections: {} };
  const workflow = new Workflow({ id: 'test', name: json.name, nodes: json.nodes, connections: json.connections, nodeTypes: nodeTypes(), active: false });
  const hooks = new ExecutionLifecycleHooks('manual', '1', { id: 'test', ...json } as unknown as IWorkflowBase);
  let resolveRun!: (r: IRun) => void;
  const finished = new Promise<IRun>((resolve) => (resolveRun = resolve));
  hooks.addHandler('workflowExecuteAfter', (r) => resolveRun(r));
  const runData = createRunExecutionData({ executionData: { nodeExecutionStack: [{ node, data: { main: [items] }, source: null }] } });
  await new WorkflowExecute(additionalData(credentials, { hooks }), 'manual', runData).processRunExecutionData(workflow);
  return finished;
}

const output = (r: IRun) => {
  assert.equal(r.data.resultData.error, undefined, r.data.resultData.error?.message);
  return r.data.resultData.runData[NAME]![0]!.data!.main[0]!;
};
const pushOf = (item: INodeExecutionData) => item.json.push as IDataObject & { outcome: string; message: string };

describe('n8n: Send to Terminal under WorkflowExecute', { timeout: 30_000 }, () => {
  const nock = useNock();

  it('Stripe: sends the deal to the reader with exactly the customer, record, reference and reader in the metadata, and keeps the item', async () => {
    const seen: Seen[] = [];
    nock()(STRIPE)
      .post('/v1/payment_intents').reply(recordInto(seen, 200, stripePaymentIntent({ amount: 1250, currency: 'usd' })))
      .post(`/v1/terminal/readers/${READER}/process_payment_intent`).reply(recordInto(seen, 200, stripeReader({ paymentIntent: PI, status: 'in_progress' })));

    const [item] = output(await run(params('stripe', READER), [deal()]));

    const [create, processed] = seen;
    assert.equal(create!.headers.authorization, `Bearer ${KEY}`);
    assert.equal(create!.headers['idempotency-key'], 'terminal-crm:deal-9001');
    const body = form(create!.body);
    const metadata = Object.fromEntries([...body].filter(([k]) => k.startsWith('metadata[')));
    assert.deepEqual(metadata, {
      'metadata[terminal_crm_customer_id]': CUSTOMER,
      'metadata[terminal_crm_record_id]': 'deal-9001',
      'metadata[terminal_crm_reference]': 'deal-9001',
      'metadata[reader_id]': READER,
    });
    assert.equal(body.get('amount'), '1250', '12.50 typed by the operator is 1250 cents');
    assert.equal(body.get('currency'), 'usd');
    assert.deepEqual(body.getAll('payment_method_types[]'), ['card_present']);
    assert.equal(body.get('description'), 'Cut and colour');
    assert.equal(processed!.body, `payment_intent=${PI}`);

    assert.equal(item!.json.dealId, 'deal-9001', 'the CRM item goes on');
    assert.deepEqual(item!.json.crm, { customerId: CUSTOMER });
    const push = pushOf(item!);
    assert.equal(push.outcome, 'sent');
    assert.equal(push.paymentId, PI);
    assert.equal(push.approved, false);
    // What the Terminal Payment Trigger will read back from the payment.
    assert.deepEqual(attributionFrom({ metadata: push.metadata as Record<string, string> }), { customerId: CUSTOMER, crmRecordId: 'deal-9001', reference: 'deal-9001' });
    assert.deepEqual(item!.pairedItem, { item: 0 });
  });

  it('Stripe: an offline reader is an outcome on the output, not a failed execution', async () => {
    nock()(STRIPE)
      .post('/v1/payment_intents').reply(200, stripePaymentIntent({ amount: 1250, currency: 'usd' }))
      .post(`/v1/terminal/readers/${READER}/process_payment_intent`).reply(400, STRIPE_ERRORS.offline);
    const r = await run(params('stripe', READER), [deal()]);
    assert.equal(r.status, 'success');
    const push = pushOf(output(r)[0]!);
    assert.equal(push.outcome, 'offline');
    assert.equal(push.vendorCode, 'terminal_reader_offline');
    assert.match(push.message, /offline.*push again/s);
  });

  it('Stripe: a reader busy with another sale says so', async () => {
    nock()(STRIPE)
      .post('/v1/payment_intents').reply(200, stripePaymentIntent({ amount: 1250, currency: 'usd' }))
      .post(`/v1/terminal/readers/${READER}/process_payment_intent`).reply(400, STRIPE_ERRORS.busy)
      .get(`/v1/terminal/readers/${READER}`).reply(200, stripeReader({ paymentIntent: 'pi_someoneElse', status: 'in_progress' }));
    const push = pushOf(output(await run(params('stripe', READER), [deal()]))[0]!);
    assert.equal(push.outcome, 'busy');
    assert.match(push.message, /busy/);
  });

  it('Adyen: a customer who cancels on the terminal is a cancelled outcome; the key and Sale ID come from the credential', async () => {
    const seen: Seen[] = [];
    nock()(ADYEN).post('/sync').reply(recordInto(seen, 200, adyenPaymentResponse({
      serviceId: 'Svc0000001', poiId: 'S1F2-000158123456', reference: 'deal-9001', result: 'Failure', errorCondition: 'Cancel', additionalResponse: 'message=CANCELLED',
    })));
    const push = pushOf(output(await run(params('adyen', 'S1F2-000158123456', { currency: 'EUR' }), [deal()]))[0]!);
    assert.equal(push.outcome, 'cancelled');
    assert.equal(push.by, 'customer');
    assert.equal(seen[0]!.headers['x-api-key'], 'AQE-test-key');
    const request = JSON.parse(seen[0]!.body).SaleToPOIRequest;
    assert.equal(request.MessageHeader.SaleID, 'front-desk-pos');
    assert.deepEqual(request.PaymentRequest.PaymentTransaction.AmountsReq, { Currency: 'EUR', RequestedAmount: 12.5 });
  });

  it('Square: a checkout on the Terminal, at the credential base URL, from an amount in minor units', async () => {
    const seen: Seen[] = [];
    const device = '9fa747a2-25ff-48ee-b078-04381f7c828f';
    nock()(SQUARE).post('/v2/terminals/checkouts').reply(recordInto(seen, 200, squareCheckout({ amount: 1250, currency: 'USD', deviceId: device, referenceId: 'deal-9001', createdAt: new Date().toISOString() })));
    const push = pushOf(output(await run(params('square', device, { amount: '={{ $json.cents }}', amountUnit: 'minor' }), [deal({ cents: 1250 })]))[0]!);
    assert.equal(push.outcome, 'sent');
    assert.equal(push.paymentId, '08YceKh7B3ZqO');
    const body = JSON.parse(seen[0]!.body);
    assert.deepEqual(body.checkout.amount_money, { amount: 1250, currency: 'USD' });
    assert.deepEqual(attributionFrom({ note: body.checkout.note }), { customerId: CUSTOMER, crmRecordId: 'deal-9001', reference: 'deal-9001' });
  });

  it('refuses "12,50" as an amount without calling anyone, naming the field', async () => {
    const push = pushOf(output(await run(params('stripe', READER), [deal({ price: '12,50' })]))[0]!);
    assert.equal(push.outcome, 'rejected');
    assert.equal(push.field, 'amount');
    assert.match(push.message, /"12,50" is not a price.*12\.50/);
  });

  it('refuses an amount the processor cannot charge exactly (MGA 12.50 at Stripe, KWD 12.345 at Stripe) without calling anyone, naming the field and what to type instead', async () => {
    const mga = pushOf(output(await run(params('stripe', READER, { currency: 'MGA' }), [deal()]))[0]!);
    assert.equal(mga.outcome, 'rejected');
    assert.equal(mga.field, 'amount');
    assert.equal(mga.message, 'The sale was not sent: Amount 12.50 MGA cannot be charged exactly: Stripe charges MGA with no decimals, so MGA amounts go in steps of 1 MGA. Type 12 or 13 MGA instead (1200 or 1300 in minor units), rounding the price in the CRM, and push again.');
    const kwd = pushOf(output(await run(params('stripe', READER, { currency: 'KWD' }), [deal({ price: '12.345' })]))[0]!);
    assert.equal(kwd.field, 'amount');
    assert.match(kwd.message, /must end in 0.*Type 12\.34 or 12\.35 KWD instead \(12340 or 12350 in minor units\)/);
  });

  it('with "Fail on Offline, Busy, Declined or Rejected": stops on an offline reader; with Continue On Fail keeps the item, the outcome and the error', async () => {
    const offline = () =>
      nock()(STRIPE)
        .post('/v1/payment_intents').reply(200, stripePaymentIntent({ amount: 1250, currency: 'usd' }))
        .post(`/v1/terminal/readers/${READER}/process_payment_intent`).reply(400, STRIPE_ERRORS.offline);
    offline();
    const failed = await run(params('stripe', READER, { options: { failOnProblem: true } }), [deal()]);
    assert.equal(failed.status, 'error');
    assert.match(failed.data.resultData.error!.message, /Reader tmr_FrontDesk is offline/);

    offline();
    const [item] = output(await run(params('stripe', READER, { options: { failOnProblem: true } }), [deal()], { onError: 'continueRegularOutput' }));
    assert.match(item!.json.error as string, /offline/);
    assert.equal(pushOf(item!).outcome, 'offline');
    assert.equal(item!.json.dealId, 'deal-9001');
  });

  it("keeps the item's files (binary) beside its json, on the output and with Continue On Fail", async () => {
    const offline = () =>
      nock()(STRIPE)
        .post('/v1/payment_intents').reply(200, stripePaymentIntent({ amount: 1250, currency: 'usd' }))
        .post(`/v1/terminal/readers/${READER}/process_payment_intent`).reply(400, STRIPE_ERRORS.offline);
    const quote = { data: Buffer.from('%PDF-1.4 quote for deal-9001').toString('base64'), mimeType: 'application/pdf', fileName: 'quote.pdf' };
    const withFile = (): INodeExecutionData => ({ ...deal(), binary: { quote: { ...quote } } });

    offline();
    const [sent] = output(await run(params('stripe', READER), [withFile()]));
    assert.equal(pushOf(sent!).outcome, 'offline');
    assert.deepEqual(sent!.binary, { quote });

    offline();
    const [failed] = output(await run(params('stripe', READER, { options: { failOnProblem: true } }), [withFile()], { onError: 'continueRegularOutput' }));
    assert.match(failed!.json.error as string, /offline/);
    assert.deepEqual(failed!.binary, { quote });
  });

  it('names the credential field to fill in when the Stripe credential has no secret key', async () => {
    const r = await run(params('stripe', READER), [deal()], {}, { ...CREDENTIALS, stripeTerminalApi: { secretKey: '', signingSecret: 'whsec_x' } });
    assert.equal(r.status, 'error');
    assert.match(r.data.resultData.error!.message, /^Stripe Terminal API → Secret API Key: .*no Stripe secret key is set\. Fix: open the Stripe Terminal API credential and fill in Secret API Key$/);
  });

  it('names the Square credential as n8n lists it when its access token is empty (Terminal CRM Square API, not an old name)', async () => {
    const r = await run(params('square', 'device-1'), [deal()], {}, { ...CREDENTIALS, terminalSquareApi: { ...CREDENTIALS.terminalSquareApi, accessToken: '' } });
    assert.equal(r.status, 'error');
    assert.match(r.data.resultData.error!.message, /^Terminal CRM Square API → Access Token: .*no Square access token is set\. Fix: open the Terminal CRM Square API credential and fill in Access Token$/);
  });

  it("names each processor's credential and fields as the credential's own displayName and field labels", () => {
    const classes = { stripe: new StripeTerminalApi(), square: new TerminalSquareApi(), adyen: new TerminalAdyenCloudApi() };
    for (const [processor, credential] of Object.entries(PUSH_CREDENTIALS)) {
      const cls = classes[processor as keyof typeof classes];
      assert.equal(credential.type, cls.name, processor);
      assert.equal(credential.label, cls.displayName, `${processor}: the credential's name in errors`);
      for (const [field, label] of Object.entries(credential.labels)) {
        assert.equal(label, cls.properties.find((p) => p.name === field)?.displayName, `${processor}: ${field}'s label in errors`);
      }
    }
  });
});
