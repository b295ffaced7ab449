import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PaymentEvent } from '../../../nodes/core/contracts/payment-event';
import { processPayments } from '../../../nodes/core/pipeline/process-payment';
import { normalizeAdyenItem } from '../../../nodes/core/sources/adyen-normalize';
import { SquareCredentialsSchema } from '../../../nodes/core/sources/square-credentials';
import { normalizeSquareEvent } from '../../../nodes/core/sources/square-normalize';
import { testKeys, tempStore } from '../../support/temp-store';
import adyenGiftCard from '../sources/fixtures/adyen/authorisation-giftcard.json';
import adyenSwipe from '../sources/fixtures/adyen/authorisation-swipe.json';
import { squareFixture, type SquareFixture } from '../sources/square-fixtures';

type Store = Awaited<ReturnType<typeof tempStore>>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** A Square payment webhook from a fixture, as another payment (its own ids) with the buyer and card fingerprint given. */
async function squarePayment(name: SquareFixture, paymentId: string, buyer: { email?: string; fingerprint?: string } = {}): Promise<PaymentEvent> {
  const squareEvent = squareFixture(name);
  squareEvent.event_id = `evt-${paymentId}`;
  squareEvent.data.id = paymentId;
  const payment = squareEvent.data.object.payment;
  payment.id = paymentId;
  if (buyer.email) payment.buyer_email_address = buyer.email;
  if (buyer.fingerprint) payment.card_details.card.fingerprint = buyer.fingerprint;
  const [event] = await normalizeSquareEvent({ squareEvent, livemode: false }, SquareCredentialsSchema.parse({ signatureKey: 'k' }), { now: () => new Date() });
  return event!;
}

/** An Adyen AUTHORISATION from a fixture, as another payment (its own pspReference) with the shopper's email given. */
function adyenPayment(fixture: Json, pspReference: string, shopperEmail?: string): PaymentEvent {
  const item = structuredClone(fixture.notificationItems[0].NotificationRequestItem);
  item.pspReference = pspReference;
  if (shopperEmail) item.additionalData.shopperEmail = shopperEmail;
  return normalizeAdyenItem({ live: false, NotificationRequestItem: item });
}

