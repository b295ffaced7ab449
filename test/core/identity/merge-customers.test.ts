import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { InputError } from '../../../nodes/core/errors';
import { applyAutoMerges, identityOf, resolveCustomerId } from '../../../nodes/core/identity/identity-graph';
import { mergeCustomers, undoMerge } from '../../../nodes/core/identity/merge-customers';
import { normalizeStripeEvent } from '../../../nodes/core/sources/stripe-terminal';
import { tokenize } from '../../../nodes/core/tokenize/tokenize';
import { paymentsOf } from '../../../nodes/core/ledger/read-payments';
import { loyaltyStep } from '../../../nodes/core/loyalty/loyalty-step';
import { parseLoyaltyProgram } from '../../../nodes/core/loyalty/program';
import { message } from '../segment/support/messages';
import { assertLedgerBalances } from '../loyalty/support/ledger-balances';
import { chargeObject, disputeObject, stripeEvent } from '../../../sandbox/simulator/stripe-terminal-events';
import { testKeys } from '../../support/temp-store';
import { matchAndRecord, payment, seedCustomers } from '../match/match-fixtures';
import { dialectStores, type DialectStore } from '../match/store-dialects';

type Store = DialectStore;

/** Everything the store says about a customer, to compare before and after. */
async function history(s: Store, id: string) {
  return {
    profile: await s.db.get('SELECT id, name, given_name, family_name, email, phone, postal_code, merged_into FROM customers WHERE id = ?', [id]),
    keys: await s.db.all('SELECT kind, value FROM customer_keys WHERE customer_id = ? ORDER BY kind, value', [id]),
    cards: await s.db.all('SELECT card_key FROM customer_cards WHERE customer_id = ? ORDER BY card_key', [id]),
    transactions: await s.db.all('SELECT event_id, kind, amount_minor FROM transactions WHERE customer_id = ? ORDER BY event_id', [id]),
    totals: await s.db.all('SELECT currency, payments, gross_minor, refunded_minor, first_seen, last_seen FROM customer_totals WHERE customer_id = ? ORDER BY currency', [id]),
  };
}

