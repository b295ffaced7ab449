import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hmacValidator } from '@adyen/api-library';
import { parsePaymentEvent } from '../../../nodes/core/contracts/parse-payment-event';
import { receiveWebhook, type WebhookOutcome } from '../../../nodes/core/pipeline/receive-webhook';
import { adyenSource } from '../../../nodes/core/sources/adyen';
import { squareSource } from '../../../nodes/core/sources/square';
import { stripeTerminalSource } from '../../../nodes/core/sources/stripe-terminal';
import { chargeObject, paymentIntentObject, signedDelivery, stripeEvent } from '../../../sandbox/simulator/stripe-terminal-events';
import { adyenRequest } from '../sources/adyen-test-support';
import { deliveryOf, KEY as SQUARE_KEY, squareFixture } from '../sources/square-fixtures';
import refundPartial from '../sources/fixtures/adyen/refund-partial.json';
import chip from '../sources/fixtures/adyen/authorisation-chip.json';

/**
 * Genuine deliveries, signed as the processor signs them, with one value changed into one no processor sends.
 * Whatever it is, the trigger answers: 2xx with events the contract accepts, or 4xx with the reason. It never
 * throws, which a face would answer with a 500 that names nothing and that the processor retries for days.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
const WRONG: readonly unknown[] = [undefined, null, -1, 1.5, 'abc', 1e20, {}, []];
const STRIPE_SECRET = 'whsec_malformed_test';
const ADYEN_HMAC_HEX = 'DFB1EB5485895CFA84146406857104ABB4CBCABDC8AAF103A624C8F6A3EAAB00';

/** Every path to a value in `o` (objects and arrays walked), the root last. */
function paths(o: unknown, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (o && typeof o === 'object') for (const k of Object.keys(o)) paths((o as Json)[k], [...at, Array.isArray(o) ? Number(k) : k], out);
  if (at.length > 0) out.push(at);
  return out;
}

/** A copy of `o` with the value at `path` replaced (undefined: taken out). */
function changed(o: Json, path: (string | number)[], value: unknown): Json {
  const copy = structuredClone(o);
  let parent = copy;
  for (const k of path.slice(0, -1)) parent = parent[k];
  const last = path.at(-1)!;
  if (value !== undefined) parent[last] = value;
  else if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else delete parent[last];
  return copy;
}

/** Answered, never thrown: 2xx with events the contract accepts, or 4xx with its reason. */
async function assertAnswered(label: string, receive: () => Promise<WebhookOutcome>): Promise<WebhookOutcome> {
  let out: WebhookOutcome;
  try {
    out = await receive();
  } catch (e) {
    assert.fail(`${label}: thrown instead of answered: ${String(e)}`);
  }
  assert.ok(out.status < 500, `${label}: ${out.status} ${out.answer.body}`);
  if (out.status >= 400) assert.ok(out.rejected && out.rejected.length > 0, `${label}: refused without a reason`);
  for (const e of out.events) parsePaymentEvent(e, label);
  return out;
}

/** Each value of `base` replaced by each wrong one; how many deliveries passed an event on, and how many were refused. */
async function sweep(base: Json, receive: (body: Json) => Promise<WebhookOutcome>): Promise<{ passed: number; refused: number }> {
  const seen = { passed: 0, refused: 0 };
  for (const path of paths(base)) {
    for (const value of WRONG) {
      const out = await assertAnswered(`${path.join('.')} = ${JSON.stringify(value)}`, () => receive(changed(base, path, value)));
      if (out.events.length > 0) seen.passed++;
      if (out.status >= 400) seen.refused++;
    }
  }
  // A sweep whose deliveries were all refused (a signature gone wrong) or all passed would show nothing.
  assert.ok(seen.passed > 0 && seen.refused > 0, JSON.stringify(seen));
  return seen;
}

const stripeReceive = (event: Json) => {
  const d = signedDelivery(event, STRIPE_SECRET, 1_760_000_000);
  return receiveWebhook(
    stripeTerminalSource,
    { rawBody: Buffer.from(d.body), headers: d.headers, method: 'POST', url: 'https://shop.example/webhooks/stripe', receivedAt: new Date(1_760_000_001_000) },
    { credentials: { signingSecret: [STRIPE_SECRET] } },
  );
};

