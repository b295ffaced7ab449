import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CustomerIndex } from '../../../nodes/core/match/customer-index';
import { matchCustomer } from '../../../nodes/core/match/match-customer';
import type { CustomerChangePage, CustomerChangeSource, MatchRecord } from '../../../nodes/core/contracts/match-record';
import { compareRecords } from '../../../nodes/core/match/compare';
import { resolveMatchConfig } from '../../../nodes/core/match/match-config';
import { fingerprintOf, normalizeRecord } from '../../../nodes/core/match/normalized-record';
import { F } from '../../../nodes/core/match/weights';
import { payment } from './match-fixtures';

/** A CRM that lists contacts changed since a stamp, as CRM APIs do, and counts how often it is asked. */
class FakeCrmContacts implements CustomerChangeSource {
  calls = 0;
  private stamp = 0;
  private readonly rows: (MatchRecord & { seq: number })[] = [];
  put(r: MatchRecord): void {
    const i = this.rows.findIndex((x) => x.id === r.id);
    const row = { ...r, updatedAt: String(++this.stamp), seq: this.stamp };
    if (i >= 0) this.rows.splice(i, 1);
    this.rows.push(row);
  }
  async customerChanges(cursor: string | null, limit: number): Promise<CustomerChangePage> {
    this.calls++;
    const after = Number(cursor ?? 0);
    const page = this.rows.filter((r) => r.seq > after).slice(0, limit);
    const last = page[page.length - 1];
    return { records: page.map(({ seq, ...r }) => (void seq, r)), next: last ? String(last.seq) : cursor, more: page.length === limit };
  }
}

