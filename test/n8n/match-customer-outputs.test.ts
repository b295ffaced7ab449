import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { INode, INodeExecutionData, INodeParameters, INodeProperties } from 'n8n-workflow';
import { NodeHelpers, Workflow } from 'n8n-workflow';
import type { MatchResult } from '../../nodes/core/contracts/customer';
import { MATCH_DEFAULTS } from '../../nodes/core/match/operator-settings';
import { normalizeStripeEvent } from '../../nodes/core/sources/stripe-terminal';
import { MatchCustomer } from '../../nodes/n8n/MatchCustomer/MatchCustomer.node';
import { chargeObject, stripeEvent } from '../../sandbox/simulator/stripe-terminal-events';
import { seedCustomers, strangers } from '../core/match/match-fixtures';
import { tempStore } from '../support/temp-store';
import { assignCredentials } from './support/assign-credentials';
import { outputsOf } from './support/outputs';
import { PACKAGE, packageNodeTypes } from './support/package-node-types';
import { runWorkflow, type WorkflowJson, storeCredentials } from './support/run-workflow';
import { paymentToCrmTemplate } from './support/template';

const credentials = { terminalCrmStore: { id: '1', name: 'Terminal CRM Store' } };
const node = (name: string, type: string, parameters: INode['parameters'] = {}, typeVersion = 1): INode => ({
  id: name, name, type: `${PACKAGE}.${type}`, typeVersion, position: [0, 0], parameters, credentials,
});

/** Tokenize → Match Customer, nothing written: only the decision and the output it leaves on are looked at. */
function matchOnly(options: INodeParameters = {}, typeVersion = 2): WorkflowJson {
  return {
    nodes: [node('Tokenize', 'tokenize'), node('Match Customer', 'matchCustomer', { options }, typeVersion)],
    connections: { Tokenize: { main: [[{ node: 'Match Customer', type: 'main', index: 0 }]] } },
    settings: { executionOrder: 'v1' },
  };
}

let card = 5000;
/** A card-present charge with its own card, so only the details given can tie it to a customer. */
const charge = (details: { name?: string; postalCode?: string; email?: string }): INodeExecutionData => ({
  json: JSON.parse(JSON.stringify(normalizeStripeEvent(stripeEvent('charge.succeeded', chargeObject({ amount: 1500, ...details, card: { last4: String(card++), fingerprint: `fp_mc_${card}` } }))))),
});
// With thirty other customers in the store, these score (at the default weights) about 0.98, 0.69 and nothing.
const sameNameAndPostalCode = () => charge({ name: 'Jonathan Smith', postalCode: '94110' });
const nicknameLooseSpelling = () => charge({ name: 'John Smith', postalCode: '94110' });
const stranger = () => charge({ name: 'Zed Quill', postalCode: '10001', email: 'zed.quill@example.net' });

const matchOf = (item: INodeExecutionData) => item.json.match as MatchResult;

