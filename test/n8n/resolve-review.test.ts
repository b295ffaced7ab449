import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { INode } from 'n8n-workflow';
import { seedCustomers } from '../core/match/match-fixtures';
import { dialectStores, type DialectStore } from '../core/match/store-dialects';
import { outputsOf } from './support/outputs';
import { runWorkflow, storeNodeWorkflow, storeCredentials } from './support/run-workflow';

/** The same scenarios on the SQLite file and on PostgreSQL, to one outcome. */
const stores = dialectStores('tcrm-resolve-review');

const resolve = (parameters: INode['parameters'] = {}) => storeNodeWorkflow('Resolve Review', 'resolveReview', parameters);

/** An item as CRM Upsert sends a review payment on: recorded under a new customer, the candidate in match. */
const reviewItem = (candidateId: string, customerId: string) => ({ json: { id: 'stripe:evt_review', match: { decision: 'review', candidateId }, crm: { customerId } } });

for (const store of stores) describe(`n8n: Resolve Review (after CRM Upsert on the Needs Review path) on ${store.dialect}`, { timeout: 60_000 }, () => {
  let s: DialectStore;
  before(async () => {
    s = await store.open();
    await seedCustomers(s.crm, [
      { id: 'cus_known', givenName: 'Ana', familyName: 'Lima', email: 'ana@example.com' },
      { id: 'cus_new1', givenName: 'Ana', familyName: 'Lima', email: 'ana.lima@example.org' },
      { id: 'cus_new2', givenName: 'Bea', familyName: 'Lima', email: 'bea@example.com' },
      { id: 'cus_new3', givenName: 'Cai', familyName: 'Lima', email: 'cai@example.com' },
      { id: 'cus_new4', givenName: 'Dee', familyName: 'Lima', email: 'dee@example.com' },
    ]);
  });
  after(async () => {
    await s.remove();
  });
  const creds = () => storeCredentials(s.url);
  const mergedInto = async (id: string) => (await s.db.get<{ merged_into: string | null }>('SELECT merged_into FROM customers WHERE id = ?', [id]))?.merged_into ?? null;

  it('links: merges the recorded customer into the candidate (their email key moves), once even when run again', async () => {
    const run = await runWorkflow(resolve({ decision: 'link', reason: 'same person, at the till' }), 'Resolve Review', [reviewItem('cus_known', 'cus_new1')], creds());
    assert.equal(run.data.resultData.error, undefined, run.data.resultData.error?.message);
    const [out] = outputsOf(run, 'Resolve Review');
    const review = out![0]!.json.review as { action: string; mergeId?: string };
    assert.equal(review.action, 'link');
    assert.match(String(review.mergeId), /./);
    assert.equal(await mergedInto('cus_new1'), 'cus_known');
    const key = await s.db.get<{ customer_id: string }>("SELECT customer_id FROM customer_keys WHERE kind = 'email' AND value = ?", ['ana.lima@example.org']);
    assert.equal(key?.customer_id, 'cus_known');
    const merge = await s.db.get<{ actor: string; evidence: string }>('SELECT actor, evidence FROM identity_merges WHERE id = ?', [review.mergeId!]);
    assert.equal(merge?.actor, 'n8n');
    assert.match(String(merge?.evidence), /same person, at the till/);

    const again = await runWorkflow(resolve({ decision: 'link' }), 'Resolve Review', [reviewItem('cus_known', 'cus_new1')], creds());
    assert.equal(again.data.resultData.error, undefined, again.data.resultData.error?.message);
    assert.equal((outputsOf(again, 'Resolve Review')[0]![0]!.json.review as { alreadyLinked?: boolean }).alreadyLinked, true);
    assert.equal((await s.db.all('SELECT id FROM identity_merges')).length, 1);
  });

  it('keeps apart: nothing in the store changes', async () => {
    const run = await runWorkflow(resolve({ decision: 'keep-apart' }), 'Resolve Review', [reviewItem('cus_known', 'cus_new2')], creds());
    assert.equal(run.data.resultData.error, undefined, run.data.resultData.error?.message);
    assert.equal((outputsOf(run, 'Resolve Review')[0]![0]!.json.review as { action: string }).action, 'keep-apart');
    assert.equal(await mergedInto('cus_new2'), null);
  });

  it('stops on an item without a recorded customer, naming the field and the fix', async () => {
    const run = await runWorkflow(resolve({ decision: 'link' }), 'Resolve Review', [{ json: { match: { candidateId: 'cus_known' } } }], creds());
    assert.match(String(run.data.resultData.error?.message), /Recorded Customer ID.*after CRM Upsert/);
  });

  it('names the item that is wrong; with Continue On Fail the others are resolved and the bad one keeps its payment and says why, each its files', async () => {
    const evidence = { data: Buffer.from('photo of the receipt').toString('base64'), mimeType: 'image/jpeg', fileName: 'receipt.jpg' };
    const items = [
      { ...reviewItem('cus_known', 'cus_new3'), binary: { evidence: { ...evidence } } },
      { json: { id: 'stripe:evt_other', match: { candidateId: 'cus_known' } }, binary: { evidence: { ...evidence } } },
    ];
    const stopped = await runWorkflow(resolve({ decision: 'keep-apart' }), 'Resolve Review', items, creds());
    const error = stopped.data.resultData.error as (Error & { context?: { itemIndex?: number } }) | undefined;
    assert.match(String(error?.message), /^Recorded Customer ID: is empty\. Fix: map it to crm\.customerId/);
    assert.equal(error?.context?.itemIndex, 1);

    const wf = resolve({ decision: 'keep-apart' });
    wf.nodes[0]!.onError = 'continueRegularOutput';
    const run = await runWorkflow(wf, 'Resolve Review', items, creds());
    assert.equal(run.status, 'success');
    const [out] = outputsOf(run, 'Resolve Review');
    assert.equal((out![0]!.json.review as { action: string }).action, 'keep-apart');
    assert.equal(out![1]!.json.id, 'stripe:evt_other');
    assert.match(String(out![1]!.json.error), /^Recorded Customer ID: is empty/);
    assert.deepEqual(out!.map((i) => i.pairedItem), [{ item: 0 }, { item: 1 }]);
    assert.deepEqual(out!.map((i) => i.binary), [{ evidence }, { evidence }], "the item's files (binary) kept beside its json, resolved or failed");
  });

  it('takes a Reason an expression gave as a number, as text', async () => {
    const run = await runWorkflow(resolve({ decision: 'link', reason: '={{ 42 }}' }), 'Resolve Review', [reviewItem('cus_known', 'cus_new4')], creds());
    assert.equal(run.data.resultData.error, undefined, run.data.resultData.error?.message);
    const review = outputsOf(run, 'Resolve Review')[0]![0]!.json.review as { mergeId: string };
    const merge = await s.db.get<{ evidence: string }>('SELECT evidence FROM identity_merges WHERE id = ?', [review.mergeId]);
    assert.equal((JSON.parse(String(merge?.evidence)) as { reason: string }).reason, '42');
  });

  it('refuses an ID that is an object, or names no customer, instead of recording a Keep Apart that protects nobody', async () => {
    const before = (await s.db.all('SELECT * FROM kept_apart')).length;
    const object = await runWorkflow(resolve({ decision: 'keep-apart', candidateId: '={{ $json.match }}' }), 'Resolve Review', [reviewItem('cus_known', 'cus_new2')], creds());
    assert.match(String(object.data.resultData.error?.message), /^Candidate Customer ID: is an object, not a customer ID\. Fix: map it to match\.candidateId/);
    const unknown = await runWorkflow(resolve({ decision: 'keep-apart' }), 'Resolve Review', [reviewItem('cus_typo', 'cus_new2')], creds());
    assert.match(String(unknown.data.resultData.error?.message), /^Candidate Customer ID: there is no customer "cus_typo" in the store\. Fix:/);
    assert.equal((await s.db.all('SELECT * FROM kept_apart')).length, before);
  });
});