describe('a gift card is no identity key: everyone who pays with one is matched on what else they carry', () => {
  let s: Store;
  const ctx = () => ({ keys: testKeys(), crm: s.crm });
  before(async () => { s = await tempStore(); });
  after(async () => { await s.remove(); });

  const cardsOf = async (customerId: string) =>
    (await s.db.all<{ brand: string; last4: string }>('SELECT brand, last4 FROM customer_cards WHERE customer_id = ? ORDER BY created_at', [customerId])).map((c) => ({ ...c }));
  const keyKindsOf = async (customerId: string) =>
    (await s.db.all<{ kind: string }>("SELECT kind FROM customer_keys WHERE customer_id = ? AND kind <> 'paymentId' ORDER BY kind", [customerId])).map((k) => k.kind);

  it('two people paying with one Square gift card are two customers, each with their own sale', async () => {
    // Maya bought the card and spends some of it; she gives it to Leo, who pays with it, then to a walk-in who gives nothing.
    const [maya, leo, walkIn] = await processPayments([
      await squarePayment('payment-updated-gift-card', 'GcMayaPaysWithTheGiftCard00ZY', { email: 'maya@example.com' }),
      await squarePayment('payment-updated-gift-card', 'GcLeoPaysWithTheSameCard000ZY', { email: 'leo@example.com' }),
      await squarePayment('payment-updated-gift-card', 'GcWalkInPaysWithTheCard0000ZY'),
    ], ctx());
    const ids = [maya!, leo!, walkIn!].map((p) => p.upsert.customerId!);
    assert.equal(new Set(ids).size, 3, `three payers, three customers: ${[leo!, walkIn!].map((p) => p.match.explanation).join(' | ')}`);
    for (const p of [maya!, leo!, walkIn!]) {
      assert.equal(p.event.card?.brand, 'square_gift_card');
      assert.match(p.event.card?.identity?.value ?? '', /^ctok_k1_/, 'the card is still tokenized: the payment keeps what paid');
      assert.equal(p.match.decision, 'create', p.match.explanation);
      assert.ok(!p.match.matchedOn.includes('cardToken'), p.match.explanation);
      assert.ok(!p.match.keys.some((k) => k.kind === 'cardToken'));
      assert.equal(p.upsert.outcome, 'recorded');
    }
    // Each sale counts for whoever paid, as any card sale does.
    for (const p of [maya!, leo!, walkIn!]) assert.deepEqual(p.upsert.totals, [{ currency: 'USD', payments: 1, grossMinor: 2500, refundedMinor: 0, netMinor: 2500 }]);
    // The gift card is none of their cards and none of their keys; the payment still says what paid.
    for (const id of ids) assert.deepEqual(await cardsOf(id), []);
    assert.deepEqual(await keyKindsOf(ids[0]!), ['email']);
    assert.deepEqual(await keyKindsOf(ids[1]!), ['email']);
    assert.deepEqual(await keyKindsOf(ids[2]!), []);
    const tx = await s.db.get<{ card_brand: string; card_last4: string; card_token: string }>(
      "SELECT card_brand, card_last4, card_token FROM transactions WHERE payment_id = 'GcLeoPaysWithTheSameCard000ZY'",
    );
    assert.equal(tx!.card_brand, 'square_gift_card');
    assert.equal(tx!.card_last4, '0895');
    assert.match(tx!.card_token, /^ctok_k1_/);
    const merges = await s.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM identity_merges');
    assert.equal(Number(merges!.n), 0);
  });

  it("a gift card payment goes to the customer its email names, and does not join that customer's cards", async () => {
    const [visa] = await processPayments([await squarePayment('payment-updated-swiped', 'GcNoaPaysWithHerDiscover00ZY', { email: 'noa@example.com' })], ctx());
    const [gift] = await processPayments([await squarePayment('payment-updated-gift-card', 'GcNoaPaysWithAGiftCard0000ZY', { email: 'noa@example.com' })], ctx());
    assert.equal(gift!.match.customerId, visa!.upsert.customerId);
    assert.deepEqual(gift!.match.matchedOn, ['email']);
    assert.deepEqual(await cardsOf(visa!.upsert.customerId!), [{ brand: 'discover', last4: '1117' }]);
    assert.deepEqual(gift!.upsert.totals, [{ currency: 'CAD', payments: 1, grossMinor: 3410, refundedMinor: 0, netMinor: 3410 }, { currency: 'USD', payments: 1, grossMinor: 2500, refundedMinor: 0, netMinor: 2500 }]);
  });

  it('an ordinary Square card still finds its holder by its token', async () => {
    const sams = { fingerprint: 'sq-1-GcSaMsOwNdIsCoVeRcArDfInGeRpRiNt7xY5wV8uT1sR4qP7oN0mL3kJ6iH2' };
    const [first, again] = await processPayments([
      await squarePayment('payment-updated-swiped', 'GcSamSwipesHisDiscover00000ZY', sams),
      await squarePayment('payment-updated-swiped', 'GcSamSwipesItAgainLater0000ZY', sams),
    ], ctx());
    assert.equal(first!.match.decision, 'create');
    assert.equal(again!.match.customerId, first!.upsert.customerId);
    assert.deepEqual(again!.match.matchedOn, ['cardToken']);
    assert.deepEqual(await cardsOf(first!.upsert.customerId!), [{ brand: 'discover', last4: '1117' }]);
    assert.deepEqual(await keyKindsOf(first!.upsert.customerId!), ['cardToken']);
  });

  it('two people paying with one Givex card at an Adyen terminal are two customers; a scheme card links as before', async () => {
    const [ana, ben] = await processPayments([
      adyenPayment(adyenGiftCard, 'G8K2QWZ7MTPXRA01', 'ana@example.com'),
      adyenPayment(adyenGiftCard, 'G8K2QWZ7MTPXRB02', 'ben@example.com'),
    ], ctx());
    assert.equal(ana!.event.card?.brand, 'givex');
    assert.equal(ana!.event.card?.identity?.value, ben!.event.card?.identity?.value, 'one card: Adyen gives it one alias');
    assert.equal(ben!.match.decision, 'create', ben!.match.explanation);
    assert.notEqual(ben!.upsert.customerId, ana!.upsert.customerId);
    assert.deepEqual(await cardsOf(ben!.upsert.customerId!), []);
    assert.deepEqual(await keyKindsOf(ben!.upsert.customerId!), ['email']);

    const [lee, leeAgain] = await processPayments([adyenPayment(adyenSwipe, 'D4R7PZB5HTKQWA01'), adyenPayment(adyenSwipe, 'D4R7PZB5HTKQWA02')], ctx());
    assert.equal(leeAgain!.match.customerId, lee!.upsert.customerId);
    assert.deepEqual(leeAgain!.match.matchedOn, ['cardToken']);
  });

  it("a gift card stored among a customer's cards before gift cards were told apart is not read as theirs", async () => {
    // What CRM Upsert wrote for a gift card payment until now: the card with its token, beside the customer's Visa.
    const giftCard = { last4: '0895', expMonth: 12, expYear: 2050, brand: 'square_gift_card', token: 'ctok_k1_storedGiftCardToken', processor: 'square' };
    const visa = { bin: '424242', last4: '4242', expMonth: 8, expYear: 2029, brand: 'visa', token: 'ctok_k1_storedVisaToken', processor: 'square' };
    await s.crm.upsertCustomers([{ id: 'cus_gave_a_gift_card', profile: { name: 'Ida Moss' }, keys: [], cards: [giftCard, visa] }]);
    const read = [];
    for (let cursor: string | null = null; ;) {
      const page = await s.crm.customerChanges(cursor, 100);
      read.push(...page.records);
      cursor = page.next;
      if (!page.more) break;
    }
    const ida = read.find((r) => r.id === 'cus_gave_a_gift_card');
    assert.deepEqual(ida?.cards?.map((c) => c.last4), ['4242']);
  });
});
