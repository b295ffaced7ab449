import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { normalizeStripeEvent } from '../../nodes/core/sources/stripe-terminal';
import { matchStep, tokenizeStep, upsertStep } from '../../nodes/core/steps/steps';
import { chargeObject, stripeEvent } from '../../sandbox/simulator/stripe-terminal-events';
import { tempStore, testKeys } from '../support/temp-store';

describe('steps over the message every engine passes along', () => {
  let s: Awaited<ReturnType<typeof tempStore>>;
  before(async () => { s = await tempStore(); });
  after(async () => { await s.remove(); });
  const event = () => normalizeStripeEvent(stripeEvent('charge.succeeded', chargeObject({ amount: 990, email: 'm@example.com' })));

  it('chains tokenize → match → upsert and keeps each result on the message', async () => {
    const matched = await matchStep(tokenizeStep(event(), testKeys()), s.crm);
    const [out] = await upsertStep([matched], s.crm);
    assert.equal(out!.match?.decision, 'create');
    assert.equal(out!.crm?.outcome, 'recorded');
    assert.equal(out!.crm?.customerId, (await s.db.get<{ id: string }>('SELECT id FROM customers'))!.id);
  });

  it('refuses to match an event that skipped tokenize, and says which step is missing', async () => {
    await assert.rejects(matchStep(event(), s.crm), /card\.identity: .*not been tokenized\. Fix: put a Tokenize step before Match Customer/);
  });

  it('refuses to upsert without a match, and writes nothing', async () => {
    const before = await s.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM transactions');
    await assert.rejects(upsertStep([tokenizeStep(event(), testKeys())], s.crm), /match: .*Fix: put a Match Customer step before CRM Upsert/);
    assert.deepEqual(await s.db.get('SELECT COUNT(*) AS n FROM transactions'), before);
  });
});
