import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { SqlInbox } from '../../nodes/core/inbox/inbox';
import type { PaymentMessage } from '../../nodes/core/contracts/payment-message';
import { normalizeStripeEvent } from '../../nodes/core/sources/stripe-terminal';
import registerStore from '../../nodes/node-red/terminal-crm-store';
import registerRedrive from '../../nodes/node-red/terminal-redrive';
import type { NodeMessage } from '../../nodes/node-red/shared/red-api';
import { chargeObject, stripeEvent } from '../../sandbox/simulator/stripe-terminal-events';
import { tempStore, TEST_TOKEN_KEYS, testKeys } from '../support/temp-store';
import { fakeRed, type FakeNode } from './support/fake-red';

describe('terminal redrive (in a stand-in for Node-RED)', () => {
  let s: Awaited<ReturnType<typeof tempStore>>;
  let red: ReturnType<typeof fakeRed>;
  const nodes: FakeNode[] = [];
  beforeEach(async () => {
    s = await tempStore();
    red = fakeRed();
    registerStore(red.RED);
    registerRedrive(red.RED);
    red.create('terminal-crm-store', { id: 'store', storeUrl: s.url, defaultRegion: 'us' }, { tokenKeys: TEST_TOKEN_KEYS });
  });
  afterEach(async () => {
    for (const n of nodes.splice(0)) n.close();
    await s.remove();
  });
  const redriveNode = (def: Record<string, unknown> = {}) => {
    const node = red.create('terminal-redrive', { id: 'redrive', store: 'store', interval: 0, olderThan: '1m', ...def });
    nodes.push(node);
    return node;
  };
  const trigger = (node: FakeNode) =>
    new Promise<{ sent: NodeMessage[]; error?: Error }>((resolve) => {
      const sent: NodeMessage[] = [];
      node.input!({ payload: 'now' }, (m) => sent.push(m), (error) => resolve({ sent, error }));
    });
  const sale = (email: string) => normalizeStripeEvent(stripeEvent('charge.succeeded', chargeObject({ amount: 1900, email })));

  it('records what a trigger accepted and no flow finished, once, and sends it on as CRM Upsert would', async () => {
    const [stale, recent] = [sale('stale@example.com'), sale('recent@example.com')];
    const inbox = new SqlInbox(s.db, testKeys());
    await inbox.accept([stale], new Date(Date.now() - 5 * 60_000));
    await inbox.accept([recent], new Date());
    const node = redriveNode();
    assert.equal(node.lastStatus(), 'redrives on input');
    const { sent, error } = await trigger(node);
    assert.ifError(error);
    assert.deepEqual(sent.map((m) => [(m.payload as PaymentMessage).id, (m.payload as PaymentMessage).crm?.outcome, m.topic]), [[stale.id, 'recorded', 'redriven']]);
    assert.equal((sent[0]!.payload as PaymentMessage).match?.decision, 'create');
    assert.match(node.lastStatus()!, /^1 redriven at \d\d:\d\d:\d\d, 1 waiting$/);
    const again = await trigger(node);
    assert.deepEqual([again.sent, again.error], [[], undefined]);
    const rows = await s.db.all<{ event_id: string }>('SELECT event_id FROM transactions');
    assert.deepEqual(rows.map((r) => r.event_id), [stale.id]);
  });

  it('queues each finished payment and its customer for the CRM Also queue for names, though the store has sent it nothing; empty queues nothing', async () => {
    const queued = async () => (await s.db.all<{ crm: string; kind: string; external_id: string }>('SELECT crm, kind, external_id FROM outbox ORDER BY crm, kind')).map((r) => `${r.crm} ${r.kind}`);
    const inbox = new SqlInbox(s.db, testKeys());
    await inbox.accept([sale('first-nr@example.com')], new Date(Date.now() - 5 * 60_000));
    const none = await trigger(redriveNode({ crm: '' }));
    assert.ifError(none.error);
    assert.equal(none.sent.length, 1);
    assert.deepEqual(await queued(), []);
    const paid = sale('second-nr@example.com');
    await inbox.accept([paid], new Date(Date.now() - 5 * 60_000));
    const { sent, error } = await trigger(redriveNode({ crm: ' HubSpot ' }));
    assert.ifError(error);
    assert.deepEqual(sent.map((m) => (m.payload as PaymentMessage).id), [paid.id]);
    assert.deepEqual(await queued(), ['hubspot customer', 'hubspot payment']);
    const payment = await s.db.all<{ external_id: string }>("SELECT external_id FROM outbox WHERE kind = 'payment'");
    assert.deepEqual(payment.map((r) => r.external_id), [`stripe:${paid.paymentId}`]);
  });

  it('refuses a CRM it has no adapter for by its label, before it records anything', async () => {
    await new SqlInbox(s.db, testKeys()).accept([sale('misspelt-nr@example.com')], new Date(Date.now() - 5 * 60_000));
    const { sent, error } = await trigger(redriveNode({ crm: 'hubspt' }));
    assert.equal(error?.message, 'Also queue for: "hubspt" is not a CRM the pack has an adapter for. Fix: choose one of: hubspot, salesforce, dynamics, pipedrive, zoho');
    assert.deepEqual(sent, []);
    assert.deepEqual(await s.db.all('SELECT event_id FROM transactions'), []);
  });

  it('runs right after deploy when it has an interval', async () => {
    const e = sale('deploy@example.com');
    await new SqlInbox(s.db, testKeys()).accept([e], new Date(Date.now() - 5 * 60_000));
    const node = redriveNode({ interval: 60 });
    for (let i = 0; i < 100 && node.sent.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(node.sent.map((m) => (m.payload as PaymentMessage).id), [e.id]);
  });

  it('refuses a grace period it cannot read, naming the field', async () => {
    const { error } = await trigger(redriveNode({ olderThan: 'soon' }));
    assert.match(String(error?.message), /Older than: "soon" is not a duration/);
    for (const limit of ['0', '-5', '2.5']) {
      const wrong = await trigger(redriveNode({ limit }));
      assert.match(String(wrong.error?.message), /At most: ".*" is not a whole number of payments from 1 up/, limit);
    }
  });

  it('refuses an interval below 0, or past what a timer keeps (30 days would redrive every millisecond), by name on each run, finishing nothing', async () => {
    const e = sale('every@example.com');
    await new SqlInbox(s.db, testKeys()).accept([e], new Date(Date.now() - 10 * 60_000));
    for (const interval of ['-1', 'often', '2592000']) {
      const wrong = await trigger(redriveNode({ interval }));
      assert.match(String(wrong.error?.message), /^Every \(s\): ".*" is not a number of seconds from 0 to 2147483/, interval);
    }
    const left = await s.db.all<{ event_id: string }>('SELECT event_id FROM transactions');
    assert.deepEqual(left, []);
  });
});
