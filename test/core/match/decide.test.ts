import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CustomerIndex } from '../../../nodes/core/match/customer-index';
import { decide } from '../../../nodes/core/match/decide';
import { resolveMatchConfig } from '../../../nodes/core/match/match-config';
import type { MatchRecord } from '../../../nodes/core/contracts/match-record';
import { normalizeRecord } from '../../../nodes/core/match/normalized-record';

const cfg = resolveMatchConfig({});

/** An index of the given customers plus a few hundred unrelated ones, so priors are not those of a toy. */
function indexOf(customers: MatchRecord[]): CustomerIndex {
  const index = new CustomerIndex();
  for (let i = 0; i < 400; i++) index.upsert({ id: `other_${i}`, givenName: `G${i}x`, familyName: `F${i}y`, postalCode: String(50000 + i), email: `o${i}@example.org` });
  for (const c of customers) index.upsert(c);
  return index;
}

const run = (index: CustomerIndex, probe: MatchRecord) => decide(normalizeRecord(probe), index, cfg);

describe('decision rules, each shown working and failing safe', () => {
  it('keeps two people apart who share a surname and a street (a household)', () => {
    const index = indexOf([{ id: 'john', givenName: 'John', familyName: 'Smith', street: '12 Oak Street', city: 'Springfield', postalCode: '62701', email: 'john.smith@example.com' }]);
    const d = run(index, { id: 'p', givenName: 'Mary', familyName: 'Smith', street: '12 Oak St', city: 'Springfield', postalCode: '62701' });
    assert.equal(d.decision, 'create', d.explanation);
    assert.equal(d.customerId, null);
    assert.match(d.explanation, /given name is different/);
    const same = run(index, { id: 'p2', givenName: 'Johnny', familyName: 'Smith', street: '12 Oak St', city: 'Springfield', postalCode: '62701' });
    assert.equal(same.customerId, 'john', same.explanation);
  });

  it('does not hand a family\'s shared mailbox to whoever used it first', () => {
    const index = indexOf([{ id: 'ana', givenName: 'Ana', familyName: 'Berg', email: 'bergfamily@gmail.com' }]);
    const d = run(index, { id: 'p', name: 'Erik Berg', email: 'Berg.Family@gmail.com' });
    assert.notEqual(d.decision, 'link');
    assert.match(d.explanation, /email points to ana, but the given name is different/);
    assert.equal(run(index, { id: 'p2', name: 'Ana Berg', email: 'bergfamily@gmail.com' }).customerId, 'ana');
  });

  it('lets a different date of birth overrule a shared phone', () => {
    const index = indexOf([{ id: 'sr', givenName: 'Robert', familyName: 'Lind', phone: '+14155550123', dateOfBirth: '1950-02-02' }]);
    const d = run(index, { id: 'p', name: 'Robert Lind', phone: '415-555-0123', dateOfBirth: '1982-07-30' });
    assert.notEqual(d.decision, 'link');
    assert.match(d.explanation, /date of birth is different/);
  });

  it('sends a payment whose only key is a phone or mailbox two people of a household hold to review, naming both', () => {
    const index = indexOf([
      { id: 'john', givenName: 'John', familyName: 'Smith', phone: '+14155550100', email: 'smiths@example.net', keys: [{ kind: 'phone', value: '+14155550100' }, { kind: 'email', value: 'smiths@example.net' }] },
      { id: 'mary', givenName: 'Mary', familyName: 'Smith', phone: '(415) 555-0100', email: 'smiths@example.net' },
    ]);
    for (const probe of [{ id: 'p', phone: '415-555-0100' }, { id: 'p2', name: 'Smith', email: 'Smiths@example.net' }]) {
      const d = run(index, probe);
      assert.deepEqual([d.decision, d.customerId, d.candidateId, d.tier], ['review', null, 'john', 'exact'], d.explanation);
      assert.deepEqual(d.merges, []);
      assert.ok(d.confidence >= 0.5 && d.confidence < cfg.linkThreshold, String(d.confidence));
      assert.match(d.explanation, /both john's and mary's, whose records say they are two people \(against: givenName different/);
    }
    // what tells them apart decides, as before
    assert.deepEqual([run(index, { id: 'p3', name: 'Mary Smith', phone: '415-555-0100' }).customerId, run(index, { id: 'p4', name: 'John Smith', phone: '415-555-0100' }).customerId], ['mary', 'john']);
  });

  it('sends a payment that fits two different people equally well to review', () => {
    const card = { bin: '411111', last4: '2222', expMonth: 5, expYear: 2030 };
    const index = indexOf([
      { id: 'twin1', givenName: 'Sam', familyName: 'Reyes', dateOfBirth: '1990-01-01', cards: [card], email: 'sam1@example.com' },
      { id: 'twin2', givenName: 'Sam', familyName: 'Reyes', dateOfBirth: '1992-03-03', cards: [card], email: 'sam2@example.com' },
    ]);
    const d = run(index, { id: 'p', name: 'Sam Reyes', cards: [card] });
    assert.equal(d.decision, 'review', d.explanation);
    assert.match(d.explanation, /matches almost as well/);
  });

  it('proposes merging two records of one person that a payment matches together', () => {
    const card = { bin: '422222', last4: '3333', expMonth: 6, expYear: 2031 };
    const index = indexOf([
      { id: 'crm', givenName: 'Nina', familyName: 'Voss', postalCode: '10115', email: 'nina.voss@example.de' },
      { id: 'walkin', cards: [card] },
    ]);
    const d = run(index, { id: 'p', name: 'Nina Voss', postalCode: '10115', cards: [card] });
    assert.equal(d.decision, 'link', d.explanation);
    assert.deepEqual(d.merges.map((m) => [m.from, m.into, m.auto]).flat().sort(), ['crm', 'walkin', true].sort());
  });

  it('treats a processor customer id as the payer, above a disagreeing name', () => {
    const index = indexOf([{ id: 'p1', givenName: 'Lea', familyName: 'Kim', keys: [{ kind: 'processorCustomerId', value: 'square:C1' }] }]);
    const d = run(index, { id: 'p', name: 'Max Kim', keys: [{ kind: 'processorCustomerId', value: 'square:C1' }] });
    assert.deepEqual([d.decision, d.customerId, d.tier], ['link', 'p1', 'exact']);
  });
});
