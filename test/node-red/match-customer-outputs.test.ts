import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Script } from 'node:vm';
import type { MatchResult } from '../../nodes/core/contracts/customer';
import { MATCH_DEFAULTS } from '../../nodes/core/match/operator-settings';
import { normalizeStripeEvent } from '../../nodes/core/sources/stripe-terminal';
import type { NodeMessage } from '../../nodes/node-red/shared/red-api';
import registerStore from '../../nodes/node-red/terminal-crm-store';
import registerMatch from '../../nodes/node-red/terminal-match-customer';
import registerTokenize from '../../nodes/node-red/terminal-tokenize';
import { chargeObject, stripeEvent } from '../../sandbox/simulator/stripe-terminal-events';
import { seedCustomers, strangers } from '../core/match/match-fixtures';
import { tempStore, TEST_TOKEN_KEYS } from '../support/temp-store';
import { fakeRed, type FakeNode } from './support/fake-red';

const REPO = resolve(__dirname, '../../..');
const HTML = readFileSync(resolve(REPO, 'nodes', 'node-red', 'terminal-match-customer.html'), 'utf8');

/** The editor definition as Node-RED's editor evaluates it. */
function editorDefinition(): { defaults: Record<string, { value: unknown; validate?: (this: Record<string, unknown>, v: unknown) => boolean }>; outputs: number; outputLabels: string[] } {
  const script = /<script type="text\/javascript">([\s\S]*?)<\/script>/.exec(HTML)![1]!;
  let registered: ReturnType<typeof editorDefinition> | undefined;
  new Script(script).runInNewContext({ RED: { nodes: { registerType: (_t: string, def: typeof registered) => (registered = def) } }, $: () => ({}) });
  return registered!;
}

let card = 7000;
const charge = (details: { name?: string; postalCode?: string; email?: string }) =>
  normalizeStripeEvent(stripeEvent('charge.succeeded', chargeObject({ amount: 900, ...details, card: { last4: String(card++), fingerprint: `fp_nr_${card}` } })));
const sameNameAndPostalCode = () => charge({ name: 'Jonathan Smith', postalCode: '94110' });
const nicknameLooseSpelling = () => charge({ name: 'John Smith', postalCode: '94110' });

/** What a two-output node sent: the message per output (null: nothing there). */
const byOutput = (sent: NodeMessage | undefined) => sent as unknown as [NodeMessage | null, NodeMessage | null];
const decisionOf = (m: NodeMessage | null | undefined) => (m?.payload as { match: MatchResult } | undefined)?.match.decision;

