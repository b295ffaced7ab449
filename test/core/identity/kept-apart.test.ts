import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { applyAutoMerges, resolveCustomerId } from '../../../nodes/core/identity/identity-graph';
import { areKeptApart } from '../../../nodes/core/identity/kept-apart';
import { mergeCustomers, undoMerge } from '../../../nodes/core/identity/merge-customers';
import { resolveReview } from '../../../nodes/core/identity/resolve-review';
import { seedCustomers } from '../match/match-fixtures';
import { dialectStores, type DialectStore } from '../match/store-dialects';

const autoMerge = (into: string, from: string) => ({
  customerId: into, confidence: 1, matchedOn: [], decision: 'link' as const, explanation: '', keys: [],
  merges: [{ from, into, sharedKeys: ['phone' as const], auto: true, explanation: 'one phone, no contradiction' }],
});

for (const store of dialectStores('tcrm-apart')) describe(`Keep Apart on ${store.dialect}: an operator's "different people" holds against later auto-merges`, () => {
  let s: DialectStore;
  beforeEach(async () => {
    s = await store.open();
    await seedCustomers(s.crm, [
      { id: 'cus_ann', givenName: 'Ann', familyName: 'Lee', email: 'ann@example.com' },
      { id: 'cus_new', givenName: 'Ann', familyName: 'Lee', email: 'ann.lee@example.org' },
      { id: 'cus_third', givenName: 'Annie', familyName: 'Lee' },
    ]);
  });
  afterEach(async () => { await s.remove(); });

  it('is recorded once with who and why, and an auto-merge of the pair (either order) is not made', async () => {
    const decide = () => resolveReview(s.db, { action: 'keep-apart', candidateId: 'cus_ann', recordedId: 'cus_new', reason: 'mother and daughter', actor: 'n8n', via: 'Resolve Review' });
    await decide();
    await decide();
    const rows = await s.db.all<{ customer_a: string; customer_b: string; reason: string; actor: string; via: string }>('SELECT customer_a, customer_b, reason, actor, via FROM kept_apart');
    assert.deepEqual(rows.map((r) => ({ ...r })), [{ customer_a: 'cus_ann', customer_b: 'cus_new', reason: 'mother and daughter', actor: 'n8n', via: 'Resolve Review' }]);
    assert.deepEqual(await applyAutoMerges(s.db, autoMerge('cus_ann', 'cus_new')), []);
    assert.deepEqual(await applyAutoMerges(s.db, autoMerge('cus_new', 'cus_ann')), []);
    assert.equal(await resolveCustomerId(s.db, 'cus_new'), 'cus_new');
    assert.equal(await resolveCustomerId(s.db, 'cus_ann'), 'cus_ann');
    // pairs nobody decided on still merge
    assert.equal((await applyAutoMerges(s.db, autoMerge('cus_ann', 'cus_third'))).length, 1);
  });

  it('still holds when one side was merged with a third customer since', async () => {
    await resolveReview(s.db, { action: 'keep-apart', candidateId: 'cus_ann', recordedId: 'cus_new', actor: 'node-red', via: 'terminal resolve review' });
    await mergeCustomers(s.db, { into: 'cus_third', from: 'cus_new', evidence: { kind: 'operator' }, actor: 'ops' });
    assert.equal(await areKeptApart(s.db, 'cus_third', 'cus_ann'), true);
    assert.deepEqual(await applyAutoMerges(s.db, autoMerge('cus_third', 'cus_ann')), []);
  });

  it('a link answered after the candidate was merged into another customer merges into that one, once', async () => {
    await mergeCustomers(s.db, { into: 'cus_third', from: 'cus_ann', evidence: { kind: 'operator' }, actor: 'ops' });
    const link = () => resolveReview(s.db, { action: 'link', candidateId: 'cus_ann', recordedId: 'cus_new', reason: 'same person', actor: 'temporal', via: 'review workflow' });
    const first = await link();
    assert.ok(first.mergeId);
    assert.equal(await resolveCustomerId(s.db, 'cus_new'), 'cus_third');
    const again = await link();
    assert.deepEqual([again.alreadyLinked, again.mergeId], [true, undefined]);
    assert.equal((await s.db.all("SELECT 1 FROM identity_merges WHERE from_id = 'cus_new'")).length, 1);
  });

  it('a person linking the pair later overrides it, and after an undo the two are free to merge again', async () => {
    await resolveReview(s.db, { action: 'keep-apart', candidateId: 'cus_ann', recordedId: 'cus_new', actor: 'n8n', via: 'Resolve Review' });
    const linked = await resolveReview(s.db, { action: 'link', candidateId: 'cus_ann', recordedId: 'cus_new', reason: 'same person after all', actor: 'n8n', via: 'Resolve Review' });
    assert.equal(await resolveCustomerId(s.db, 'cus_new'), 'cus_ann');
    assert.equal((await s.db.all('SELECT 1 FROM kept_apart')).length, 0);
    await undoMerge(s.db, linked.mergeId!);
    assert.equal(await areKeptApart(s.db, 'cus_ann', 'cus_new'), false);
    assert.equal((await applyAutoMerges(s.db, autoMerge('cus_ann', 'cus_new'))).length, 1);
  });
});
