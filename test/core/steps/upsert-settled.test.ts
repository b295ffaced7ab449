import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { normalizeStripeEvent } from '../../../nodes/core/sources/stripe-terminal';
import { matchStep, tokenizeStep } from '../../../nodes/core/steps/steps';
import { upsertItemProblems, upsertStepSettled } from '../../../nodes/core/steps/upsert-settled';
import { chargeObject, stripeEvent } from '../../../sandbox/simulator/stripe-terminal-events';
import { tempStore, testKeys } from '../../support/temp-store';

describe('upsertStepSettled: one bad item does not sink the batch', () => {
  let s: Awaited<ReturnType<typeof tempStore>>;
  before(async () => {
    s = await tempStore();
  });
  after(async () => {
    await s.remove();
  });
  const event = (email: string) => normalizeStripeEvent(stripeEvent('charge.succeeded', chargeObject({ amount: 120, email })));
  const count = async () => (await s.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM transactions'))!.n;

  it('lists the problem of each item without writing', async () => {
    const matched = await matchStep(tokenizeStep(event('a@example.com'), testKeys()), s.crm);
    const problems = upsertItemProblems([matched, tokenizeStep(event('b@example.com'), testKeys()), event('c@example.com')]);
    assert.equal(problems[0], undefined);
    assert.match(problems[1]!.message, /^match: .*Fix: put a Match Customer step before CRM Upsert/);
    assert.match(problems[2]!.message, /^card\.identity: .*Fix: put a Tokenize step before CRM Upsert/);
    assert.equal(await count(), 0);
  });

  it('writes the valid items in one batch and fails the others on their own', async () => {
    const good1 = await matchStep(tokenizeStep(event('d@example.com'), testKeys()), s.crm);
    const good2 = await matchStep(tokenizeStep(event('e@example.com'), testKeys()), s.crm);
    const results = await upsertStepSettled([good1, { nonsense: true }, good2], s.crm);
    assert.deepEqual(results.map((r) => r.ok), [true, false, true]);
    assert.equal(results[0]!.ok && results[0]!.value.crm?.outcome, 'recorded');
    assert.equal(await count(), 2);
  });
});