const SPEC = { amount: 2450, paymentIntentId: 'pi_malformed', chargeId: 'ch_malformed', email: 'ada@example.com', phone: '+14155550100', card: { fingerprint: 'fp_m', readMethod: 'contact_emv' as const, last4: '4242' } };

describe('malformed deliveries: a value no processor sends is answered, never thrown', () => {
  it('Stripe: every value of a charge, a refund and a PaymentIntent, each replaced by a wrong one', async () => {
    let passed = 0;
    for (const event of [
      stripeEvent('charge.succeeded', chargeObject(SPEC), { id: 'evt_m1' }),
      stripeEvent('charge.refunded', chargeObject({ ...SPEC, amountRefunded: 1000 }), { id: 'evt_m2' }),
      stripeEvent('payment_intent.succeeded', paymentIntentObject(SPEC), { id: 'evt_m3' }),
    ]) passed += (await sweep(JSON.parse(JSON.stringify(event)), stripeReceive)).passed;
    // Most values are descriptive (a receipt field, a URL): the payment is still recorded without them.
    assert.ok(passed > 1000, `only ${passed} deliveries passed an event on`);
  });

  it('Stripe: a negative amount, a BIN of letters and a created beyond any date are 400s naming the field', async () => {
    const charge = JSON.parse(JSON.stringify(stripeEvent('charge.succeeded', chargeObject(SPEC), { id: 'evt_m4' })));
    const cases: [Json, RegExp][] = [
      [changed(charge, ['data', 'object', 'amount'], -1), /^amount\.minor: .*amount\.minor: Too small/],
      [changed(charge, ['data', 'object', 'payment_method_details', 'card_present', 'iin'], 'abc'), /^card\.bin: /],
      [changed(charge, ['created'], 1e20), /^created: the event's created \(100000000000000000000\) is not a time/],
      [changed(charge, ['created'], undefined), /^created: the event's created \(missing\)/],
    ];
    for (const [event, reason] of cases) {
      const out = await stripeReceive(event);
      assert.equal(out.status, 400, out.answer.body);
      assert.match(out.rejected!, reason);
      assert.match(out.rejected!, /Fix: /);
      assert.equal(out.events.length, 0);
    }
  });

  it('Square: every value of a payment and a dispute (the vendor\'s fixtures), each replaced by a wrong one', async () => {
    for (const name of ['payment-updated-contactless', 'dispute-state-updated-lost'] as const) {
      const event = squareFixture(name);
      const receivedAt = new Date(Date.parse(event.created_at) + 1_500);
      await sweep(event, (body) => receiveWebhook(squareSource, deliveryOf(body, { receivedAt }), { credentials: { signatureKey: SQUARE_KEY } }));
    }
    const lost = squareFixture('dispute-state-updated-lost');
    const out = await receiveWebhook(squareSource, deliveryOf(changed(lost, ['data', 'object', 'dispute', 'amount_money', 'amount'], -1)), { credentials: { signatureKey: SQUARE_KEY } });
    assert.equal(out.status, 400, out.answer.body);
    assert.match(out.rejected!, /^amount\.minor: /);
  });

  it('Adyen: every value of a sale and a refund item (the fixtures), each replaced and signed again with the library', async () => {
    for (const fixture of [chip, refundPartial]) {
      const item = structuredClone(fixture.notificationItems[0]!.NotificationRequestItem) as Json;
      delete item.additionalData.hmacSignature;
      await sweep(item, (changedItem) => {
        const signed = structuredClone(changedItem ?? {});
        if (signed && typeof signed === 'object' && !Array.isArray(signed)) {
          const additional = signed.additionalData && typeof signed.additionalData === 'object' && !Array.isArray(signed.additionalData) ? signed.additionalData : {};
          // The library signs what it is given: a value it cannot sign is sent unsigned, and refused as forged.
          try {
            signed.additionalData = { ...additional, hmacSignature: new hmacValidator().calculateHmac(signed, ADYEN_HMAC_HEX) };
          } catch {
            signed.additionalData = additional;
          }
        }
        return receiveWebhook(adyenSource, adyenRequest({ live: 'false', notificationItems: [{ NotificationRequestItem: signed }] }), { credentials: { hmacKey: ADYEN_HMAC_HEX } });
      });
    }
  });
});
