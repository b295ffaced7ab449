import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { IConnections, INode, INodeExecutionData } from 'n8n-workflow';
import { parseSegmentConfig } from '../../nodes/core/segment/config';
import { segmentConfigFromSettings } from '../../nodes/core/segment/operator-settings';
import { normalizeStripeEvent } from '../../nodes/core/sources/stripe-terminal';
import { Segment } from '../../nodes/n8n/Segment/Segment.node';
import { chargeObject, stripeEvent } from '../../sandbox/simulator/stripe-terminal-events';
import { tempStore } from '../support/temp-store';
import { PACKAGE } from './support/package-node-types';
import { outputsOf } from './support/outputs';
import { runWorkflow, type WorkflowJson, storeCredentials } from './support/run-workflow';

type Store = Awaited<ReturnType<typeof tempStore>>;

const credentials = { terminalCrmStore: { id: '1', name: 'Terminal CRM Store' } };
const node = (name: string, type: string, parameters: INode['parameters'] = {}): INode => ({
  id: name, name, type: `${PACKAGE}.${type}`, typeVersion: 1, position: [0, 0], parameters, credentials,
});

/** Tokenize → Match Customer → CRM Upsert, then the nodes under test, each on the main output of the one before. */
function chain(...tail: INode[]): WorkflowJson {
  const nodes = [node('Tokenize', 'tokenize'), node('Match Customer', 'matchCustomer'), node('CRM Upsert', 'crmUpsert'), ...tail];
  const connections: IConnections = {};
  for (let i = 0; i < nodes.length - 1; i++) connections[nodes[i]!.name] = { main: [[{ node: nodes[i + 1]!.name, type: 'main', index: 0 }]] };
  return { name: 'segment and loyalty', nodes, connections, settings: { executionOrder: 'v1' } };
}

const charge = (amount: number, email: string, extra: { currency?: string } = {}) =>
  stripeEvent('charge.succeeded', chargeObject({ amount, email, currency: extra.currency ?? 'usd', card: { fingerprint: `fp_${email}` } }));
const asItem = (event: object): INodeExecutionData => ({ json: JSON.parse(JSON.stringify(normalizeStripeEvent(event))) });

