import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { INodeExecutionData } from 'n8n-workflow';
import { normalizeStripeEvent } from '../../nodes/core/sources/stripe-terminal';
import { matchStep, tokenizeStep } from '../../nodes/core/steps/steps';
import { chargeObject, stripeEvent } from '../../sandbox/simulator/stripe-terminal-events';
import { tempStore, TEST_TOKEN_KEYS, testKeys } from '../support/temp-store';
import { assignCredentials } from './support/assign-credentials';
import { outputOf, runWorkflow, storeCredentials } from './support/run-workflow';
import { paymentToCrmTemplate } from './support/template';

/** What an operator sees when items are wrong, with and without "On Error: Continue". */
describe('n8n: bad items', () => {
  let store: Awaited<ReturnType<typeof tempStore>>;
  before(async () => {
    store = await tempStore();
  });
  after(async () => {
    await store.remove();
  });

  const credentials = (tokenKeys = TEST_TOKEN_KEYS) => storeCredentials(store.url, tokenKeys);
  const template = (continueOn?: string) => {
    const wf = assignCredentials(paymentToCrmTemplate(), { terminalCrmStore: { id: '1', name: 'Store' }, stripeTerminalApi: { id: '2', name: 'Stripe' } });
    if (continueOn) wf.nodes = wf.nodes.map((n) => (n.name === continueOn ? { ...n, onError: 'continueRegularOutput' as const } : n));
    return wf;
  };
  const event = (email: string) => JSON.parse(JSON.stringify(normalizeStripeEvent(stripeEvent('charge.succeeded', chargeObject({ amount: 300, email })))));
  const transactions = async () => (await store.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM transactions'))!.n;

  it('stops at Match Customer on an item that skipped Tokenize, naming the item and the fix', async () => {
    const tokenized = tokenizeStep(event('a@example.com'), testKeys());
    const items: INodeExecutionData[] = [{ json: JSON.parse(JSON.stringify(tokenized)) }, { json: event('b@example.com') }];
    const before = await transactions();
    const run = await runWorkflow(template(), 'Match Customer', items, credentials());
    const error = run.data.resultData.error as (Error & { context?: { itemIndex?: number } }) | undefined;
    assert.equal(run.status, 'error');
    assert.match(error?.message ?? '', /card\.identity: Match Customer received a payment that has not been tokenized\. Fix: put a Tokenize step before Match Customer/);
    assert.equal(error?.context?.itemIndex, 1);
    assert.equal(run.data.resultData.runData['CRM Upsert'], undefined, 'CRM Upsert never ran');
    assert.equal(await transactions(), before);
  });

  it('fails Tokenize before touching any item when the Token Keys are unusable', async () => {
    const run = await runWorkflow(template(), 'Tokenize', [{ json: event('c@example.com') }], credentials('k1:tooshort'));
    assert.match(run.data.resultData.error?.message ?? '', /^Token Keys: key "k1" is \d+ bytes, shorter than 32\. Fix: generate one with `openssl rand -hex 32`/);
  });

  it('with Continue On Fail, Tokenize passes a bad item on as { error } only, never its input', async () => {
    const pan = '4242 4242 4242 4242';
    const run = await runWorkflow(template('Tokenize'), 'Tokenize', [{ json: { note: `card ${pan}` } }], credentials());
    const [out] = outputOf(run, 'Tokenize');
    assert.deepEqual(Object.keys(out!.json), ['error']);
    assert.match(String(out!.json.error), /Tokenize input is not a valid PaymentEvent/);
    assert.ok(!JSON.stringify(run.data.resultData.runData).includes('4242 4242'), 'the card number is nowhere in the run data');
  });

  it('CRM Upsert writes nothing when one item of the batch is bad, and says which', async () => {
    const good = await matchStep(tokenizeStep(event('d@example.com'), testKeys()), store.crm);
    const items: INodeExecutionData[] = [{ json: JSON.parse(JSON.stringify(good)) }, { json: JSON.parse(JSON.stringify(tokenizeStep(event('e@example.com'), testKeys()))) }];
    const before = await transactions();
    const run = await runWorkflow(template(), 'CRM Upsert', items, credentials());
    const error = run.data.resultData.error as (Error & { context?: { itemIndex?: number } }) | undefined;
    assert.match(error?.message ?? '', /match: CRM Upsert received a payment without a match result\. Fix: put a Match Customer step before CRM Upsert/);
    assert.equal(error?.context?.itemIndex, 1);
    assert.equal(await transactions(), before);
  });

  it('with Continue On Fail, CRM Upsert writes the good items and marks the bad one', async () => {
    const good = await matchStep(tokenizeStep(event('f@example.com'), testKeys()), store.crm);
    const items: INodeExecutionData[] = [{ json: { not: 'a payment' } }, { json: JSON.parse(JSON.stringify(good)) }];
    const before = await transactions();
    const run = await runWorkflow(template('CRM Upsert'), 'CRM Upsert', items, credentials());
    const out = outputOf(run, 'CRM Upsert');
    assert.match(String(out[0]!.json.error), /CRM Upsert input is not a valid PaymentEvent/);
    assert.equal((out[1]!.json.crm as { outcome: string }).outcome, 'recorded');
    assert.deepEqual(out.map((i) => i.pairedItem), [{ item: 0 }, { item: 1 }]);
    assert.equal(await transactions(), before + 1);
  });
});
