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

  it('refuses a match a flow changed into one the store cannot take, naming the field, and records the others', async () => {
    const good = await matchStep(tokenizeStep(event('f@example.com'), testKeys()), s.crm);
    const changed = async (email: string, change: (m: Record<string, unknown>) => void) => {
      const m = structuredClone(await matchStep(tokenizeStep(event(email), testKeys()), s.crm));
      change(m.match as unknown as Record<string, unknown>);
      return m;
    };
    const before = await count();
    const customers = (await s.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM customers'))!.n;
    const results = await upsertStepSettled([
      await changed('g@example.com', (m) => { m.customerId = 0; }),
      good,
      await changed('h@example.com', (m) => { m.keys = 'email'; }),
      await changed('i@example.com', (m) => { (m.keys as Record<string, unknown>[])[0]!.kind = 'iban'; }),
      await changed('j@example.com', (m) => { (m.keys as Record<string, unknown>[])[0]!.value = ''; }),
      await changed('k@example.com', (m) => { m.decision = 'maybe'; }),
    ], s.crm);
    const reasons = results.map((r) => (r.ok ? 'ok' : r.error.message));
    assert.match(reasons[0]!, /^match\.customerId: CRM Upsert received a match result whose customerId is 0, neither a customer id nor null .*Fix: feed CRM Upsert the output of Match Customer unchanged/);
    assert.equal(reasons[1], 'ok');
    assert.match(reasons[2]!, /^match\.keys: .*is not a list of the payment's keys/);
    assert.match(reasons[3]!, /^match\.keys\.0\.kind: .*is "iban", not one of paymentId, processorCustomerId, email, phone, cardToken/);
    assert.match(reasons[4]!, /^match\.keys\.0\.value: /);
    assert.match(reasons[5]!, /^match\.decision: .*"maybe", not one of link, review, create/);
    assert.equal(await count(), before + 1, 'only the good item is recorded');
    assert.equal((await s.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM customers'))!.n, customers + 1);
  });
});