describe('n8n Match Customer: "Matched or New" and "Needs Review" outputs under WorkflowExecute', () => {
  let store: Awaited<ReturnType<typeof tempStore>>;
  before(async () => {
    store = await tempStore();
    await seedCustomers(store.crm, [...strangers(), { id: 'cus_jon', givenName: 'Jonathan', familyName: 'Smith', email: 'jonathan.smith@example.com', postalCode: '94110' }]);
  });
  after(async () => {
    await store.remove();
  });
  const creds = () => storeCredentials(store.url);
  const run = async (wf: WorkflowJson, items: INodeExecutionData[]) => {
    const r = await runWorkflow(wf, 'Tokenize', items, creds());
    return { run: r, outputs: r.data.resultData.error ? undefined : outputsOf(r, 'Match Customer') };
  };

  it('sends link and create on the first output and the review-band payment on the second only, keeping item pairing', async () => {
    const { run: r, outputs } = await run(matchOnly(), [sameNameAndPostalCode(), nicknameLooseSpelling(), stranger()]);
    assert.equal(r.data.resultData.error, undefined, r.data.resultData.error?.message);
    const [matched, review] = outputs!;
    assert.deepEqual(matched!.map((i) => [matchOf(i).decision, matchOf(i).customerId, i.pairedItem]), [['link', 'cus_jon', { item: 0 }], ['create', null, { item: 2 }]]);
    assert.equal(review!.length, 1);
    const m = matchOf(review![0]!);
    assert.deepEqual([m.decision, m.customerId, m.candidateId, review![0]!.pairedItem], ['review', null, 'cus_jon', { item: 1 }]);
    assert.ok(m.confidence >= MATCH_DEFAULTS.reviewThreshold && m.confidence < MATCH_DEFAULTS.linkThreshold, String(m.confidence));
    assert.ok(m.matchedOn.includes('familyName'), JSON.stringify(m.matchedOn));
    assert.ok(m.evidence!.some((e) => e.field === 'givenName' && typeof e.weight === 'number'), 'which fields agreed, with their weights');
    assert.match(m.explanation, /^Probably cus_jon \(\d+%\), needs a person to confirm — for: familyName same \(\+[\d.]+\)/);
    assert.equal(matchOf(matched![0]!).confidence > MATCH_DEFAULTS.linkThreshold, true);
  });

  it('takes its thresholds and switches from Options: link above, review between, create below', async () => {
    const strict = await run(matchOnly({ linkThreshold: 0.99 }), [sameNameAndPostalCode()]);
    assert.deepEqual(strict.outputs!.map((o) => o.map((i) => matchOf(i).decision)), [[], ['review']], 'a 0.98 match is not enough at 0.99');

    const narrow = await run(matchOnly({ reviewThreshold: 0.75 }), [nicknameLooseSpelling()]);
    assert.deepEqual(narrow.outputs!.map((o) => o.map((i) => matchOf(i).decision)), [['create'], []], 'a 0.69 match is a new customer above 0.75');

    const noBand = await run(matchOnly({ linkThreshold: 0.6, reviewThreshold: 0.6 }), [nicknameLooseSpelling()]);
    assert.deepEqual(noBand.outputs!.map((o) => o.map((i) => [matchOf(i).decision, matchOf(i).customerId])), [[['link', 'cus_jon']], []]);

    const exactOnly = await run(matchOnly({ fieldByField: false }), [sameNameAndPostalCode(), nicknameLooseSpelling()]);
    assert.deepEqual(exactOnly.outputs!.map((o) => o.map((i) => matchOf(i).decision)), [['create', 'create'], []], 'without field-by-field matching a name is not a key');
  });

  it('stops with the setting and the fix when the Review Threshold is above the Link Threshold', async () => {
    const { run: r } = await run(matchOnly({ reviewThreshold: 0.95 }), [stranger()]);
    assert.match(r.data.resultData.error?.message ?? '', /^Review Threshold: 0\.95 is above the Link Threshold 0\.9, so no payment could go to review\. Fix: set Review Threshold at or below Link Threshold/);
    const outOfRange = await run(matchOnly({ linkThreshold: 1.5 }), [stranger()]);
    assert.match(outOfRange.run.data.resultData.error?.message ?? '', /^Link Threshold: "1\.5" is not a number from 0 to 1\. Fix: /);
  });

  it('version 1 (workflows made before the review output) still sends every decision on its one output', async () => {
    const { run: r, outputs } = await run(matchOnly({}, 1), [nicknameLooseSpelling(), stranger()]);
    assert.equal(r.data.resultData.error, undefined, r.data.resultData.error?.message);
    assert.equal(outputs!.length, 1);
    assert.deepEqual(outputs![0]!.map((i) => [matchOf(i).decision, i.pairedItem]), [['review', { item: 0 }], ['create', { item: 1 }]]);
  });

  it('n8n reads two named outputs for version 2 and one for version 1 from the node description', () => {
    const nodes = [node('New', 'matchCustomer', {}, 2), node('Old', 'matchCustomer', {}, 1)];
    const workflow = new Workflow({ nodes, connections: {}, nodeTypes: packageNodeTypes(), active: false });
    const outputsOfNode = (name: string) => NodeHelpers.getNodeOutputs(workflow, workflow.getNode(name)!, new MatchCustomer().description);
    assert.deepEqual(JSON.parse(JSON.stringify(outputsOfNode('New'))), [{ type: 'main', displayName: 'Matched or New' }, { type: 'main', displayName: 'Needs Review' }]);
    assert.deepEqual(JSON.parse(JSON.stringify(outputsOfNode('Old'))), ['main']);
  });

  it('the Options shown when added are the defaults the matcher uses', () => {
    const options = new MatchCustomer().description.properties.find((p) => p.name === 'options')!.options as INodeProperties[];
    assert.deepEqual(Object.fromEntries(options.map((o) => [o.name, o.default])), { ...MATCH_DEFAULTS });
  });

  it('templates/n8n/payment-to-crm.json wires both outputs to CRM Upsert, so a review payment is recorded under a new customer', async () => {
    const template = paymentToCrmTemplate();
    const match = template.nodes.find((n) => n.name === 'Match Customer')!;
    assert.equal(match.typeVersion, 2);
    assert.deepEqual(template.connections['Match Customer']!.main!.map((out) => (out ?? []).map((c) => c.node)), [['CRM Upsert'], ['CRM Upsert']]);
    assert.ok(template.nodes.some((n) => n.name === 'Needs Review' && /terminal-crm merge <candidateId> <crm\.customerId>/.test(String(n.parameters.content))));

    const wf = assignCredentials(template, { terminalCrmStore: { id: '1', name: 'Terminal CRM Store' }, stripeTerminalApi: { id: '2', name: 'Stripe Terminal' } });
    const item = nicknameLooseSpelling();
    const r = await runWorkflow(wf, 'Tokenize', [item], creds());
    assert.equal(r.data.resultData.error, undefined, r.data.resultData.error?.message);
    const [upserted] = outputsOf(r, 'CRM Upsert');
    const out = upserted![0]!.json as { match: MatchResult; crm: { outcome: string; customerId: string; customerCreated: boolean } };
    assert.deepEqual([out.match.decision, out.match.candidateId, out.crm.outcome, out.crm.customerCreated], ['review', 'cus_jon', 'recorded', true]);
    const tx = await store.db.get<{ customer_id: string }>('SELECT customer_id FROM transactions WHERE event_id = ?', [item.json.id as string]);
    assert.equal(tx?.customer_id, out.crm.customerId);
    assert.notEqual(tx?.customer_id, 'cus_jon', 'nothing is attached to the candidate before a person confirms');
  });
});
