import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { normalizeStripeEvent } from '../../nodes/core/sources/stripe-terminal';
import registerUpsert from '../../nodes/node-red/terminal-crm-upsert';
import registerStore from '../../nodes/node-red/terminal-crm-store';
import registerLoyalty from '../../nodes/node-red/terminal-loyalty-enroll';
import registerMatch from '../../nodes/node-red/terminal-match-customer';
import registerSegment from '../../nodes/node-red/terminal-segment';
import registerTokenize from '../../nodes/node-red/terminal-tokenize';
import type { NodeMessage } from '../../nodes/node-red/shared/red-api';
import { chargeObject, stripeEvent } from '../../sandbox/simulator/stripe-terminal-events';
import { tempStore, TEST_TOKEN_KEYS } from '../support/temp-store';
import { fakeRed } from './support/fake-red';

/** A node of a flow as saved in a flow file. */
type FlowNode = { id: string; type: string; [key: string]: unknown };

const REPO = resolve(__dirname, '../../..');
const OWN_TYPES = Object.keys((JSON.parse(readFileSync(resolve(REPO, 'package.json'), 'utf8')) as { 'node-red': { nodes: object } })['node-red'].nodes);
const CORE_TYPES = ['tab', 'comment', 'debug', 'catch', 'switch', 'change', 'http request', 'inject'];

const example = (name: string) => JSON.parse(readFileSync(resolve(REPO, 'examples', `${name}.json`), 'utf8')) as FlowNode[];

function graph(flow: FlowNode[]) {
  const byId = new Map(flow.map((n) => [n.id, n]));
  const one = (type: string, where: (n: FlowNode) => boolean = () => true) => {
    const found = flow.filter((n) => n.type === type && where(n));
    assert.equal(found.length, 1, `one "${type}" node`);
    return found[0]!;
  };
  const next = (node: FlowNode, output = 0) => ((node.wires as string[][])[output] ?? []).map((id) => byId.get(id)!);
  return { byId, one, next };
}

