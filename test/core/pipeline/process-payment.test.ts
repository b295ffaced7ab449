import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { processPayments } from '../../../nodes/core/pipeline/process-payment';
import { normalizeStripeEvent } from '../../../nodes/core/sources/stripe-terminal';
import { keyProviderFromSpec } from '../../../nodes/core/tokenize/key-provider';
import { chargeObject, paymentIntentObject, stripeEvent } from '../../../sandbox/simulator/stripe-terminal-events';
import { tempStore, TEST_TOKEN_KEYS } from '../../support/temp-store';

type Store = Awaited<ReturnType<typeof tempStore>>;
const norm = (type: string, object: object, id?: string) => normalizeStripeEvent(stripeEvent(type, object, { id }));

describe('tokenize → match → upsert into the local SQL store', () => {
  let s: Store;
  const ctx = () => ({ keys: keyProviderFromSpec(TEST_TOKEN_KEYS), crm: s.crm });
  before(async () => { s = await tempStore(); });
  after(async () => { await s.remove(); });

  it('creates the customer and the transaction, with no card data in the store', async () => {
    const charge = chargeObject({ amount: 2500, email: 'ana@example.com', name: 'Ana Diaz', card: { fingerprint: 'fp_ana' }, paymentIntentId: 'pi_1' });
    const [r] = await processPayments([norm('charge.succeeded', charge, 'evt_1')], ctx());
    assert.equal(r!.upsert.outcome, 'recorded');
    const customer = await s.db.get<{ id: string; email: string; name: string }>('SELECT id, email, name FROM customers');
    assert.deepEqual({ ...customer }, { id: r!.upsert.customerId, email: 'ana@example.com', name: 'Ana Diaz' });
    const tx = await s.db.all<{ event_id: string; amount_minor: number; card_token: string }>('SELECT event_id, amount_minor, card_token FROM transactions');
    assert.equal(tx.length, 1);
    assert.equal(tx[0]!.amount_minor, 2500);
    assert.match(tx[0]!.card_token, /^ctok_k1_/);
    const dump = JSON.stringify(await s.db.all('SELECT * FROM customer_keys')) + JSON.stringify(await s.db.all('SELECT * FROM transactions'));
    assert.ok(!dump.includes('fp_ana'), 'the processor fingerprint must not be stored');
  });

  it('applies the same event twice only once', async () => {
    const e = norm('charge.succeeded', chargeObject({ amount: 700, email: 'bo@example.com', paymentIntentId: 'pi_2' }), 'evt_2');
    const [first] = await processPayments([e], ctx());
    const [second] = await processPayments([e], ctx());
    assert.equal(second!.upsert.outcome, 'duplicate');
    assert.equal(second!.upsert.customerId, first!.upsert.customerId);
    const n = await s.db.get<{ n: number }>("SELECT COUNT(*) AS n FROM transactions WHERE event_id = 'stripe:evt_2'");
    assert.equal(Number(n!.n), 1);
    assert.deepEqual(second!.upsert.totals.map((t) => t.grossMinor), [700]);
  });

  it('counts a PaymentIntent and its charge as one payment of one customer', async () => {
    const pi = paymentIntentObject({ amount: 1800, paymentIntentId: 'pi_3', email: 'cy@example.com' });
    const charge = chargeObject({ amount: 1800, paymentIntentId: 'pi_3', card: { fingerprint: 'fp_cy' } });
    const [a, b] = await processPayments([norm('payment_intent.succeeded', pi, 'evt_3a'), norm('charge.succeeded', charge, 'evt_3b')], ctx());
    assert.equal(b!.match.customerId, a!.upsert.customerId);
    assert.deepEqual(b!.match.matchedOn, ['paymentId']);
    assert.equal(b!.upsert.outcome, 'enriched');
    assert.deepEqual(b!.upsert.totals, [{ currency: 'USD', payments: 1, grossMinor: 1800, refundedMinor: 0, netMinor: 1800 }]);
    const row = await s.db.get<{ card_last4: string }>("SELECT card_last4 FROM transactions WHERE payment_id = 'pi_3'");
    assert.equal(row!.card_last4, '4242');
  });

  it('lowers net spend by what each refund adds, whatever order and repetition the refunds come in', async () => {
    const base = { amount: 5000, paymentIntentId: 'pi_4', email: 'di@example.com', chargeId: 'ch_4' };
    await processPayments([norm('charge.succeeded', chargeObject(base), 'evt_4')], ctx());
    const r1 = norm('charge.refunded', chargeObject({ ...base, amountRefunded: 1000 }), 'evt_4r1');
    const r2 = norm('charge.refunded', chargeObject({ ...base, amountRefunded: 3000 }), 'evt_4r2');
    const out = await processPayments([r2, r1, r2], ctx());
    assert.deepEqual(out.map((o) => o.upsert.outcome), ['recorded', 'recorded', 'duplicate']);
    assert.deepEqual(out[2]!.upsert.totals, [{ currency: 'USD', payments: 1, grossMinor: 5000, refundedMinor: 3000, netMinor: 2000 }]);
  });

  it('finds a returning customer by email, phone or card and never by a decline alone', async () => {
    const first = chargeObject({ amount: 100, email: ' Eve@Example.COM ', phone: '(415) 555-0199', card: { fingerprint: 'fp_eve' } });
    const [a] = await processPayments([norm('charge.succeeded', first)], ctx());
    const byEmail = chargeObject({ amount: 100, email: 'eve@example.com', card: { fingerprint: 'other' } });
    const byPhone = chargeObject({ amount: 100, phone: '+14155550199', card: { fingerprint: 'other2' } });
    const byCard = chargeObject({ amount: 100, card: { fingerprint: 'fp_eve', readMethod: 'contactless_emv' } });
    const out = await processPayments([norm('charge.succeeded', byEmail), norm('charge.succeeded', byPhone), norm('charge.succeeded', byCard)], ctx());
    assert.deepEqual(out.map((o) => o.match.customerId), Array(3).fill(a!.upsert.customerId));
    assert.deepEqual(out.map((o) => o.match.matchedOn[0]), ['email', 'phone', 'cardToken']);
    const declined = paymentIntentObject({ amount: 100, card: { fingerprint: 'fp_unknown' }, failed: { code: 'card_declined', message: 'Declined' } });
    const [d] = await processPayments([norm('payment_intent.payment_failed', declined)], ctx());
    assert.equal(d!.upsert.customerId, null);
    assert.equal(d!.upsert.outcome, 'recorded');
  });

  it('still recognises a card after the token key is rotated', async () => {
    const [a] = await processPayments([norm('charge.succeeded', chargeObject({ amount: 100, card: { fingerprint: 'fp_rot' } }))], ctx());
    const rotated = { keys: keyProviderFromSpec(`k2:${'cd'.repeat(32)},${TEST_TOKEN_KEYS}`), crm: s.crm };
    const [b] = await processPayments([norm('charge.succeeded', chargeObject({ amount: 100, card: { fingerprint: 'fp_rot' } }))], rotated);
    assert.equal(b!.match.customerId, a!.upsert.customerId);
    const keys = await s.db.all<{ value: string }>("SELECT value FROM customer_keys WHERE kind = 'cardToken' AND customer_id = ?", [a!.upsert.customerId]);
    assert.deepEqual(keys.map((k) => k.value.slice(0, 8)).sort(), ['ctok_k1_', 'ctok_k2_']);
  });
});