for (const store of dialectStores('tcrm-merge')) describe(`identity graph on ${store.dialect}: merges recorded with their evidence, and undone`, () => {
  let s: Store;
  let a: string;
  let b: string;
  beforeEach(async () => {
    s = await store.open();
    await seedCustomers(s.crm, [{ id: 'cus_a', givenName: 'Ada', familyName: 'Lovelace', email: 'ada@example.com', keys: [{ kind: 'processorCustomerId', value: 'stripe:cus_s1' }] }]);
    a = 'cus_a';
    await matchAndRecord(s.crm, payment({ email: 'ada@example.com', amount: 1200, created: 1_700_000_000 }));
    await matchAndRecord(s.crm, payment({ email: 'ada@example.com', amount: 800, currency: 'eur', created: 1_700_000_100 }));
    // a walk-in at another processor, later refunded in part: a customer of its own
    const tap = payment({ card: { fingerprint: 'fp_b', last4: '4444', iin: '555555' }, phone: '+1 212 555 0101', amount: 3000, chargeId: 'ch_b', paymentIntentId: 'pi_b', created: 1_700_000_200 });
    b = (await matchAndRecord(s.crm, tap)).upsert.customerId!;
    const refund = tokenize(normalizeStripeEvent(stripeEvent('charge.refunded', chargeObject({
      amount: 3000, amountRefunded: 500, chargeId: 'ch_b', paymentIntentId: 'pi_b', phone: '+1 212 555 0101', card: { fingerprint: 'fp_b', last4: '4444', iin: '555555' }, created: 1_700_000_300,
    }))), testKeys());
    await matchAndRecord(s.crm, refund);
  });
  afterEach(async () => { await s.remove(); });

  it('undoing a merge restores both customers\' histories exactly', async () => {
    const before = { a: await history(s, a), b: await history(s, b) };
    assert.equal(before.b.transactions.length, 2);
    const merge = await mergeCustomers(s.db, { into: a, from: b, evidence: { reason: 'operator confirmed the walk-in is Ada' }, actor: 'maria' });
    const merged = await history(s, a);
    assert.equal(merged.transactions.length, before.a.transactions.length + before.b.transactions.length);
    assert.deepEqual(merged.totals.map((t) => [t.currency, t.payments, t.gross_minor, t.refunded_minor]), [['EUR', 1, 800, 0], ['USD', 2, 4200, 500]]);
    assert.equal(merged.profile!.phone, '+12125550101', 'the survivor gains what it lacked');
    assert.deepEqual((await history(s, b)).transactions, []);
    assert.equal(await resolveCustomerId(s.db, b), a);
    const view = await identityOf(s.db, a);
    assert.deepEqual(view?.merges.map((m) => [m.id, m.from, m.actor, m.direction]), [[merge.id, b, 'maria', 'absorbed']]);
    assert.deepEqual(view?.merges[0]?.evidence, { reason: 'operator confirmed the walk-in is Ada' });
    assert.ok(view?.keys.some((k) => k.kind === 'processorCustomerId' && k.processor === 'stripe'));
    assert.equal(view?.cards.length, 3);

    const undone = await undoMerge(s.db, merge.id, 'maria');
    assert.ok(undone.undoneAt);
    assert.deepEqual({ a: await history(s, a), b: await history(s, b) }, before);
    assert.equal(await resolveCustomerId(s.db, b), b);
  });

  it('keeps payments recorded after the merge with the survivor when the merge is undone', async () => {
    const merge = await mergeCustomers(s.db, { into: a, from: b, evidence: 'test' });
    const later = await matchAndRecord(s.crm, payment({ email: 'ada@example.com', amount: 50 }));
    assert.equal(later.upsert.customerId, a);
    await undoMerge(s.db, merge.id);
    const ids = (await history(s, a)).transactions.map((t) => t.event_id);
    assert.ok(ids.includes(later.upsert.eventId));
  });

  it('gives a refund recorded since the merge back with the payment it refunds when the merge is undone: transactions and totals follow the ledger', async () => {
    const before = { a: await history(s, a), b: await history(s, b) };
    const merge = await mergeCustomers(s.db, { into: a, from: b, evidence: 'test' });
    // the walk-in's payment is refunded further after the merge (500 of 3,000 before, 1,200 now): it reaches the survivor
    const more = tokenize(normalizeStripeEvent(stripeEvent('charge.refunded', chargeObject({
      amount: 3000, amountRefunded: 1200, chargeId: 'ch_b', paymentIntentId: 'pi_b', phone: '+1 212 555 0101', card: { fingerprint: 'fp_b', last4: '4444', iin: '555555' }, created: 1_700_000_500,
    }))), testKeys());
    const refunded = await matchAndRecord(s.crm, more);
    assert.equal(refunded.upsert.customerId, a);
    const usd = async (id: string) => (await history(s, id)).totals.filter((t) => t.currency === 'USD').map((t) => [t.payments, t.gross_minor, t.refunded_minor]);
    assert.deepEqual(await usd(a), [[2, 4200, 1200]]);

    await undoMerge(s.db, merge.id);
    assert.deepEqual(await usd(a), before.a.totals.filter((t) => t.currency === 'USD').map((t) => [t.payments, t.gross_minor, t.refunded_minor]), 'Ada keeps none of the walk-in\'s refund');
    assert.deepEqual(await usd(b), [[1, 3000, 1200]], 'the walk-in\'s totals count the refund recorded since');
    const walkIn = (await history(s, b)).transactions.map((t) => t.event_id);
    assert.ok(walkIn.includes(refunded.upsert.eventId), 'the refund\'s transaction goes back with its payment');
    assert.deepEqual((await history(s, a)).transactions, before.a.transactions);
  });

  it('keeps a lost dispute in the survivor\'s totals: they are rebuilt by the ledger\'s money rules, and the ledger\'s payments follow', async () => {
    // Ada's USD payment of 1,200 is disputed and lost: 1,200 went back to the cardholder.
    const [adaPayment] = (await paymentsOf(s.db, { customerId: a, limit: 10 })).payments.filter((p) => p.currency === 'USD');
    const lost = tokenize(normalizeStripeEvent(stripeEvent('charge.dispute.closed', disputeObject({
      amount: 1200, charge: `ch_${adaPayment!.paymentId.replace(/^pi_/, '')}`, paymentIntentId: adaPayment!.paymentId, status: 'lost', created: 1_700_000_400,
    }))), testKeys());
    await matchAndRecord(s.crm, lost);
    const usd = async (id: string) => (await history(s, id)).totals.filter((t) => t.currency === 'USD').map((t) => [t.payments, t.gross_minor, t.refunded_minor]);
    assert.deepEqual(await usd(a), [[1, 1200, 1200]]);
    const listed = async (id: string) => (await paymentsOf(s.db, { customerId: id, limit: 10 })).payments.map((p) => p.paymentId).sort();
    const [adaBefore, walkInBefore] = [await listed(a), await listed(b)];
    assert.deepEqual(walkInBefore, ['pi_b']);

    const merge = await mergeCustomers(s.db, { into: a, from: b, evidence: 'test' });
    assert.deepEqual(await usd(a), [[2, 4200, 1700]], 'the chargeback and the walk-in\'s partial refund, both');
    assert.deepEqual(await listed(a), [...adaBefore, 'pi_b'].sort());
    assert.deepEqual(await listed(b), []);

    await undoMerge(s.db, merge.id);
    assert.deepEqual(await usd(a), [[1, 1200, 1200]]);
    assert.deepEqual([await listed(a), await listed(b)], [adaBefore, walkInBefore]);
  });

  it('loyalty follows the merge: the survivor holds both customers\' points, spend, visits and every ledger entry; undo gives each their own back', async () => {
    const club = parseLoyaltyProgram({ id: 'club', currency: 'USD', tiers: [{ name: 'silver', minSpendMinor: 1000 }, { name: 'gold', minSpendMinor: 10_000 }] });
    const cafe = parseLoyaltyProgram({ id: 'cafe', currency: 'USD' });
    const loyaltyOn = (program: typeof club, customerId: string, paymentId: string, amountMinor: number, at: string, extra: Partial<Parameters<typeof message>[0]> = {}) =>
      loyaltyStep(message({ customerId, paymentId, amountMinor, at, ...extra }), { db: s.db, program });
    await loyaltyOn(club, a, 'pi_club_a', 1200, '2025-01-01T10:00:00Z');
    await loyaltyOn(club, b, 'pi_club_b', 3000, '2025-01-02T10:00:00Z');
    await loyaltyOn(cafe, b, 'pi_cafe_b', 700, '2025-01-03T10:00:00Z');
    const member = (program: string, id: string) => s.db.get<Record<string, unknown>>(
      `SELECT points_balance, points_held, points_earned, lifetime_spend_minor, visits, enrolled_at, tier, tier_since
         FROM loyalty_members WHERE program_id = ? AND customer_id = ?`, [program, id]);
    const ledgerOf = async (id: string) => (await s.db.all<{ entry_key: string }>('SELECT entry_key FROM loyalty_ledger WHERE customer_id = ? ORDER BY entry_key', [id])).map((r) => r.entry_key);
    const before = { clubA: await member('club', a), clubB: await member('club', b), cafeB: await member('cafe', b) };
    assert.equal(await member('cafe', a), undefined);

    const merge = await mergeCustomers(s.db, { into: a, from: b, evidence: 'test' });
    const num = (r: Record<string, unknown> | undefined, k: string) => Number(r?.[k]);
    const clubA = await member('club', a);
    assert.deepEqual(['points_balance', 'points_earned', 'lifetime_spend_minor', 'visits'].map((k) => num(clubA, k)), [42, 42, 4200, 2]);
    assert.deepEqual([clubA!.enrolled_at, clubA!.tier], ['2025-01-01T10:00:00.000Z', 'silver'], 'a member since the earlier enrolment, at its own tier');
    const cafeA = await member('cafe', a);
    assert.deepEqual([num(cafeA, 'points_balance'), num(cafeA, 'visits'), cafeA!.enrolled_at], [7, 1, '2025-01-03T10:00:00.000Z'], 'a programme only the merged customer was in');
    assert.equal(await member('club', b), undefined, 'the tombstone has no membership');
    assert.deepEqual(await ledgerOf(b), []);
    assert.deepEqual(await ledgerOf(a), ['earn:stripe:pi_cafe_b', 'earn:stripe:pi_club_a', 'earn:stripe:pi_club_b']);
    await assertLedgerBalances(s.db);

    // A refund of the merged customer's sale, matched to the survivor, takes back the survivor's points.
    const refund = await loyaltyOn(club, a, 'pi_club_b', 3000, '2025-02-01T10:00:00Z', { kind: 'refund', refundedTotalMinor: 1500 });
    assert.deepEqual(refund.loyalty.entries, [{ key: 'reverse:stripe:pi_club_b:1500', kind: 'reverse', points: -15, heldPoints: 0 }]);
    assert.equal(num(await member('club', a), 'points_balance'), 27);

    await undoMerge(s.db, merge.id);
    assert.deepEqual(await member('club', a), before.clubA);
    assert.deepEqual(await member('cafe', a), undefined, 'the membership the merge made goes with it');
    const clubB = await member('club', b);
    assert.deepEqual(['points_balance', 'points_earned', 'lifetime_spend_minor', 'visits'].map((k) => num(clubB, k)), [15, 30, 1500, 1], 'the refund went back with its payment');
    assert.deepEqual([clubB!.enrolled_at, clubB!.tier, clubB!.tier_since], [before.clubB!.enrolled_at, before.clubB!.tier, before.clubB!.tier_since]);
    assert.deepEqual(await member('cafe', b), before.cafeB);
    assert.deepEqual(await ledgerOf(b), ['earn:stripe:pi_cafe_b', 'earn:stripe:pi_club_b', 'reverse:stripe:pi_club_b:1500']);
    await assertLedgerBalances(s.db);
  });

  it('loyalty counts no visit for a void sale after a merge either', async () => {
    const club = parseLoyaltyProgram({ id: 'club-void', currency: 'USD' });
    const loyaltyOn = (customerId: string, paymentId: string, at: string, extra: Partial<Parameters<typeof message>[0]> = {}) =>
      loyaltyStep(message({ customerId, paymentId, amountMinor: 2000, at, ...extra }), { db: s.db, program: club });
    await loyaltyOn(a, 'pi_void_a', '2025-01-01T10:00:00Z');
    await loyaltyOn(b, 'pi_void_b', '2025-01-02T10:00:00Z');
    const voided = await loyaltyOn(b, 'pi_void_b', '2025-01-04T10:00:00Z', { kind: 'failure', eventId: 'evt_void_b', sale: { voided: true } });
    assert.deepEqual([voided.loyalty.member!.visits, voided.loyalty.member!.lifetimeSpendMinor, voided.loyalty.member!.pointsBalance], [0, 0, 0]);
    await mergeCustomers(s.db, { into: a, from: b, evidence: 'test' });
    const survivor = await s.db.get<{ visits: number; lifetime_spend_minor: number }>(
      "SELECT visits, lifetime_spend_minor FROM loyalty_members WHERE program_id = 'club-void' AND customer_id = ?", [a]);
    assert.deepEqual([Number(survivor!.visits), Number(survivor!.lifetime_spend_minor)], [1, 2000], 'one visit, the survivor\'s own');
  });

  it('undoes a merge recorded before merges kept the totals they moved, from the ledger\'s deltas of its transactions', async () => {
    const before = { a: await history(s, a), b: await history(s, b) };
    const merge = await mergeCustomers(s.db, { into: a, from: b, evidence: 'test' });
    const row = await s.db.get<{ moved: string }>('SELECT moved FROM identity_merges WHERE id = ?', [merge.id]);
    const older = JSON.parse(row!.moved) as Record<string, unknown>;
    assert.ok(older.totals, 'the merge keeps the totals it moved');
    delete older.totals;
    await s.db.run('UPDATE identity_merges SET moved = ? WHERE id = ?', [JSON.stringify(older), merge.id]);
    await undoMerge(s.db, merge.id);
    assert.deepEqual({ a: await history(s, a), b: await history(s, b) }, before);
  });

  it('two payments proposing the same auto-merge at once merge once; the second finds it made and does not fail', async () => {
    const proposal = { from: b, into: a, sharedKeys: ['email' as const], auto: true, explanation: 'same person' };
    const match = { customerId: a, confidence: 1, matchedOn: [], decision: 'link' as const, explanation: '', keys: [], merges: [proposal] };
    const [one, two] = await Promise.all([applyAutoMerges(s.db, match), applyAutoMerges(s.db, match)]);
    assert.equal(one.length + two.length, 1, 'one merge between them');
    assert.equal(await resolveCustomerId(s.db, b), a);
    assert.equal((await s.db.all('SELECT id FROM identity_merges')).length, 1);
  });

  it('lists a customer\'s cards oldest first, and the cards one batch recorded by their key, alike on every store', async () => {
    // Eight cards (wallets make a device card each) from two batches, each batch's cards sharing its timestamp,
    // their keys interleaved: Postgres' sort then shuffled the ties while SQLite kept them in key order.
    const card = (last4: string) => ({ bin: '411111', last4, expMonth: 3, expYear: 2030, brand: 'visa' });
    await seedCustomers(s.crm, [{ id: 'cus_cards', givenName: 'Tove', cards: ['1001', '1003', '1005', '1007'].map(card) }]);
    await delay(5);
    await seedCustomers(s.crm, [{ id: 'cus_cards', givenName: 'Tove', cards: ['1000', '1002', '1004', '1006'].map(card) }]);
    const stamps = await s.db.all<{ created_at: string }>('SELECT DISTINCT created_at FROM customer_cards WHERE customer_id = ?', ['cus_cards']);
    assert.equal(stamps.length, 2, 'each batch wrote its cards at one time of its own');
    const view = await identityOf(s.db, 'cus_cards');
    assert.deepEqual(view!.cards.map((c) => c.last4), ['1001', '1003', '1005', '1007', '1000', '1002', '1004', '1006']);
  });

  it('lists merges made in the same millisecond in one order on every store and run: by merge id', async () => {
    await seedCustomers(s.crm, [{ id: 'cus_c', givenName: 'Cy' }]);
    // What two merges into one customer within one millisecond leave on Postgres (SQLite's stamps always differ),
    // recorded in the reverse of their ids' order.
    const at = '2026-12-07T05:00:00.000Z';
    for (const [id, from] of [['mrg_2', b], ['mrg_1', 'cus_c']] as const) {
      await s.db.run('INSERT INTO identity_merges (id, into_id, from_id, evidence, moved, actor, merged_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [id, a, from, 'null', '{}', 'auto', at]);
    }
    const view = await identityOf(s.db, a);
    assert.deepEqual(view!.merges.map((m) => [m.id, m.from, m.mergedAt]), [['mrg_1', 'cus_c', at], ['mrg_2', b, at]]);
  });

  it('refuses to undo twice, to undo under a later merge, and to merge a customer into itself or into nobody', async () => {
    await seedCustomers(s.crm, [{ id: 'cus_c', givenName: 'Cy' }]);
    const first = await mergeCustomers(s.db, { into: a, from: b, evidence: null });
    const second = await mergeCustomers(s.db, { into: 'cus_c', from: a, evidence: null });
    await assert.rejects(undoMerge(s.db, first.id), (e: unknown) => e instanceof InputError && /merged into cus_c.*Fix: undo that later merge/.test(e.message));
    await undoMerge(s.db, second.id);
    await undoMerge(s.db, first.id);
    await assert.rejects(undoMerge(s.db, first.id), /already undone/);
    await assert.rejects(mergeCustomers(s.db, { into: a, from: a, evidence: null }), /cannot be merged into itself/);
    await assert.rejects(mergeCustomers(s.db, { into: a, from: 'cus_nobody', evidence: null }), /there is no customer "cus_nobody"/);
  });
});
