import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { INode } from 'n8n-workflow';
import { SqlInbox } from '../../nodes/core/inbox/inbox';
import { normalizeStripeEvent } from '../../nodes/core/sources/stripe-terminal';
import { chargeObject, stripeEvent } from '../../sandbox/simulator/stripe-terminal-events';
import { tempStore, testKeys } from '../support/temp-store';
import { outputsOf } from './support/outputs';
import { runWorkflow, storeNodeWorkflow, storeCredentials } from './support/run-workflow';

const redrive = (parameters: INode['parameters'] = {}) => storeNodeWorkflow('Terminal Redrive', 'terminalRedrive', parameters);

describe('n8n: Terminal Redrive (after a Schedule Trigger)', { timeout: 60_000 }, () => {
  let s: Awaited<ReturnType<typeof tempStore>>;
  before(async () => {
    s = await tempStore();
  });
  after(async () => {
    await s.remove();
  });
  const creds = () => storeCredentials(s.url);
  const sale = (email: string) => normalizeStripeEvent(stripeEvent('charge.succeeded', chargeObject({ amount: 3300, email })));

  it('records the payments a trigger accepted and no execution finished, once: one item each as CRM Upsert outputs it', async () => {
    const [stale, recent] = [sale('stale-n8n@example.com'), sale('recent-n8n@example.com')];
    const inbox = new SqlInbox(s.db, testKeys());
    await inbox.accept([stale], new Date(Date.now() - 10 * 60_000));
    await inbox.accept([recent], new Date());
    const run = await runWorkflow(redrive({ olderThan: '5m', limit: 50 }), 'Terminal Redrive', [{ json: {} }], creds());
    assert.equal(run.data.resultData.error, undefined, run.data.resultData.error?.message);
    const [redriven, failed] = outputsOf(run, 'Terminal Redrive');
    assert.deepEqual(redriven!.map((i) => [i.json.id, (i.json.crm as { outcome: string }).outcome]), [[stale.id, 'recorded']]);
    assert.deepEqual(failed, []);
    const again = await runWorkflow(redrive({ olderThan: '5m' }), 'Terminal Redrive', [{ json: {} }], creds());
    assert.deepEqual(outputsOf(again, 'Terminal Redrive')[0], []);
    const rows = await s.db.all<{ event_id: string }>('SELECT event_id FROM transactions');
    assert.deepEqual(rows.map((r) => r.event_id), [stale.id]);
  });

  it('queues each recorded payment and its customer for the CRM Also Queue for CRM names, though the store has sent it nothing; None queues nothing', async () => {
    const own = await tempStore();
    try {
      const queued = async () => (await own.db.all<{ crm: string; kind: string }>('SELECT crm, kind FROM outbox ORDER BY crm, kind')).map((r) => `${r.crm} ${r.kind}`);
      const inbox = new SqlInbox(own.db, testKeys());
      await inbox.accept([sale('first-hubspot-n8n@example.com')], new Date(Date.now() - 10 * 60_000));
      const none = await runWorkflow(redrive({ olderThan: '5m', crm: '' }), 'Terminal Redrive', [{ json: {} }], storeCredentials(own.url));
      assert.equal(none.data.resultData.error, undefined, none.data.resultData.error?.message);
      assert.equal(outputsOf(none, 'Terminal Redrive')[0]!.length, 1);
      assert.deepEqual(await queued(), []);
      const paid = sale('second-hubspot-n8n@example.com');
      await inbox.accept([paid], new Date(Date.now() - 10 * 60_000));
      const run = await runWorkflow(redrive({ olderThan: '5m', crm: 'hubspot' }), 'Terminal Redrive', [{ json: {} }], storeCredentials(own.url));
      assert.equal(run.data.resultData.error, undefined, run.data.resultData.error?.message);
      assert.deepEqual(outputsOf(run, 'Terminal Redrive')[0]!.map((i) => i.json.id), [paid.id]);
      assert.deepEqual(await queued(), ['hubspot customer', 'hubspot payment']);
      const payment = await own.db.all<{ external_id: string }>("SELECT external_id FROM outbox WHERE kind = 'payment'");
      assert.deepEqual(payment.map((r) => r.external_id), [`stripe:${paid.paymentId}`]);
    } finally {
      await own.remove();
    }
  });

  it('stops on a CRM it has no adapter for, naming Also Queue for CRM, before it records anything', async () => {
    const run = await runWorkflow(redrive({ olderThan: '0', crm: 'hubspt' }), 'Terminal Redrive', [{ json: {} }], creds());
    assert.equal(String(run.data.resultData.error?.message), 'Also Queue for CRM: "hubspt" is not a CRM the pack has an adapter for. Fix: choose one of: hubspot, salesforce, dynamics, pipedrive, zoho');
  });

  it('stops on a grace period it cannot read, naming the parameter', async () => {
    const run = await runWorkflow(redrive({ olderThan: 'soon' }), 'Terminal Redrive', [{ json: {} }], creds());
    assert.match(String(run.data.resultData.error?.message), /Older Than: "soon" is not a duration/);
  });

  it('stops on a Limit below 1 or a fraction from an expression, naming it, instead of running 1 or rounding down', async () => {
    for (const [limit, shown] of [['={{ -5 }}', '-5'], ['={{ 0 }}', '0'], ['={{ 2.5 }}', '2.5']]) {
      const run = await runWorkflow(redrive({ olderThan: '5m', limit }), 'Terminal Redrive', [{ json: {} }], creds());
      assert.equal(String(run.data.resultData.error?.message), `Limit: "${shown}" is not a whole number of payments from 1 up. Fix: give one such as 100, or leave it blank for 100`, limit);
    }
  });

  it('takes 0 from an expression as no grace period, and refuses 300 without a unit, a list, or "off" by name instead of a TypeError or the default', async () => {
    const waiting = sale('just-now-n8n@example.com');
    await new SqlInbox(s.db, testKeys()).accept([waiting], new Date());
    const zero = await runWorkflow(redrive({ olderThan: '={{ 0 }}' }), 'Terminal Redrive', [{ json: {} }], creds());
    assert.equal(zero.data.resultData.error, undefined, zero.data.resultData.error?.message);
    // The first test's recent payment waits too: with no grace period it is redriven as well.
    assert.ok(outputsOf(zero, 'Terminal Redrive')[0]!.some((i) => i.json.id === waiting.id), 'a payment accepted just now is redriven');

    const refused = async (olderThan: string) => String((await runWorkflow(redrive({ olderThan }), 'Terminal Redrive', [{ json: {} }], creds())).data.resultData.error?.message);
    assert.match(await refused('={{ 300 }}'), /^Older Than: "300" is not a duration\. Fix: write a duration such as 5m/);
    assert.match(await refused('={{ ["5m"] }}'), /^Older Than: is a list, not a duration\. Fix:/);
    assert.match(await refused('off'), /^Older Than: "off" turns redriving off, but this run redrives\. Fix: write a duration such as 5m, or 0 for every waiting payment/);
  });
});