describe('Node-RED examples: high-value-alert and loyalty-welcome', () => {
  let s: Awaited<ReturnType<typeof tempStore>>;
  let red: ReturnType<typeof fakeRed>;
  before(async () => {
    s = await tempStore();
    red = fakeRed();
    for (const register of [registerStore, registerTokenize, registerMatch, registerUpsert, registerSegment, registerLoyalty]) register(red.RED);
    red.create('terminal-crm-store', { id: 'store', storeUrl: s.url, defaultRegion: 'us' }, { tokenKeys: TEST_TOKEN_KEYS });
  });
  after(async () => s.remove());

  /** The example's own step nodes, created with their shipped settings (pointed at the test store), run in order. */
  async function runSteps(flow: FlowNode[], event: object, through: string[]): Promise<Record<string, NodeMessage | undefined>> {
    const { one } = graph(flow);
    let payload: unknown = normalizeStripeEvent(event);
    const sent: Record<string, NodeMessage | undefined> = {};
    for (const type of through) {
      const def = one(type, (n) => n.mode !== 'recompute');
      // The same id on every run: a redelivery reaches the same deployed node (each node is its own consumer).
      const node = red.create(type, { ...def, id: `${def.id}-run`, store: 'store' });
      const r = await node.receive(payload);
      assert.equal(r.error, undefined, r.error?.message);
      sent[type] = r.sent;
      payload = Array.isArray(r.sent) ? (r.sent[0] as NodeMessage).payload : r.sent!.payload;
    }
    return sent;
  }
  const chain = ['terminal-tokenize', 'terminal-match-customer', 'terminal-crm-upsert'];

  for (const name of ['high-value-alert', 'loyalty-welcome']) {
    it(`${name}: only known node types, no secrets, every config reference inside the flow, a trigger path of its own`, () => {
      const flow = example(name);
      const { byId, one } = graph(flow);
      assert.deepEqual(flow.map((n) => n.type).filter((t) => !OWN_TYPES.includes(t) && !CORE_TYPES.includes(t)), []);
      assert.equal(flow.filter((n) => 'credentials' in n).length, 0);
      for (const n of flow) for (const ref of ['account', 'store'] as const) if (ref in n) assert.ok(byId.has(n[ref] as string), `${n.type}.${ref}`);
      assert.notEqual(one('terminal-trigger').path, '/terminal-crm/stripe', 'does not clash with payment-to-crm');
      assert.equal(one('terminal-send-message').host, '', 'the SMTP server is left to the operator');
      for (const request of flow.filter((n) => n.type === 'http request')) {
        assert.match(String(request.url), /^https:\/\/example\.com\/replace-/);
        assert.ok(flow.some((n) => n.type === 'comment' && String(n.info).includes(String(request.url))), 'a comment says which URL to replace');
      }
    });
  }

  it('high-value-alert: upsert → segment → terminal message (high-value alert) → Slack (change → http request) and email', async () => {
    const flow = example('high-value-alert');
    const { one, next } = graph(flow);
    const segment = one('terminal-segment', (n) => n.mode === 'payment');
    assert.deepEqual(next(one('terminal-crm-upsert')), [segment]);
    const message = one('terminal-message');
    assert.deepEqual([next(segment), message.kind], [[message], 'high-value-alert']);
    assert.deepEqual(next(message).map((n) => n.type), ['change', 'terminal-send-message']);
    assert.deepEqual(next(one('change')).map((n) => n.type), ['http request']);

    const big = await runSteps(flow, stripeEvent('charge.succeeded', chargeObject({ amount: 55_000, email: 'example-vip@example.com' })), [...chain, 'terminal-segment']);
    const small = await runSteps(flow, stripeEvent('charge.succeeded', chargeObject({ amount: 3_000, email: 'walk.in@shop.example.net' })), [...chain, 'terminal-segment']);
    const flag = (m: NodeMessage | undefined) => (m!.payload as { segment: { flags: { highValue: boolean } } }).segment.flags.highValue;
    assert.deepEqual([flag(big['terminal-segment']), flag(small['terminal-segment'])], [true, false]);
  });

  it('high-value-alert: an inject node every night at 3 drives a second segment node set to "recompute all", which runs as shipped', async () => {
    const flow = example('high-value-alert');
    const { one, next } = graph(flow);
    const inject = one('inject');
    assert.equal(inject.crontab, '00 03 * * *');
    const recompute = one('terminal-segment', (n) => n.mode === 'recompute');
    assert.deepEqual(next(inject), [recompute]);
    const node = red.create('terminal-segment', { ...recompute, id: `${recompute.id}-run`, store: 'store' });
    const r = await node.receive(Date.now());
    assert.equal(r.error, undefined, r.error?.message);
    assert.deepEqual((r.sent!.payload as { currencies: Array<{ currency: string; customers: number }> }).currencies.map((c) => [c.currency, c.customers]), [['USD', 2]]);
  });

  it('loyalty-welcome: the second output of loyalty enroll feeds the welcome message; the shipped program enrolls at the first payment, once', async () => {
    const flow = example('loyalty-welcome');
    const { one, next } = graph(flow);
    const loyalty = one('terminal-loyalty-enroll');
    assert.deepEqual(next(loyalty, 0).map((n) => n.type), ['debug']);
    assert.deepEqual(next(loyalty, 1).map((n) => [n.type, n.kind]), [['terminal-message', 'loyalty-welcome']]);
    assert.deepEqual(next(one('terminal-message', (n) => n.mode === 'compose')).map((n) => n.type), ['terminal-send-message']);

    const event = stripeEvent('charge.succeeded', chargeObject({ amount: 1_250, email: 'new.member@example.com' }));
    const first = await runSteps(flow, event, [...chain, 'terminal-loyalty-enroll']);
    const [, welcomes] = first['terminal-loyalty-enroll'] as unknown as [NodeMessage, NodeMessage[] | null];
    assert.deepEqual(welcomes!.map((m) => (m.payload as { loyaltyEvent: { type: string } }).loyaltyEvent.type), ['enrolled']);
    const again = await runSteps(flow, event, [...chain, 'terminal-loyalty-enroll']);
    assert.equal((again['terminal-loyalty-enroll'] as unknown as [NodeMessage, null])[1], null, 'a redelivery sends no second welcome');
  });
});