describe('n8n: Segment Customer and Loyalty Enroll under WorkflowExecute', () => {
  let store: Store;
  before(async () => {
    store = await tempStore();
  });
  after(async () => {
    await store.remove();
  });
  const creds = () => storeCredentials(store.url);
  const run = (wf: WorkflowJson, items: INodeExecutionData[], start = 'Tokenize') => runWorkflow(wf, start, items, creds());
  const fieldsOf = async (customerId: string) =>
    Object.fromEntries((await store.db.all<{ name: string; value: string }>('SELECT name, value FROM customer_fields WHERE customer_id = ?', [customerId])).map((r) => [r.name, r.value]));

  describe('Segment Customer', () => {
    const segmentOnPayment = chain(node('Segment Customer', 'segment', { currency: 'USD', highValuePayment: 500 }));

    it('flags a payment above the High-Value Payment, adds "segment" to the item and writes the mapped CRM fields', async () => {
      const r = await run(segmentOnPayment, [asItem(charge(60_000, 'big@example.com')), asItem(charge(1_500, 'small@example.com'))]);
      assert.equal(r.data.resultData.error, undefined, r.data.resultData.error?.message);
      const [items] = outputsOf(r, 'Segment Customer');
      const segments = items!.map((i) => i.json.segment as { outcome: string; name: string; customerId: string; flags: { highValue: boolean; reasons: string[] } });
      assert.deepEqual(segments.map((s) => [s.outcome, s.name, s.flags.highValue]), [['updated', 'New', true], ['updated', 'New', false]]);
      assert.match(segments[0]!.flags.reasons[0]!, /^high value: payment of 60000 USD minor units ≥ 50000/);
      assert.deepEqual(items!.map((i) => i.pairedItem), [{ item: 0 }, { item: 1 }]);
      const big = await fieldsOf(segments[0]!.customerId);
      assert.deepEqual(big, {
        terminal_crm_at_risk: 'false', terminal_crm_expected_value: null, terminal_crm_high_value: 'true',
        terminal_crm_p_alive: null, terminal_crm_rfm: null, terminal_crm_segment: 'New',
      });
      assert.equal((await fieldsOf(segments[1]!.customerId)).terminal_crm_high_value, 'false');
    });

    it('writes only the CRM Fields rows left in the list, under the names given', async () => {
      const wf = chain(node('Segment Customer', 'segment', {
        crmFields: { fields: [{ value: 'netSpend', crmField: 'Lifetime_Spend__c' }, { value: 'segment', crmField: 'Segment__c' }] },
      }));
      const r = await run(wf, [asItem(charge(2_500, 'mapped@example.com'))]);
      const customerId = (outputsOf(r, 'Segment Customer')[0]![0]!.json.segment as { customerId: string }).customerId;
      assert.deepEqual(await fieldsOf(customerId), { Lifetime_Spend__c: '2500', Segment__c: 'New' });
    });

    it('counts a payment delivered twice once: the replay says "duplicate" and changes no statistics', async () => {
      const event = charge(4_000, 'twice-segment@example.com');
      await run(segmentOnPayment, [asItem(event)]);
      const r = await run(segmentOnPayment, [asItem(event)]);
      const segment = outputsOf(r, 'Segment Customer')[0]![0]!.json.segment as { outcome: string; customerId: string };
      assert.equal(segment.outcome, 'duplicate');
      const stats = await store.db.get<{ payments: number; gross_minor: number }>('SELECT payments, gross_minor FROM segment_stats WHERE customer_id = ?', [segment.customerId]);
      assert.deepEqual({ ...stats }, { payments: 1, gross_minor: 4000 });
    });

    it('"Recompute All" scores every customer, records the run, and later payments are placed against it', async () => {
      const recompute: WorkflowJson = { nodes: [node('Recompute', 'segment', { operation: 'recomputeAll' })], connections: {}, settings: { executionOrder: 'v1' } };
      const r = await run(recompute, [{ json: {} }], 'Recompute');
      assert.equal(r.data.resultData.error, undefined, r.data.resultData.error?.message);
      const [items] = outputsOf(r, 'Recompute');
      assert.equal(items!.length, 1, 'one summary item');
      const result = items![0]!.json as { currencies: Array<{ currency: string; customers: number; runId: string; segmentCounts: Record<string, number> }> };
      const customers = (await store.db.get<{ n: number }>("SELECT COUNT(*) AS n FROM segment_stats WHERE currency = 'USD' AND payments > 0"))!.n;
      assert.deepEqual(result.currencies.map((c) => [c.currency, c.customers]), [['USD', customers]]);
      assert.ok((await store.db.get('SELECT id FROM segment_rfm_runs WHERE id = ?', [result.currencies[0]!.runId])), 'the run is stored');

      const after = await run(segmentOnPayment, [asItem(charge(900, 'after-run@example.com'))]);
      const rfm = (outputsOf(after, 'Segment Customer')[0]![0]!.json.segment as { rfm: { runId: string; approximate: boolean } }).rfm;
      assert.deepEqual([rfm.runId, rfm.approximate], [result.currencies[0]!.runId, true]);
    });

    it('stops with the field and the fix for a wrong setting or a payment that skipped CRM Upsert', async () => {
      const badCurrency = await run(chain(node('Segment Customer', 'segment', { currency: 'dollars', highValuePayment: 10 })), [asItem(charge(100, 'x@example.com'))]);
      assert.match(badCurrency.data.resultData.error!.message, /^Currency: "dollars" is not a currency code\. Fix: /);
      const badRules = await run(chain(node('Segment Customer', 'segment', { segmentRules: '[{"name": "VIP", "m": [5]}]' })), [asItem(charge(100, 'y@example.com'))]);
      assert.match(badRules.data.resultData.error!.message, /^Segment Rules\.rules\.0\.m\.1: .*Fix: each rule is/);
      const misspelt = await run(chain(node('Segment Customer', 'segment', { segmentRules: '={{ { "rule": [{ "name": "VIP", "m": [5, 5] }] } }}' })), [asItem(charge(100, 'y2@example.com'))]);
      assert.match(misspelt.data.resultData.error!.message, /^Segment Rules\.rule: is not a setting of the Segment Rules\. Fix: use one of: rules, fallback/);
      const skipped: WorkflowJson = {
        nodes: [node('Tokenize', 'tokenize'), node('Segment Customer', 'segment')],
        connections: { Tokenize: { main: [[{ node: 'Segment Customer', type: 'main', index: 0 }]] } },
      };
      const noCrm = await run(skipped, [asItem(charge(100, 'z@example.com'))]);
      assert.match(noCrm.data.resultData.error!.message, /^crm: Segment received a payment without a CRM result\. Fix: put a CRM Upsert step before Segment/);
    });

    it('the Advanced Settings shown when the option is added are the defaults', () => {
      const options = new Segment().description.properties.find((p) => p.name === 'options')!.options as Array<{ name: string; default: unknown }>;
      const advanced = options.find((o) => o.name === 'advanced')!.default;
      assert.deepEqual(segmentConfigFromSettings({ advanced }), parseSegmentConfig());
    });
  });

  describe('Loyalty Enroll', () => {
    const enrollAt100 = chain(node('Loyalty Enroll', 'loyaltyEnroll', { programId: 'club', enrollWhen: 'threshold', enrollLifetimeSpend: 100, tiers: { tier: [] } }));

    it('sends one item to "Enrolled / Tier Changed" when the threshold is crossed, and nothing on a replay', async () => {
      const first = await run(enrollAt100, [asItem(charge(6_000, 'joiner@example.com'))]);
      assert.equal(first.data.resultData.error, undefined, first.data.resultData.error?.message);
      let [payments, events] = outputsOf(first, 'Loyalty Enroll');
      const loyalty = payments![0]!.json.loyalty as { customerId: string; member: { enrolled: boolean; lifetimeSpendMinor: number } };
      assert.deepEqual([loyalty.member.lifetimeSpendMinor, loyalty.member.enrolled, events!.length], [6000, false, 0]);

      const crossing = charge(4_500, 'joiner@example.com');
      const second = await run(enrollAt100, [asItem(crossing)]);
      [payments, events] = outputsOf(second, 'Loyalty Enroll');
      assert.equal(payments!.length, 1);
      assert.equal(events!.length, 1, 'exactly one enrollment');
      const event = events![0]!.json as { loyaltyEvent: { type: string; customerId: string }; customerHints: { email: string }; loyalty: { member: { pointsBalance: number } } };
      assert.deepEqual([event.loyaltyEvent.type, event.loyaltyEvent.customerId], ['enrolled', loyalty.customerId]);
      assert.equal(event.customerHints.email, 'joiner@example.com', 'the welcome branch knows whom to write to');
      assert.equal(event.loyalty.member.pointsBalance, 45, 'the enrolling payment earns its points');
      assert.deepEqual(events![0]!.pairedItem, { item: 0 });

      const member = await store.db.get<{ enrolled_at: string | null; points_balance: number; lifetime_spend_minor: number }>(
        "SELECT enrolled_at, points_balance, lifetime_spend_minor FROM loyalty_members WHERE program_id = 'club' AND customer_id = ?", [loyalty.customerId],
      );
      assert.ok(member!.enrolled_at);
      assert.deepEqual([member!.points_balance, member!.lifetime_spend_minor], [45, 10_500]);
      assert.equal((await fieldsOf(loyalty.customerId)).loyalty_points, '45');

      const replay = await run(enrollAt100, [asItem(crossing)]);
      [payments, events] = outputsOf(replay, 'Loyalty Enroll');
      assert.equal((payments![0]!.json.loyalty as { outcome: string }).outcome, 'duplicate');
      assert.deepEqual(events, [], 'no second welcome');
      const ledger = await store.db.all("SELECT entry_key FROM loyalty_ledger WHERE program_id = 'club' AND customer_id = ?", [loyalty.customerId]);
      assert.equal(ledger.length, 1, 'one earn entry, for the enrolling payment');
    });

    it('runs the default program when no parameter is set: members from the first payment, points per dollar', async () => {
      const r = await run(chain(node('Loyalty Enroll', 'loyaltyEnroll')), [asItem(charge(1_999, 'default-program@example.com'))]);
      const [payments, events] = outputsOf(r, 'Loyalty Enroll');
      const loyalty = payments![0]!.json.loyalty as { programId: string; member: { enrolled: boolean; pointsBalance: number } };
      assert.deepEqual([loyalty.programId, loyalty.member.enrolled, loyalty.member.pointsBalance, events!.length], ['default', true, 19, 1]);
    });

    it('a program given as JSON is used as written', async () => {
      const programJson = JSON.stringify({ id: 'json-club', currency: 'USD', points: { perUnit: 10 }, tiers: [{ name: 'Gold', minSpendMinor: 1000 }] });
      const r = await run(chain(node('Loyalty Enroll', 'loyaltyEnroll', { define: 'json', programJson })), [asItem(charge(1_500, 'json-program@example.com'))]);
      const [payments, events] = outputsOf(r, 'Loyalty Enroll');
      assert.equal((payments![0]!.json.loyalty as { member: { pointsBalance: number } }).member.pointsBalance, 150);
      assert.deepEqual(events!.map((e) => (e.json.loyaltyEvent as { type: string; to?: string }).type), ['enrolled', 'tier-changed']);
    });

    it('"Review Program" expires old points and moves members down when their spend leaves the window, once', async () => {
      const program = { programId: 'review-club', pointsExpiryDays: 365, tiers: { tier: [{ name: 'Gold', minSpend: 100, multiplier: 1 }] }, tierWindowDays: 30 };
      const longAgo = Math.floor(Date.now() / 1000) - 400 * 86_400;
      const old = stripeEvent('charge.succeeded', chargeObject({ amount: 20_000, email: 'long.ago@example.com', created: longAgo }), { created: longAgo });
      const paid = await run(chain(node('Loyalty Enroll', 'loyaltyEnroll', program)), [asItem(old)]);
      const member = (outputsOf(paid, 'Loyalty Enroll')[0]![0]!.json.loyalty as { member: { customerId: string; tier: string; pointsBalance: number } }).member;
      assert.deepEqual([member.tier, member.pointsBalance], ['Gold', 200]);

      const review: WorkflowJson = { nodes: [node('Review', 'loyaltyEnroll', { ...program, operation: 'review' })], connections: {} };
      const first = await run(review, [{ json: {} }], 'Review');
      assert.equal(first.data.resultData.error, undefined, first.data.resultData.error?.message);
      const [summary, changes] = outputsOf(first, 'Review');
      const totals = summary![0]!.json as { programId: string; pointsExpired: number; downgrades: number };
      assert.deepEqual([summary!.length, totals.programId, totals.pointsExpired, totals.downgrades], [1, 'review-club', 200, 1]);
      assert.deepEqual(
        changes!.map((c) => (c.json.loyaltyEvent as { customerId: string; from: string; to: string | null; direction: string })),
        [{ type: 'tier-changed', programId: 'review-club', customerId: member.customerId, at: (changes![0]!.json.loyaltyEvent as { at: string }).at, from: 'Gold', to: null, direction: 'downgrade' }],
      );
      const row = await store.db.get<{ points_balance: number; tier: string | null }>("SELECT points_balance, tier FROM loyalty_members WHERE program_id = 'review-club' AND customer_id = ?", [member.customerId]);
      assert.deepEqual({ ...row }, { points_balance: 0, tier: null });

      const again = await run(review, [{ json: {} }], 'Review');
      const [summary2, changes2] = outputsOf(again, 'Review');
      assert.deepEqual([(summary2![0]!.json as { pointsExpired: number }).pointsExpired, changes2!.length], [0, 0]);
    });

    it('stops with the field and the fix for a program that cannot work; with Continue On Fail a bad item becomes {error} on "Payment"', async () => {
      const noThreshold = await run(chain(node('Loyalty Enroll', 'loyaltyEnroll', { enrollWhen: 'threshold' })), [asItem(charge(100, 'nt@example.com'))]);
      assert.match(noThreshold.data.resultData.error!.message, /^Enroll Customers: enrolls at a threshold, but no threshold is set\. Fix: /);

      const wf: WorkflowJson = {
        nodes: [{ ...node('Loyalty Enroll', 'loyaltyEnroll'), continueOnFail: true }],
        connections: {},
      };
      const r = await run(wf, [{ json: { hello: 'world' } }], 'Loyalty Enroll');
      const [payments, events] = outputsOf(r, 'Loyalty Enroll');
      assert.match(String(payments![0]!.json.error), /Fix: /);
      assert.deepEqual(events, []);
    });
  });
});
