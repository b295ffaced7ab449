import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { INode, INodeExecutionData } from 'n8n-workflow';
import { normalizeStripeEvent } from '../../nodes/core/sources/stripe-terminal';
import { matchStep, tokenizeStep, upsertStep } from '../../nodes/core/steps/steps';
import { chargeObject, stripeEvent } from '../../sandbox/simulator/stripe-terminal-events';
import { tempStore, testKeys } from '../support/temp-store';
import { outputOf, runWorkflow, storeNodeWorkflow, storeCredentials } from './support/run-workflow';

const NAME = 'Terminal Message';
const message = (parameters: INode['parameters'] = {}) => storeNodeWorkflow(NAME, 'terminalMessage', parameters);

/** Fields an operator maps with expressions, which hand over numbers and objects as they are. */
describe('n8n: Terminal Message fields set by expressions', { timeout: 60_000 }, () => {
  let s: Awaited<ReturnType<typeof tempStore>>;
  before(async () => {
    s = await tempStore();
  });
  after(async () => {
    await s.remove();
  });
  const creds = () => storeCredentials(s.url);
  /** A payment as CRM Upsert hands it on. */
  async function upserted(email: string): Promise<INodeExecutionData> {
    const event = normalizeStripeEvent(stripeEvent('charge.succeeded', chargeObject({ amount: 1250, email, name: 'Ada Lovelace', metadata: { location_id: 'tml_main' } })));
    const matched = await matchStep(tokenizeStep(JSON.parse(JSON.stringify(event)), testKeys()), s.crm);
    const [recorded] = await upsertStep([matched], s.crm);
    return { json: JSON.parse(JSON.stringify(recorded)) };
  }

  it('writes a Shop Name that is a number, and takes Location Names given as an object, instead of dropping them for the defaults', async () => {
    const params = { operation: 'compose', kind: 'thank-you', shopName: '={{ 42 }}', locationNames: '={{ { "tml_main": "Main Street" } }}' };
    const [out] = outputOf(await runWorkflow(message(params), NAME, [await upserted('ada@example.com')], creds()), NAME);
    assert.match(String((out!.json.message as { text: string }).text), / at 42 \(Main Street\)\./);
  });

  it('refuses an alert recipient that is an object, naming the field and the item, instead of sending the alert to nobody', async () => {
    const params = { operation: 'compose', kind: 'high-value-alert', to: '={{ $json.crm }}' };
    const run = await runWorkflow(message(params), NAME, [await upserted('bea@example.com')], creds());
    const error = run.data.resultData.error as (Error & { context?: { itemIndex?: number } }) | undefined;
    assert.match(String(error?.message), /^Alert Recipient: is an object, not text\. Fix: map it to one value, or a list of addresses/);
    assert.equal(error?.context?.itemIndex, 0);
  });

  it('names a wrong field as the editor labels it (Quiet Hours From, Window (Minutes), Recent Payments Listed), not by its settings path', async () => {
    const item = await upserted('cai@example.com');
    const cases: Array<[INode['parameters'], RegExp]> = [
      [{ operation: 'compose', kind: 'thank-you', quietStart: '25:00', quietEnd: '08:00' }, /^Quiet Hours From: "25:00" is not a time of day/],
      [{ operation: 'compose', kind: 'thank-you', quietStart: '21:00', quietEnd: '08:00', timeZone: 'Mars/Olympus' }, /^Time Zone: "Mars\/Olympus" is not a time zone/],
      [{ operation: 'compose', kind: 'failed-payments', windowMinutes: '={{ 20000 }}' }, /^Window \(Minutes\): /],
      [{ operation: 'compose', kind: 'high-value-alert', recentPayments: '={{ 60 }}' }, /^Recent Payments Listed: 60 is not a count from 0 to 50/],
    ];
    for (const [params, expected] of cases) {
      const run = await runWorkflow(message(params), NAME, [item], creds());
      assert.match(String((run.data.resultData.error as Error | undefined)?.message), expected);
    }
  });
});
