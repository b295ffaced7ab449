import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Script } from 'node:vm';
import { DEFAULT_LOYALTY_PROGRAM_JSON } from '../../nodes/core/loyalty/operator-settings';
import { parseSegmentConfig } from '../../nodes/core/segment/config';
import { DEFAULT_SEGMENT_RULES } from '../../nodes/core/segment/segments';
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
import { fakeRed, type FakeNode } from './support/fake-red';

const REPO = resolve(__dirname, '../../..');

/** The editor's defaults for a node type, read from its .html as Node-RED's editor would evaluate them. */
function editorDefaults(type: string): Record<string, unknown> {
  const html = readFileSync(resolve(REPO, 'nodes', 'node-red', `${type}.html`), 'utf8');
  const script = /<script type="text\/javascript">([\s\S]*?)<\/script>/.exec(html)![1]!;
  let registered: { defaults: Record<string, { value: unknown }> } | undefined;
  const RED = { nodes: { registerType: (_t: string, def: typeof registered) => (registered = def) }, validators: { number: () => () => true } };
  new Script(script).runInNewContext({ RED, $: () => ({}) });
  return Object.fromEntries(Object.entries(registered!.defaults).map(([k, v]) => [k, v.value]));
}

describe('terminal segment and terminal loyalty enroll (in a stand-in for Node-RED)', () => {
  let s: Awaited<ReturnType<typeof tempStore>>;
  let red: ReturnType<typeof fakeRed>;
  let chain: { tokenize: FakeNode; match: FakeNode; upsert: FakeNode };
  before(async () => {
    s = await tempStore();
    red = fakeRed();
    for (const register of [registerStore, registerTokenize, registerMatch, registerUpsert, registerSegment, registerLoyalty]) register(red.RED);
    red.create('terminal-crm-store', { id: 'store', storeUrl: s.url, defaultRegion: 'us' }, { tokenKeys: TEST_TOKEN_KEYS });
    chain = {
      tokenize: red.create('terminal-tokenize', { id: 't', store: 'store' }),
      match: red.create('terminal-match-customer', { id: 'm', store: 'store' }),
      upsert: red.create('terminal-crm-upsert', { id: 'u', store: 'store', crm: 'local' }),
    };
  });
  after(async () => s.remove());

  /** A signed-and-verified charge as the trigger emits it, taken through tokenize → match → upsert. */
  const recorded = async (event: object): Promise<unknown> => {
    let payload: unknown = normalizeStripeEvent(event);
    for (const node of [chain.tokenize, chain.match, chain.upsert]) {
      const r = await node.receive(payload);
      assert.equal(r.error, undefined, r.error?.message);
      payload = r.sent!.payload;
    }
    return payload;
  };
  const charge = (amount: number, email: string) => stripeEvent('charge.succeeded', chargeObject({ amount, email, card: { fingerprint: `fp_${email}` } }));
  const fieldsOf = async (customerId: string) =>
    Object.fromEntries((await s.db.all<{ name: string; value: string }>('SELECT name, value FROM customer_fields WHERE customer_id = ?', [customerId])).map((r) => [r.name, r.value]));

  describe('terminal segment', () => {
    it('with the editor defaults and a high-value payment set, flags the big payment, writes the CRM fields and keeps the msg', async () => {
      const segment = red.create('terminal-segment', { ...editorDefaults('terminal-segment'), id: 'seg', store: 'store', highValuePayment: '500' });
      const r = await segment.receive(await recorded(charge(75_000, 'nr-vip@example.com')), { topic: 'till 1' });
      assert.equal(r.error, undefined, r.error?.message);
      assert.equal(r.sent!.topic, 'till 1');
      const out = (r.sent!.payload as { segment: { outcome: string; name: string; customerId: string; flags: { highValue: boolean } } }).segment;
      assert.deepEqual([out.outcome, out.name, out.flags.highValue], ['updated', 'New', true]);
      assert.equal(segment.lastStatus(), 'New · high value');
      const fields = await fieldsOf(out.customerId);
      assert.deepEqual([fields.terminal_crm_segment, fields.terminal_crm_high_value], ['New', 'true']);

      const small = await segment.receive(await recorded(charge(1_000, 'nr-small@example.com')));
      assert.equal((small.sent!.payload as { segment: { flags: { highValue: boolean } } }).segment.flags.highValue, false);
    });

    it('"recompute all" turns any message into the run summary and stores the run', async () => {
      const recompute = red.create('terminal-segment', { ...editorDefaults('terminal-segment'), id: 'rc', store: 'store', mode: 'recompute' });
      const r = await recompute.receive(Date.now());
      assert.equal(r.error, undefined, r.error?.message);
      const summary = r.sent!.payload as { currencies: Array<{ currency: string; customers: number; runId: string }> };
      assert.deepEqual(summary.currencies.map((c) => [c.currency, c.customers]), [['USD', 2]]);
      assert.ok(await s.db.get('SELECT id FROM segment_rfm_runs WHERE id = ?', [summary.currencies[0]!.runId]));
      assert.equal(recompute.lastStatus(), 'recomputed 2 customer(s) in 1 currency');
    });

    it('a wrong setting goes to done(err) with the field and the fix, and a red status', async () => {
      const segment = red.create('terminal-segment', { ...editorDefaults('terminal-segment'), id: 'bad', store: 'store', crmFields: '{"colour": "x"}' });
      const r = await segment.receive(await recorded(charge(100, 'nr-bad@example.com')));
      assert.equal(r.sent, undefined);
      assert.match(r.error!.message, /^CRM fields\.colour: is not a value the Segment step produces\. Fix: /);
      assert.equal(segment.statuses.at(-1)?.fill, 'red');
    });

    it("the editor's default rules and CRM fields are the core's defaults", () => {
      const d = editorDefaults('terminal-segment');
      assert.deepEqual(JSON.parse(d.segmentRules as string), { rules: DEFAULT_SEGMENT_RULES, fallback: 'Other' });
      assert.deepEqual(JSON.parse(d.crmFields as string), parseSegmentConfig().crmFields);
    });
  });

  describe('terminal loyalty enroll', () => {
    const loyaltyNode = (id: string, settings: Record<string, unknown> = {}) =>
      red.create('terminal-loyalty-enroll', { ...editorDefaults('terminal-loyalty-enroll'), id, store: 'store', ...settings });
    /** Node-RED's send() for two outputs: [first, second], where second is one msg, an array of msgs, or null. */
    const outputs = (sent: NodeMessage | undefined) => {
      const [first, second] = sent as unknown as [NodeMessage, NodeMessage[] | null];
      return { first, second: second ?? [] };
    };

    it('sends exactly one message on output 2 when the threshold is crossed, and none on a replay', async () => {
      const loyalty = loyaltyNode('loy', { programId: 'nr-club', enrollWhen: 'threshold', enrollLifetimeSpend: '100', tiers: [] });
      const first = outputs((await loyalty.receive(await recorded(charge(6_000, 'nr-joiner@example.com')))).sent);
      assert.deepEqual(first.second, []);
      assert.equal(loyalty.lastStatus(), 'not a member yet');

      const crossing = await recorded(charge(4_000, 'nr-joiner@example.com'));
      const r = await loyalty.receive(crossing, { topic: 'till 2' });
      assert.equal(r.error, undefined, r.error?.message);
      const second = outputs(r.sent);
      assert.equal(second.second.length, 1);
      const welcome = second.second[0]!;
      assert.equal(welcome.topic, 'till 2', 'the event message is a copy of the input msg');
      const payload = welcome.payload as { loyaltyEvent: { type: string; customerId: string }; customerHints: { email: string } };
      assert.deepEqual([payload.loyaltyEvent.type, payload.customerHints.email], ['enrolled', 'nr-joiner@example.com']);
      assert.equal((second.first.payload as { loyalty: { member: { pointsBalance: number } } }).loyalty.member.pointsBalance, 40);
      assert.equal(loyalty.lastStatus(), 'enrolled · 40 points');
      const member = await s.db.get<{ enrolled_at: string | null; points_balance: number }>(
        "SELECT enrolled_at, points_balance FROM loyalty_members WHERE program_id = 'nr-club' AND customer_id = ?", [payload.loyaltyEvent.customerId],
      );
      assert.ok(member!.enrolled_at);
      assert.equal(member!.points_balance, 40);
      assert.equal((await fieldsOf(payload.loyaltyEvent.customerId)).loyalty_points, '40');

      const replay = outputs((await loyalty.receive(crossing)).sent);
      assert.equal((replay.first.payload as { loyalty: { outcome: string } }).loyalty.outcome, 'duplicate');
      assert.deepEqual(replay.second, []);
      assert.equal((await s.db.get<{ n: number }>("SELECT COUNT(*) AS n FROM loyalty_ledger WHERE program_id = 'nr-club'"))!.n, 1);
    });

    it("the editor's default fields and its default JSON are the same program: the default program", async () => {
      const d = editorDefaults('terminal-loyalty-enroll');
      assert.deepEqual(JSON.parse(d.programJson as string), DEFAULT_LOYALTY_PROGRAM_JSON);
      const byFields = loyaltyNode('lf');
      const byJson = loyaltyNode('lj', { define: 'json' });
      const a = outputs((await byFields.receive(await recorded(charge(2_500, 'ada.lovelace@example.com')))).sent);
      const b = outputs((await byJson.receive(await recorded(charge(2_500, 'grace.hopper@navy.example.org')))).sent);
      for (const out of [a, b]) {
        assert.equal((out.first.payload as { loyalty: { programId: string } }).loyalty.programId, 'default');
        assert.deepEqual(out.second.map((m) => (m.payload as { loyaltyEvent: { type: string } }).loyaltyEvent.type), ['enrolled'], JSON.stringify((out.first.payload as { loyalty: unknown }).loyalty));
      }
    });

    it('set to "review", expires old points and sends one message per tier change on output 2; a second run changes nothing', async () => {
      const program = { programId: 'nr-review', pointsExpiryDays: 365, tiers: [{ name: 'Gold', minSpend: 100, multiplier: 1 }], tierWindowDays: 30 };
      const longAgo = Math.floor(Date.now() / 1000) - 400 * 86_400;
      const old = stripeEvent('charge.succeeded', chargeObject({ amount: 15_000, email: 'nr.long.ago@example.com', created: longAgo }), { created: longAgo });
      const paid = outputs((await loyaltyNode('lp', program).receive(await recorded(old))).sent);
      const customerId = (paid.first.payload as { loyalty: { customerId: string; member: { tier: string } } }).loyalty.customerId;
      const reviewer = loyaltyNode('lr', { ...program, mode: 'review' });
      const first = outputs((await reviewer.receive(Date.now())).sent);
      assert.equal((first.first.payload as { pointsExpired: number }).pointsExpired, 150);
      assert.deepEqual(first.second.map((m) => (m.payload as { loyaltyEvent: { customerId: string; to: string | null } }).loyaltyEvent).map((e) => [e.customerId, e.to]), [[customerId, null]]);
      assert.equal(reviewer.lastStatus(), 'reviewed: 150 points expired, 1 tier change(s)');
      const again = outputs((await reviewer.receive(Date.now())).sent);
      assert.deepEqual([(again.first.payload as { pointsExpired: number }).pointsExpired, again.second.length], [0, 0]);
    });

    it('a program that cannot work goes to done(err) naming the field', async () => {
      const loyalty = loyaltyNode('lbad', { currency: 'dollars' });
      const r = await loyalty.receive(await recorded(charge(100, 'nr-lbad@example.com')));
      assert.equal(r.sent, undefined);
      assert.match(r.error!.message, /^Currency: "dollars" is not a currency code\. Fix: /);
    });
  });
});