describe('customer index: a local copy of the CRM\'s match keys', () => {
  it('asks a CRM for changes once per refresh interval, never once per payment', async () => {
    const crm = new FakeCrmContacts();
    crm.put({ id: 'hub_1', givenName: 'Ida', familyName: 'Holm', email: 'ida.holm@example.com' });
    for (let i = 0; i < 50; i++) crm.put({ id: `hub_x${i}`, givenName: `G${i}`, familyName: `F${i}`, email: `x${i}@example.com` });
    const config = { refreshIntervalMs: 60_000 };
    const results = [];
    for (let i = 0; i < 20; i++) results.push(await matchCustomer(payment({ email: 'Ida.Holm@example.com' }), { source: crm }, config));
    assert.ok(results.every((r) => r.customerId === 'hub_1'));
    assert.equal(crm.calls, 1, 'one listing for twenty payments');
  });

  it('applies only what changed since the last refresh, in pages, and drops merged customers', async () => {
    const crm = new FakeCrmContacts();
    for (let i = 0; i < 25; i++) crm.put({ id: `c${i}`, givenName: 'Al', familyName: `Fam${i}`, email: `al${i}@example.com` });
    const index = new CustomerIndex();
    await index.refresh(crm, 10);
    assert.equal(index.size, 25);
    assert.equal(crm.calls, 3, 'pages of 10, 10 and 5');
    crm.put({ id: 'c3', givenName: 'Al', familyName: 'Fam3', email: 'al3@example.com', mergedInto: 'c4' });
    crm.put({ id: 'c99', givenName: 'Bo', familyName: 'New', email: 'bo@example.com' });
    await index.refresh(crm, 10);
    assert.equal(crm.calls, 4);
    assert.equal(index.size, 25);
    assert.equal(index.get('c3'), undefined);
    assert.equal(index.findKey('email', 'bo@example.com')?.id, 'c99');
    assert.equal(index.findKey('email', 'al3@example.com'), undefined);
  });

  it('keeps the comparisons per payment flat as the customers grow tenfold', () => {
    const counts: number[] = [];
    for (const size of [2_000, 20_000]) {
      const index = new CustomerIndex({ maxBlockSize: 40 });
      const given = ['john', 'mary', 'james', 'linda'];
      // as in life, more customers live in more postal codes, and a few names are very common
      const postalCodes = size / 4;
      for (let i = 0; i < size; i++) {
        index.upsert({ id: `c${i}`, givenName: given[i % 4], familyName: i % 3 ? 'Smith' : `Rare${i}`, postalCode: String(10000 + (i % postalCodes)), email: `p${i}@example.com` });
      }
      const probe = normalizeRecord({ id: 'p', name: 'John Smith', postalCode: '10004', email: 'someone@example.com' });
      counts.push(index.candidates(probe).length);
    }
    assert.ok(counts[0]! > 0);
    assert.ok(counts[1]! <= counts[0]! + 2, `candidates ${counts.join(' → ')}: "John Smith" alone (thousands of customers) is never compared against`);
  });

  it('gives a key to the first customer who holds it, as the store does', () => {
    const index = new CustomerIndex();
    index.upsert({ id: 'a', email: 'same@example.com' });
    index.upsert({ id: 'b', email: 'same@example.com' });
    assert.equal(index.findKey('email', 'same@example.com')?.id, 'a');
    index.remove('a');
    assert.equal(index.findKey('email', 'same@example.com'), undefined);
  });

  it('fingerprints a record\'s tokens and last 4s: a value in common always shares bits, none is 0', () => {
    assert.equal(fingerprintOf([]), 0);
    for (let i = 0; i < 2000; i++) {
      const token = `ctok_${i.toString(36)}`;
      const last4 = String(i % 10000).padStart(4, '0');
      const list = fingerprintOf([`ctok_other${i}`, token]);
      assert.notEqual(fingerprintOf([token]) & list, 0, token);
      assert.equal(fingerprintOf([token]) & list, fingerprintOf([token]), 'every bit of the value is in the list');
      assert.notEqual(fingerprintOf([last4]), 0);
    }
    const rec = normalizeRecord({ id: 'c', cards: [{ last4: '4242', bin: '424242' }], keys: [{ kind: 'cardToken', value: 'ctok_a' }] });
    assert.deepEqual([rec.tokenBits, rec.last4Bits], [fingerprintOf(['ctok_a']), fingerprintOf(['4242'])]);
  });

  it('a merged customer is compared on the cards and tokens it took over', () => {
    const index = new CustomerIndex();
    index.upsert({ id: 'into', givenName: 'Ana', familyName: 'Diaz', email: 'ana@example.com' });
    index.upsert({ id: 'from', givenName: 'Ana', familyName: 'Diaz', cards: [{ last4: '4242', bin: '424242', expMonth: 4, expYear: 2030 }], keys: [{ kind: 'cardToken', value: 'ctok_merged' }] });
    index.mergeInto('into', 'from');
    const merged = index.get('into')!;
    const probe = normalizeRecord({ id: 'p', cards: [{ last4: '4242', bin: '424242', expMonth: 4, expYear: 2030 }], keys: [{ kind: 'cardToken', value: 'ctok_merged' }] });
    assert.equal(compareRecords(probe, merged, resolveMatchConfig({}).logWeights, resolveMatchConfig({}).weights.m).levels[F.card], 0, 'the same token');
    const otherToken = normalizeRecord({ id: 'q', cards: [{ last4: '4242', bin: '424242', expMonth: 4, expYear: 2030 }] });
    assert.equal(compareRecords(otherToken, merged, resolveMatchConfig({}).logWeights, resolveMatchConfig({}).weights.m).levels[F.card], 1, 'the same BIN, last 4 and expiry');
  });
  it('keeps its own copy of each record, never the object it was given (a probe stays short-lived)', () => {
    const index = new CustomerIndex();
    const rec = normalizeRecord({
      id: 'c1', givenName: 'Ida', familyName: 'Holm', email: 'ida@example.com', phone: '+14155550100',
      keys: [{ kind: 'cardToken', value: 'ctok_k1_a' }], cards: [{ last4: '4242', expMonth: 1, expYear: 2030, token: 'ctok_k1_a', processor: 'stripe' }],
    });
    index.upsertNormalized(rec);
    const kept = index.get('c1')!;
    assert.notEqual(kept, rec);
    assert.notEqual(kept.emails, rec.emails);
    assert.notEqual(kept.cards[0], rec.cards[0]);
    assert.deepEqual(kept, rec);
    assert.deepEqual(Object.keys(kept), Object.keys(rec), 'the same properties in the same order: one object shape for the comparisons');
    (rec.emails as string[]).push('other@example.com');
    assert.equal(index.findKey('email', 'other@example.com'), undefined);
    assert.deepEqual(index.get('c1')!.emails, ['ida@example.com']);
  });
});