describe('terminal match customer: "matched or new" and "needs review" outputs (in a stand-in for Node-RED)', () => {
  let s: Awaited<ReturnType<typeof tempStore>>;
  let red: ReturnType<typeof fakeRed>;
  let tokenize: FakeNode;
  let ids = 0;
  before(async () => {
    s = await tempStore();
    await seedCustomers(s.crm, [...strangers(), { id: 'cus_jon', givenName: 'Jonathan', familyName: 'Smith', email: 'jonathan.smith@example.com', postalCode: '94110' }]);
    red = fakeRed();
    for (const register of [registerStore, registerTokenize, registerMatch]) register(red.RED);
    red.create('terminal-crm-store', { id: 'store', storeUrl: s.url, defaultRegion: 'us' }, { tokenKeys: TEST_TOKEN_KEYS });
    tokenize = red.create('terminal-tokenize', { id: 't', store: 'store' });
  });
  after(async () => s.remove());

  /** A match node as the editor saves a new one: two outputs and the default settings, changed by `settings`. */
  const matchNode = (settings: Record<string, unknown> = {}) => {
    const defaults = Object.fromEntries(Object.entries(editorDefinition().defaults).map(([k, v]) => [k, v.value]));
    return red.create('terminal-match-customer', { ...defaults, id: `m${ids++}`, store: 'store', ...settings });
  };
  const matched = async (node: FakeNode, event: object) => {
    const t = await tokenize.receive(event);
    assert.equal(t.error, undefined, t.error?.message);
    return node.receive(t.sent!.payload, { topic: 'till 2' });
  };

  it('a clear match leaves on the first output only, a review-band payment on the second only, with the other msg properties', async () => {
    const node = matchNode();
    const link = byOutput((await matched(node, sameNameAndPostalCode())).sent);
    assert.deepEqual([decisionOf(link[0]), link[1]], ['link', null]);
    assert.equal((link[0]!.payload as { match: MatchResult }).match.customerId, 'cus_jon');
    assert.match(node.lastStatus()!, /^link cus_jon/);

    const r = await matched(node, nicknameLooseSpelling());
    assert.equal(r.error, undefined, r.error?.message);
    const review = byOutput(r.sent);
    assert.equal(review[0], null);
    assert.equal(review[1]!.topic, 'till 2');
    const m = (review[1]!.payload as { match: MatchResult }).match;
    assert.deepEqual([m.decision, m.customerId, m.candidateId], ['review', null, 'cus_jon']);
    assert.ok(m.evidence!.some((e) => e.field === 'familyName' && e.outcome === 'agree' && e.weight > 0));
    assert.deepEqual(node.statuses.at(-1), { fill: 'yellow', shape: 'dot', text: `review: maybe cus_jon (${Math.round(m.confidence * 100)}%)` });
  });

  it('takes the thresholds and switches from the editor, as the text the editor saves', async () => {
    const strict = byOutput((await matched(matchNode({ linkThreshold: '0.99' }), sameNameAndPostalCode())).sent);
    assert.deepEqual([strict[0], decisionOf(strict[1])], [null, 'review']);
    const narrow = byOutput((await matched(matchNode({ reviewThreshold: '0,75' }), nicknameLooseSpelling())).sent);
    assert.deepEqual([decisionOf(narrow[0]), narrow[1]], ['create', null]);
    const exactOnly = byOutput((await matched(matchNode({ fieldByField: false }), sameNameAndPostalCode())).sent);
    assert.deepEqual([decisionOf(exactOnly[0]), exactOnly[1]], ['create', null]);
    const blank = byOutput((await matched(matchNode({ linkThreshold: '', reviewThreshold: '' }), nicknameLooseSpelling())).sent);
    assert.equal(decisionOf(blank[1]), 'review', 'empty fields are the defaults');
  });

  it('a Review threshold above the Link threshold fails each message with the setting and the fix, and sends nothing', async () => {
    const node = matchNode({ linkThreshold: 0.8, reviewThreshold: 0.85 });
    const r = await matched(node, sameNameAndPostalCode());
    assert.equal(r.sent, undefined);
    assert.match(r.error!.message, /^Review threshold: 0\.85 is above the Link threshold 0\.8, so no payment could go to review\. Fix: set Review threshold at or below Link threshold/);
    assert.equal(node.statuses.at(-1)?.fill, 'red');
    const notANumber = await matched(matchNode({ linkThreshold: 'high' }), sameNameAndPostalCode());
    assert.match(notANumber.error!.message, /^Link threshold: "high" is not a number from 0 to 1\. Fix: /);
  });

  it('a node from a flow saved before the second output (no "outputs") sends every decision on its one output', async () => {
    const legacy = red.create('terminal-match-customer', { id: 'legacy', store: 'store' });
    const r = await matched(legacy, nicknameLooseSpelling());
    assert.ok(!Array.isArray(r.sent), 'one message, for output 1');
    assert.equal(decisionOf(r.sent), 'review');
  });

  it('the editor offers two labelled outputs, the matcher\'s defaults, and refuses a review threshold above the link threshold', () => {
    const def = editorDefinition();
    assert.equal(def.outputs, 2);
    assert.equal(def.defaults.outputs!.value, 2);
    // Port labels come from the node set's catalog through the editor's `this._` (locales/en-US/terminal-match-customer.json).
    const catalog = JSON.parse(readFileSync(resolve(REPO, 'nodes', 'node-red', 'locales', 'en-US', 'terminal-match-customer.json'), 'utf8')) as Record<string, { outputLabels: Record<string, string> }>;
    const _ = (key: string) => key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], catalog) as string;
    assert.deepEqual([0, 1].map((i) => (def.outputLabels as unknown as (this: unknown, i: number) => string).call({ _ }, i)), ['matched or new (link, create)', 'needs review']);
    const { linkThreshold, reviewThreshold, autoMerge, fieldByField } = def.defaults;
    assert.deepEqual({ linkThreshold: linkThreshold!.value, reviewThreshold: reviewThreshold!.value, autoMerge: autoMerge!.value, fieldByField: fieldByField!.value }, { ...MATCH_DEFAULTS });
    assert.equal(reviewThreshold!.validate!.call({ linkThreshold: 0.9 }, 0.95), false);
    assert.equal(reviewThreshold!.validate!.call({ linkThreshold: 0.9 }, '0.4'), true);
    assert.equal(linkThreshold!.validate!.call({}, '1.2'), false);
    const help = readFileSync(resolve(REPO, 'nodes', 'node-red', 'locales', 'en-US', 'terminal-match-customer.html'), 'utf8');
    assert.match(help, /<ol class="node-ports">[\s\S]*Matched or new[\s\S]*Needs review/);
  });

  it('every example flow wires both outputs of match customer to crm upsert, so a review payment is still recorded', () => {
    for (const name of ['payment-to-crm', 'high-value-alert', 'loyalty-welcome']) {
      const flow = JSON.parse(readFileSync(resolve(REPO, 'examples', `${name}.json`), 'utf8')) as Array<{ id: string; type: string; outputs?: number; wires?: string[][] }>;
      const byId = new Map(flow.map((n) => [n.id, n]));
      const match = flow.find((n) => n.type === 'terminal-match-customer')!;
      assert.equal(match.outputs, 2, name);
      assert.deepEqual(match.wires!.map((targets) => targets.map((id) => byId.get(id)!.type)), [['terminal-crm-upsert'], ['terminal-crm-upsert']], name);
    }
  });
});
