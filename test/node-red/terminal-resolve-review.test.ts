import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import registerStore from '../../nodes/node-red/terminal-crm-store';
import registerResolve from '../../nodes/node-red/terminal-resolve-review';
import type { NodeMessage } from '../../nodes/node-red/shared/red-api';
import { seedCustomers } from '../core/match/match-fixtures';
import { tempStore, TEST_TOKEN_KEYS } from '../support/temp-store';
import { fakeRed, type FakeNode } from './support/fake-red';

describe('terminal resolve review (in a stand-in for Node-RED)', () => {
  let s: Awaited<ReturnType<typeof tempStore>>;
  let red: ReturnType<typeof fakeRed>;
  const nodes: FakeNode[] = [];
  beforeEach(async () => {
    s = await tempStore();
    await seedCustomers(s.crm, [
      { id: 'cus_known', givenName: 'Ana', familyName: 'Lima', email: 'ana@example.com' },
      { id: 'cus_new', givenName: 'Ana', familyName: 'Lima', email: 'ana.lima@example.org' },
    ]);
    red = fakeRed();
    registerStore(red.RED);
    registerResolve(red.RED);
    red.create('terminal-crm-store', { id: 'store', storeUrl: s.url, defaultRegion: 'us' }, { tokenKeys: TEST_TOKEN_KEYS });
  });
  afterEach(async () => {
    for (const n of nodes.splice(0)) n.close();
    await s.remove();
  });
  const resolveNode = (def: Record<string, unknown>) => {
    const node = red.create('terminal-resolve-review', { id: 'resolve', store: 'store', ...def });
    nodes.push(node);
    return node;
  };
  const send = (node: FakeNode, msg: NodeMessage) =>
    new Promise<{ sent: NodeMessage[]; error?: Error }>((resolve) => {
      const sent: NodeMessage[] = [];
      node.input!(msg, (m) => sent.push(m), (error) => resolve({ sent, error }));
    });
  const review = { payload: { match: { decision: 'review', candidateId: 'cus_known' }, crm: { customerId: 'cus_new' } } };
  const mergedInto = async (id: string) => (await s.db.get<{ merged_into: string | null }>('SELECT merged_into FROM customers WHERE id = ?', [id]))?.merged_into ?? null;

  it('links the review payment to the candidate: a recorded merge by node-red', async () => {
    const { sent, error } = await send(resolveNode({ decision: 'link', reason: 'confirmed' }), review);
    assert.equal(error, undefined);
    const out = (sent[0]!.payload as { review: { action: string; mergeId: string } }).review;
    assert.equal(out.action, 'link');
    assert.equal(await mergedInto('cus_new'), 'cus_known');
    const merge = await s.db.get<{ actor: string; evidence: string }>('SELECT actor, evidence FROM identity_merges WHERE id = ?', [out.mergeId]);
    assert.equal(merge?.actor, 'node-red');
    assert.match(String(merge?.evidence), /confirmed/);
  });

  it('takes the decision from msg.decision: keep-apart changes nothing; an unknown one is refused by name', async () => {
    const node = resolveNode({ decision: 'msg' });
    const kept = await send(node, { ...review, decision: 'keep-apart' });
    assert.equal(kept.error, undefined);
    assert.equal((kept.sent[0]!.payload as { review: { action: string } }).review.action, 'keep-apart');
    assert.equal(await mergedInto('cus_new'), null);
    const bad = await send(node, { ...review, decision: 'maybe' });
    assert.match(String(bad.error?.message), /msg\.decision.*"maybe".*link or keep-apart/);
    assert.equal(bad.sent.length, 0);
  });

  it('names the message paths it read, not the n8n form\'s labels, when a value is missing or of the wrong kind', async () => {
    const node = resolveNode({ decision: 'link' });
    const noCandidate = await send(node, { payload: { match: { decision: 'review' }, crm: { customerId: 'cus_new' } } });
    assert.match(String(noCandidate.error?.message), /^msg\.payload\.match\.candidateId: is empty\. Fix: send this node the message of Match Customer's review output/);
    const noRecorded = await send(node, { payload: { match: { decision: 'review', candidateId: 'cus_known' } } });
    assert.match(String(noRecorded.error?.message), /^msg\.payload\.crm\.customerId: is empty\. Fix: put this node after CRM Upsert/);
    const numeric = await send(node, { payload: { match: { decision: 'review', candidateId: 42 }, crm: { customerId: 'cus_new' } } });
    assert.match(String(numeric.error?.message), /^msg\.payload\.match\.candidateId: is a number, not a customer ID/);
    const listReason = await send(node, { ...review, reason: ['yes'] });
    assert.match(String(listReason.error?.message), /^msg\.reason: is a list, not text/);
    assert.equal(await mergedInto('cus_new'), null);
    assert.equal([noCandidate, noRecorded, numeric, listReason].flatMap((r) => r.sent).length, 0);
  });
});
