import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { Crm } from '../../../nodes/core/contracts/crm';
import { InputError } from '../../../nodes/core/errors';
import { matchCustomer } from '../../../nodes/core/match/match-customer';
import { matchStep } from '../../../nodes/core/steps/steps';
import { matchAndRecord, payment, seedCustomers, strangers } from './match-fixtures';
import { dialectStores, type DialectStore } from './store-dialects';

const stores = dialectStores('tcrm-match');

for (const store of stores) describe(`matchCustomer on ${store.dialect}: exact keys, then field-by-field, against the local store`, () => {
  let s: DialectStore;
  beforeEach(async () => {
    s = await store.open();
    await seedCustomers(s.crm, strangers());
  });
  afterEach(async () => { await s.remove(); });

  it('finds a Gmail customer however the address is written: case, dots, +tag, googlemail', async () => {
    await seedCustomers(s.crm, [{ id: 'cus_jdoe', givenName: 'Jane', familyName: 'Doe', email: 'jane.doe@gmail.com' }]);
    const m = await matchCustomer(payment({ email: '  J.A.N.E.Doe+Shop@GoogleMail.com ' }), { crm: s.crm });
    assert.equal(m.decision, 'link');
    assert.equal(m.customerId, 'cus_jdoe');
    assert.equal(m.tier, 'exact');
    assert.deepEqual(m.matchedOn, ['email']);
    assert.deepEqual(m.keys.find((k) => k.kind === 'email'), { kind: 'email', value: 'janedoe@gmail.com' });
  });

  it('finds a customer whose address has an accent and an internationalized domain, however the payment spells them', async () => {
    await seedCustomers(s.crm, [{ id: 'cus_joerg', givenName: 'Jörg', familyName: 'Groß', email: 'j\u00f6rg@m\u00fcnchen.de' }]);
    const m = await matchCustomer(payment({ email: 'jo\u0308rg@xn--mnchen-3ya.de' }), { crm: s.crm });
    assert.equal(m.decision, 'link', m.explanation);
    assert.equal(m.customerId, 'cus_joerg');
    assert.deepEqual(m.matchedOn, ['email']);
  });

  it('keeps dots and +tags where the provider does not ignore them', async () => {
    await seedCustomers(s.crm, [{ id: 'cus_corp', givenName: 'Ann', familyName: 'Lee', email: 'a.lee@example.com' }]);
    const m = await matchCustomer(payment({ email: 'alee@example.com' }), { crm: s.crm });
    assert.notEqual(m.customerId, 'cus_corp');
    assert.equal(m.decision === 'link' && m.tier === 'exact', false);
  });

  it('still links a typo\'d email when name and postal code agree, and says which fields weighed what', async () => {
    await seedCustomers(s.crm, [{ id: 'cus_jon', givenName: 'Jonathan', familyName: 'Smith', email: 'jonathan.smith@example.com', postalCode: '94110' }]);
    const m = await matchCustomer(payment({ email: 'jonathan.smiht@example.com', name: 'Jonathan Smith', postalCode: '94110' }), { crm: s.crm });
    assert.equal(m.decision, 'link', m.explanation);
    assert.equal(m.customerId, 'cus_jon');
    assert.equal(m.tier, 'probabilistic');
    assert.ok(m.confidence >= 0.9 && m.confidence <= 1);
    const email = m.evidence?.find((e) => e.field === 'email');
    assert.equal(email?.level, 'one typo apart');
    assert.ok(email!.weight > 0);
    assert.ok(m.matchedOn.includes('email') && m.matchedOn.includes('familyName'));
    assert.match(m.explanation, /email one typo apart \(\+\d/);
  });

  it('does not take a one-letter difference in a short mailbox name for a typo', async () => {
    await seedCustomers(s.crm, [{ id: 'cus_di', email: 'di@example.com' }]);
    const m = await matchCustomer(payment({ email: 'fi@example.com' }), { crm: s.crm });
    assert.notEqual(m.customerId, 'cus_di', m.explanation);
    assert.notEqual(m.evidence?.find((e) => e.field === 'email')?.level, 'one typo apart');
  });

  it('does not merge two people who share a surname, a landline and a postal code', async () => {
    await seedCustomers(s.crm, [{ id: 'cus_john', givenName: 'John', familyName: 'Smith', email: 'john@example.net', phone: '+14155550100', postalCode: '94110', keys: [{ kind: 'phone', value: '+14155550100' }] }]);
    const { match, upsert } = await matchAndRecord(s.crm, payment({ name: 'Mary Smith', phone: '(415) 555-0100', postalCode: '94110', email: 'mary@example.net' }));
    assert.notEqual(match.decision, 'link');
    assert.equal(match.customerId, null);
    assert.match(match.explanation, /given name is different/);
    assert.notEqual(upsert.customerId, 'cus_john');
    const john = await s.db.all<{ event_id: string }>("SELECT event_id FROM transactions WHERE customer_id = 'cus_john'");
    assert.equal(john.length, 0);
  });

  it('never joins two payers on a phone number no line has (the 555-555-5555 clerks type)', async () => {
    const first = await matchAndRecord(s.crm, payment({ name: 'Ava Stone', phone: '555-555-5555' }));
    assert.equal(first.match.keys.some((k) => k.kind === 'phone'), false);
    const { match, upsert } = await matchAndRecord(s.crm, payment({ phone: '(555) 555-5555' }));
    assert.notEqual(match.customerId, first.upsert.customerId, match.explanation);
    assert.notEqual(upsert.customerId, first.upsert.customerId);
  });

  it('never joins two payers on a placeholder address (noreply@…, no.email@gmail.com)', async () => {
    const first = await matchAndRecord(s.crm, payment({ name: 'Ava Stone', email: 'noreply@till.example' }));
    assert.equal(first.match.keys.some((k) => k.kind === 'email'), false);
    for (const email of ['NoReply@till.example', 'no.email@gmail.com']) {
      await matchAndRecord(s.crm, payment({ name: 'Ben Cole', email: 'no.email@gmail.com' }));
      const { match } = await matchAndRecord(s.crm, payment({ email }));
      assert.notEqual(match.customerId, first.upsert.customerId, match.explanation);
      assert.equal(match.decision === 'link' && match.tier === 'exact', false, match.explanation);
    }
  });

  it('recognises a card seen at another processor by BIN, last 4 and expiry, with a nickname and the name order swapped', async () => {
    await seedCustomers(s.crm, [{
      id: 'cus_will', givenName: 'William', familyName: 'Jones', postalCode: '10001',
      cards: [{ bin: '411111', last4: '7788', expMonth: 4, expYear: 2028 }],
    }]);
    const m = await matchCustomer(payment({ card: { iin: '41111122', last4: '7788', expMonth: 4, expYear: 2028, cardholderName: 'JONES BILL' } }), { crm: s.crm });
    assert.equal(m.decision, 'link', m.explanation);
    assert.equal(m.customerId, 'cus_will');
    assert.equal(m.evidence?.find((e) => e.field === 'card')?.level, 'same BIN, last 4 and expiry');
    assert.match(m.evidence!.find((e) => e.field === 'givenName')!.level, /nickname \(given and family name swapped\)/);
  });

  it('sends a shared card paid with someone else\'s email to review instead of linking it', async () => {
    const first = await matchAndRecord(s.crm, payment({ email: 'ana@example.com', name: 'Ana Ruiz', card: { fingerprint: 'fp_family', last4: '5151' } }));
    const m = await matchCustomer(payment({ email: 'ben.k@example.org', card: { fingerprint: 'fp_family', last4: '5151' } }), { crm: s.crm });
    assert.equal(m.decision, 'review', m.explanation);
    assert.equal(m.customerId, null);
    assert.equal(m.candidateId, first.upsert.customerId);
    assert.match(m.explanation, /cardToken points to .*, but the email address is different/);
  });

  it('trusts the processor\'s own customer id over everything else', async () => {
    await seedCustomers(s.crm, [{ id: 'cus_p', givenName: 'Pia', familyName: 'Berg', keys: [{ kind: 'processorCustomerId', value: 'stripe:cus_stripe_9' }] }]);
    const m = await matchCustomer(payment({ customer: 'cus_stripe_9', name: 'P Berg' }), { crm: s.crm });
    assert.equal(m.customerId, 'cus_p');
    assert.equal(m.confidence, 0.99);
    assert.deepEqual(m.matchedOn, ['processorCustomerId']);
  });

  it('takes its thresholds from configuration: link above, review between, create below', async () => {
    await seedCustomers(s.crm, [{ id: 'cus_jon', givenName: 'Jonathan', familyName: 'Smith', email: 'jonathan.smith@example.com', postalCode: '94110' }]);
    const e = payment({ email: 'jonathan.smiht@example.com', name: 'Jonathan Smith', postalCode: '94110' });
    const linked = await matchCustomer(e, { crm: s.crm });
    const reviewed = await matchCustomer(e, { crm: s.crm }, { linkThreshold: 0.999999999, reviewThreshold: 0.5 });
    const created = await matchCustomer(e, { crm: s.crm }, { linkThreshold: 0.999999999, reviewThreshold: 0.999999999 });
    assert.deepEqual([linked.decision, reviewed.decision, created.decision], ['link', 'review', 'create']);
    assert.equal(reviewed.candidateId, 'cus_jon');
    assert.equal(reviewed.customerId, null);
    assert.equal(created.customerId, null);
    assert.equal(linked.confidence, reviewed.confidence);
  });

  it('refuses a review threshold above the link threshold, naming the setting', async () => {
    await assert.rejects(matchCustomer(payment({}), { crm: s.crm }, { linkThreshold: 0.6, reviewThreshold: 0.8 }), (e: unknown) => e instanceof InputError && /^reviewThreshold: .*Fix: /.test(e.message));
  });

  it('finds a customer written to the store after the index was loaded', async () => {
    await matchCustomer(payment({ name: 'Nobody Known' }), { crm: s.crm });
    await seedCustomers(s.crm, [{ id: 'cus_late', givenName: 'Lena', familyName: 'Okafor', cards: [{ bin: '522222', last4: '9090', expMonth: 1, expYear: 2030 }] }]);
    const m = await matchCustomer(payment({ card: { iin: '522222', last4: '9090', expMonth: 1, expYear: 2030, cardholderName: 'LENA OKAFOR' } }), { crm: s.crm });
    assert.equal(m.customerId, 'cus_late', m.explanation);
  });

  it('links the second event of a payment to the customer of the first, whatever it carries', async () => {
    const a = payment({ email: 'pay.once@example.com', paymentIntentId: 'pi_same' });
    const first = await matchAndRecord(s.crm, a);
    const m = await matchCustomer(payment({ paymentIntentId: 'pi_same' }), { crm: s.crm });
    assert.deepEqual([m.customerId, m.matchedOn], [first.upsert.customerId, ['paymentId']]);
  });

  it('merges an anonymous wallet tap into the customer once a payment carries both, through the Match step', async () => {
    const tap = await matchAndRecord(s.crm, payment({ card: { fingerprint: 'fp_wallet', wallet: 'apple_pay', last4: '3131' } }));
    await seedCustomers(s.crm, [{ id: 'cus_kim', givenName: 'Kim', familyName: 'Park', email: 'kim.park@example.com' }]);
    const both = payment({ email: 'kim.park@example.com', card: { fingerprint: 'fp_wallet', wallet: 'apple_pay', last4: '3131' } });
    const out = await matchStep(both, s.crm);
    assert.equal(out.match?.customerId, 'cus_kim');
    assert.deepEqual(out.match?.merges?.map((m) => [m.from, m.into, m.auto]), [[tap.upsert.customerId, 'cus_kim', true]]);
    const merged = await s.db.get<{ merged_into: string }>('SELECT merged_into FROM customers WHERE id = ?', [tap.upsert.customerId]);
    assert.equal(merged?.merged_into, 'cus_kim');
    const moved = await s.db.get<{ customer_id: string }>('SELECT customer_id FROM transactions WHERE event_id = ?', [tap.upsert.eventId]);
    assert.equal(moved?.customer_id, 'cus_kim');
    const later = await matchCustomer(payment({ card: { fingerprint: 'fp_wallet', wallet: 'apple_pay', last4: '3131' } }), { crm: s.crm });
    assert.equal(later.customerId, 'cus_kim');
  });
});

describe('matchCustomer: the store\'s round trips', () => {
  it('reads the customer changes beside the payment-id lookup, not after it', async () => {
    const store = await stores.find((x) => x.dialect === 'sqlite')!.open();
    const steps: string[] = [];
    let changesAsked!: () => void;
    const asked = new Promise<void>((resolve) => (changesAsked = resolve));
    // The lookup answers once the changes are asked for (or after 2 s): in that order only if both are under way.
    const crm = {
      name: 'local',
      indexScope: {},
      findByKeys: async (keys: Parameters<Crm['findByKeys']>[0]) => {
        steps.push('lookup');
        await Promise.race([asked, delay(2_000)]);
        steps.push('lookup answered');
        return store.crm.findByKeys(keys);
      },
      customerChanges: async (cursor: string | null, limit: number) => {
        steps.push('changes');
        changesAsked();
        return store.crm.customerChanges(cursor, limit);
      },
    } as unknown as Crm;
    const result = await matchCustomer(payment({ email: 'someone.new@example.com' }), { crm });
    assert.equal(result.decision, 'create');
    assert.deepEqual(steps, ['lookup', 'changes', 'lookup answered']);
  });
});

describe('matchCustomer against a CRM that cannot list its changes (exact keys only)', () => {
  it("reads the payment's email with the operator's email rules, as the index does", async () => {
    const store = await stores.find((x) => x.dialect === 'sqlite')!.open();
    try {
      await seedCustomers(store.crm, [{ id: 'cus_ann', givenName: 'Ann', familyName: 'Lee', email: 'ann@corp.example' }]);
      const asked: string[] = [];
      const crm = {
        name: 'keys-only',
        findByKeys: async (keys: Parameters<Crm['findByKeys']>[0]) => {
          asked.push(...keys.map((k) => `${k.kind}:${k.value}`));
          return store.crm.findByKeys(keys);
        },
      } as unknown as Crm;
      const m = await matchCustomer(payment({ email: 'Ann+till2@corp.example' }), { crm }, { emailRules: { plusTagDomains: ['corp.example'] } });
      assert.ok(asked.includes('email:ann@corp.example'), asked.join(', '));
      assert.equal(m.decision, 'link', m.explanation);
      assert.equal(m.customerId, 'cus_ann');
    } finally {
      await store.remove();
    }
  });
});
