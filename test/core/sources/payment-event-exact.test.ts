import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { benchSourceNames, receiveBench, sourceBench } from '../../../bench/sources/source-deliveries';
import { PaymentEventSchema, type PaymentEvent } from '../../../nodes/core/contracts/payment-event';
import { parsePaymentEvent } from '../../../nodes/core/contracts/parse-payment-event';
import { exactPaymentEvent } from '../../../nodes/core/contracts/payment-event-exact';
import { InputError, issueText } from '../../../nodes/core/errors';
import { scrubbedPaymentEvent } from '../../../nodes/core/sources/scrubbed-event';
import { scrubKeepingIds } from '../../../nodes/core/tokenize/scrub-keeping-ids';
import { keyProviderFromSpec } from '../../../nodes/core/tokenize/key-provider';
import { PAN_REDACTION, PAN_SCRUB, scrubStrings } from '../../../nodes/core/pan-scrub';
import { tokenize, tokenizeExact } from '../../../nodes/core/tokenize/tokenize';

/**
 * The exact PaymentEvent check (contracts/payment-event-exact.ts) and the one-copy scrub (sources/scrubbed-event.ts)
 * stand in for zod and scrubStrings on every webhook. They must give the same answers: the same value with the
 * same keys in the same order (JSON.stringify compares order), or, for anything else, zod's own error.
 */

type Draft = Record<string, unknown>;

/** What a fast path must equal: zod's answer, or its error message. */
function zodAnswer(parse: () => PaymentEvent): { json?: string; error?: string } {
  try {
    return { json: JSON.stringify(parse()) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}

/**
 * scrubbedPaymentEvent answers as scrubKeepingIds then zod: the same event, or, where zod refuses (the delivery's
 * fault), an InputError naming zod's first field and carrying its issues.
 */
function assertScrubbedLikeZod(input: Parameters<typeof scrubKeepingIds>[0], references: readonly string[]): void {
  const r = PaymentEventSchema.safeParse(scrubKeepingIds(input, scrubStrings, references));
  if (r.success) {
    assert.deepStrictEqual(scrubbedPaymentEvent(input, references), r.data);
    return;
  }
  const refused = thrown(() => scrubbedPaymentEvent(input, references));
  assert.ok(refused instanceof InputError, `an InputError, not ${String(refused)}`);
  const first = r.error.issues[0]!;
  if (first.path.length > 0) assert.equal(refused.field, first.path.join('.'));
  for (const issue of r.error.issues.slice(0, 5)) assert.ok(refused.message.includes(`${issue.path.join('.') || '(root)'}: ${issueText(issue)}`), refused.message);
}

const luhnPan = '4242 4242 4242 4242';

/** An event with every optional part present, written as a source's draft would be (undefined where absent). */
const full = (): Draft => ({
  schemaVersion: 1,
  id: 'adyen:8535296650153317:REFUND',
  source: 'adyen',
  type: 'REFUND',
  kind: 'refund',
  paymentId: '8535296650153317',
  amount: { minor: 1250, currency: 'eur' },
  refundedTotal: { minor: 1250, currency: 'EUR', extra: 'dropped' },
  refund: { id: 'rf_1', cumulative: false },
  status: 'partially_refunded',
  occurredAt: '2026-03-14T10:00:00+01:00',
  livemode: false,
  card: {
    brand: 'visa',
    last4: '4242',
    bin: '424242',
    expMonth: 3,
    expYear: 2030,
    funding: 'credit',
    entryMode: 'contactless',
    wallet: 'apple_pay',
    identity: { kind: 'token', value: 'ctok_abc', keyId: 'k1', previous: ['ctok_old'] },
  },
  terminal: { readerId: 'V400m-324688179', locationId: undefined },
  customerHints: { email: 'a@example.com', name: undefined, phone: `call ${luhnPan}` },
  failure: { code: 'card_declined', message: 'Declined' },
  dispute: { id: '4111111111111111', reason: 'fraud', processorStatus: 'open' },
  metadata: { pspReference: '8535296650153317', note: `typed ${luhnPan}`, pan: '4242424242424242', [`k ${luhnPan}`]: 'v', cvv: '123', gone: undefined },
  unknown: { pan: luhnPan },
});

/** One change per entry: values zod refuses, values it reads its own way, and ones it takes as they are. */
const MUTATIONS: [string, (d: Draft) => void][] = [
  ['as is', () => {}],
  ['no optional parts', (d) => { for (const k of ['refundedTotal', 'refund', 'card', 'terminal', 'failure', 'dispute']) delete d[k]; }],
  ['optional parts given as undefined', (d) => { for (const k of ['refundedTotal', 'refund', 'card', 'terminal', 'failure', 'dispute']) d[k] = undefined; }],
  ['legacy id without the source prefix', (d) => { d.id = '8535296650153317:REFUND'; }],
  ['id empty', (d) => { d.id = ''; }],
  ['id missing', (d) => { delete d.id; }],
  ['id a number', (d) => { d.id = 7; }],
  ['id holding a card number', (d) => { d.id = `adyen:${luhnPan.replaceAll(' ', '')}`; }],
  ['paymentId holding a card number', (d) => { d.paymentId = luhnPan; }],
  ['schemaVersion 2', (d) => { d.schemaVersion = 2; }],
  ['source with capitals', (d) => { d.source = 'Adyen'; d.id = 'Adyen:1'; }],
  ['source with a card number', (d) => { d.source = 'a4242424242424242'; d.id = 'a4242424242424242:1'; }],
  ['type empty', (d) => { d.type = ''; }],
  ['kind unknown', (d) => { d.kind = 'chargeback'; }],
  ['status unknown', (d) => { d.status = 'settled'; }],
  ['amount negative', (d) => { d.amount = { minor: -1, currency: 'EUR' }; }],
  ['amount fractional', (d) => { d.amount = { minor: 12.5, currency: 'EUR' }; }],
  ['amount unsafe', (d) => { d.amount = { minor: 2 ** 53, currency: 'EUR' }; }],
  ['amount NaN', (d) => { d.amount = { minor: Number.NaN, currency: 'EUR' }; }],
  ['currency of four letters', (d) => { d.amount = { minor: 1, currency: 'EURO' }; }],
  ['currency missing', (d) => { d.amount = { minor: 1 }; }],
  ['amount an array', (d) => { d.amount = [1, 'EUR']; }],
  ['refund without cumulative', (d) => { d.refund = { id: 'rf_1' }; }],
  ['refund id empty', (d) => { d.refund = { id: '', cumulative: true }; }],
  ['a reversed refund, by its id', (d) => { d.refund = { id: 'rf_1', cumulative: false, reversed: true }; }],
  ['a reversal naming no refund', (d) => { d.refund = { cumulative: false, reversed: true }; }],
  ['a reversal of a cumulative total', (d) => { d.refund = { id: 'rf_1', cumulative: true, reversed: true }; }],
  ['reversed given as false', (d) => { d.refund = { id: 'rf_1', cumulative: false, reversed: false }; }],
  ['a refund not to the card', (d) => { d.refund = { id: 'rf_1', cumulative: false, toCard: false }; }],
  ['toCard given as true', (d) => { d.refund = { id: 'rf_1', cumulative: false, toCard: true }; }],
  ['a failure voiding its sale', (d) => { d.kind = 'failure'; d.sale = { voided: true }; }],
  ['money moved for a sale', (d) => { d.kind = 'payment'; d.sale = { voided: false, extra: 'dropped' }; }],
  ['a failure voiding one capture, by its id', (d) => { d.kind = 'failure'; d.sale = { voided: true, captureId: 'cap_1' }; }],
  ['money moved for one capture', (d) => { d.kind = 'payment'; d.sale = { voided: false, captureId: 'cap_1' }; }],
  ['captureId empty', (d) => { d.kind = 'failure'; d.sale = { voided: true, captureId: '' }; }],
  ['captureId a number', (d) => { d.kind = 'failure'; d.sale = { voided: true, captureId: 7 }; }],
  ['captureId holding a card number', (d) => { d.kind = 'failure'; d.sale = { voided: true, captureId: luhnPan }; }],
  ['a void on a refund', (d) => { d.sale = { voided: true }; }],
  ['money moved on a failure', (d) => { d.kind = 'failure'; d.sale = { voided: false }; }],
  ['sale voided given as text', (d) => { d.kind = 'failure'; d.sale = { voided: 'true' }; }],
  ['sale without voided', (d) => { d.kind = 'failure'; d.sale = {}; }],
  ['an authorisation adjusted', (d) => { d.kind = 'payment'; d.sale = { voided: false, adjusted: true }; }],
  ['an adjustment that voids', (d) => { d.kind = 'failure'; d.sale = { voided: true, adjusted: true }; }],
  ['an adjustment of one capture', (d) => { d.kind = 'payment'; d.sale = { voided: false, captureId: 'cap_1', adjusted: true }; }],
  ['adjusted false', (d) => { d.kind = 'payment'; d.sale = { voided: false, adjusted: false }; }],
  ['a sale stored offline', (d) => { d.kind = 'payment'; d.storedOffline = true; }],
  ['storedOffline on a refund', (d) => { d.storedOffline = true; }],
  ['storedOffline on a capture', (d) => { d.kind = 'payment'; d.sale = { voided: false, captureId: 'cap_1' }; d.storedOffline = true; }],
  ['storedOffline false', (d) => { d.kind = 'payment'; d.storedOffline = false; }],
  ['occurredAt without offset', (d) => { d.occurredAt = '2026-03-14T10:00:00'; }],
  ['occurredAt on 30 February', (d) => { d.occurredAt = '2026-02-30T10:00:00Z'; }],
  ['occurredAt a Date', (d) => { d.occurredAt = new Date('2026-03-14T10:00:00Z'); }],
  ['livemode a string', (d) => { d.livemode = 'false'; }],
  ['card entry mode unknown', (d) => { (d.card as Draft).entryMode = 'nfc'; }],
  ['card entry mode missing', (d) => { delete (d.card as Draft).entryMode; }],
  ['card last4 of five digits', (d) => { (d.card as Draft).last4 = '42424'; }],
  ['card bin of five digits', (d) => { (d.card as Draft).bin = '42424'; }],
  ['card expMonth 13', (d) => { (d.card as Draft).expMonth = 13; }],
  ['card expYear 1999', (d) => { (d.card as Draft).expYear = 1999; }],
  ['card funding unknown value', (d) => { (d.card as Draft).funding = 'charge'; }],
  ['card a secret field', (d) => { (d.card as Draft).pan = luhnPan; }],
  ['identity a fingerprint', (d) => { (d.card as Draft).identity = { kind: 'fingerprint', value: 'fp_1' }; }],
  ['identity a fingerprint holding a card number', (d) => { (d.card as Draft).identity = { kind: 'fingerprint', value: luhnPan }; }],
  ['identity of another kind', (d) => { (d.card as Draft).identity = { kind: 'hash', value: 'x' }; }],
  ['token not ctok_', (d) => { (d.card as Draft).identity = { kind: 'token', value: 'tok_1', keyId: 'k1' }; }],
  ['token previous not a list', (d) => { (d.card as Draft).identity = { kind: 'token', value: 'ctok_1', keyId: 'k1', previous: 'ctok_0' }; }],
  ['token previous with undefined', (d) => { (d.card as Draft).identity = { kind: 'token', value: 'ctok_1', keyId: 'k1', previous: [undefined] }; }],
  ['terminal reader a number', (d) => { d.terminal = { readerId: 5 }; }],
  ['customerHints missing', (d) => { delete d.customerHints; }],
  ['customerHints email a number', (d) => { d.customerHints = { email: 5 }; }],
  ['dispute without id', (d) => { d.dispute = { reason: 'fraud' }; }],
  ['failure null', (d) => { d.failure = null; }],
  ['metadata a number value', (d) => { d.metadata = { amount: 5 }; }],
  ['metadata as an event holds it (no undefined value)', (d) => { delete (d.metadata as Draft).gone; }],
  ['metadata with an undefined value only', (d) => { d.metadata = { gone: undefined }; }],
  ['metadata with a card-secret key holding a number', (d) => { delete (d.metadata as Draft).gone; (d.metadata as Draft).cvv = 123; }],
  ['metadata missing', (d) => { delete d.metadata; }],
  ['metadata an array', (d) => { d.metadata = ['a']; }],
  ['metadata with a __proto__ key', (d) => { d.metadata = JSON.parse('{"__proto__": "x", "a": "b"}'); }],
  ['metadata keys that scrub to one key', (d) => { d.metadata = { [`a ${luhnPan}`]: 'first', [`a ${luhnPan.replaceAll(' ', '-')}`]: 'second' }; }],
  ['metadata of a class', (d) => { d.metadata = new (class Meta { a = 'b'; })(); }],
  ['the event a class instance', () => {}],
  ['the event null', () => {}],
];

function mutated(name: string, change: (d: Draft) => void): unknown {
  if (name === 'the event null') return null;
  const d = full();
  change(d);
  if (name === 'the event a class instance') return Object.assign(new (class Event {})(), d);
  return d;
}

describe('exact PaymentEvent check: the same answers as the zod schema', () => {
  for (const [name, change] of MUTATIONS) {
    it(`${name}: the same value or the same error as zod`, () => {
      const input = mutated(name, change);
      const fast = exactPaymentEvent(input);
      if (fast) assert.equal(JSON.stringify(fast), JSON.stringify(PaymentEventSchema.parse(input)));
      const r = PaymentEventSchema.safeParse(input);
      if (r.success) assert.equal(JSON.stringify(parsePaymentEvent(input)), JSON.stringify(r.data));
      else assert.throws(() => parsePaymentEvent(input), InputError);
    });

    it(`${name}: scrubbed in one copy, the same as scrubKeepingIds (ids only) then zod`, () => {
      const input = mutated(name, change) as Parameters<typeof scrubKeepingIds>[0];
      assertScrubbedLikeZod(input, []);
    });

    it(`${name}: the Tokenize step's check, scrub and check in one copy, the same as zod, scrubKeepingIds, zod`, () => {
      // Also without the draft's undefined metadata value, which zod refuses in an event: the change is then all that differs.
      for (const input of [mutated(name, change), mutated(name, (d) => { delete (d.metadata as Draft).gone; change(d); })]) {
        const fast = exactPaymentEvent(input, { ...PAN_SCRUB, checkDropped: true });
        const longWay = () => PaymentEventSchema.parse(scrubKeepingIds(PaymentEventSchema.parse(input), scrubStrings));
        // Undefined sends the step the long way, which gives its own answer; a value must be the long way's.
        if (fast) assert.deepEqual({ json: JSON.stringify(fast) }, zodAnswer(longWay));
        if (fast) assert.deepStrictEqual(fast, longWay());
        if (!PaymentEventSchema.safeParse(input).success) assert.equal(fast, undefined, 'what zod refuses before the scrub is refused, even where the scrub would drop it');
      }
    });

    it(`${name}: with references kept, the same as scrubKeepingIds then zod`, (t) => {
      const input = mutated(name, change) as Parameters<typeof scrubKeepingIds>[0] | null;
      // scrubKeepingIds reads draft.metadata: a draft without one is not something a source makes.
      if (!input || typeof input.metadata !== 'object' || input.metadata === null) {
        assert.throws(() => scrubbedPaymentEvent(input as object, ['pspReference']));
        return t.diagnostic('no metadata: both refuse it');
      }
      assertScrubbedLikeZod(input, ['pspReference', 'note']);
    });
  }

  it('a source\'s draft comes out scrubbed, its references whole, unknown and secret fields gone, currency upper-cased', () => {
    const event = scrubbedPaymentEvent(full(), ['pspReference']);
    assert.equal(event.paymentId, '8535296650153317');
    assert.equal(event.dispute?.id, '4111111111111111');
    assert.equal(event.amount.currency, 'EUR');
    assert.deepEqual(event.metadata, { pspReference: '8535296650153317', note: `typed ${PAN_REDACTION}`, [`k ${PAN_REDACTION}`]: 'v' });
    assert.equal(event.customerHints.phone, `call ${PAN_REDACTION}`);
    assert.equal('unknown' in event, false);
    assert.deepEqual(Object.keys(event.terminal!), ['readerId']);
    const unkept = scrubbedPaymentEvent(full());
    assert.equal(unkept.dispute?.id, '4111111111111111', 'the processor\'s dispute id is kept even when it passes the Luhn check');
    assert.equal(unkept.metadata.note, `typed ${PAN_REDACTION}`);
    assert.equal(unkept.metadata.pspReference, '8535296650153317', 'not Luhn-valid: left alone either way');
  });

  it('a draft zod refuses is an InputError naming the field and the fix, from a source as from parsePaymentEvent', () => {
    const input = mutated('card expMonth 13', (d) => { (d.card as Draft).expMonth = 13; });
    assert.throws(() => scrubbedPaymentEvent(input as object), (e: unknown) => e instanceof InputError && e.field === 'card.expMonth' && /the adyen delivery/.test(e.message) && /Fix: the processor sent a value/.test(e.message));
    assert.throws(() => parsePaymentEvent(input, 'Tokenize input'), (e: unknown) => e instanceof InputError && e.field === 'card.expMonth');
  });
});

describe('exact PaymentEvent check on what every source makes', () => {
  const keys = keyProviderFromSpec(`k1:${'11'.repeat(32)}`);
  for (const name of benchSourceNames()) {
    it(`${name}: every event of 60 simulated deliveries takes the fast path and equals zod's`, { timeout: 30_000 }, async () => {
      const bench = sourceBench(name, 60, 7);
      let events = 0;
      for (const d of bench.deliveries) {
        for (const event of (await receiveBench(bench, d)).events) {
          events++;
          const fast = exactPaymentEvent(event);
          assert.ok(fast, `${event.id} fell back to zod`);
          assert.equal(JSON.stringify(fast), JSON.stringify(PaymentEventSchema.parse(event)));
          assert.equal(JSON.stringify(scrubbedPaymentEvent(event)), JSON.stringify(PaymentEventSchema.parse(scrubKeepingIds(event, scrubStrings, []))));
          const tokenized = tokenizeExact(event, keys);
          assert.ok(tokenized, `${event.id} fell back from the one-copy tokenize`);
          assert.deepStrictEqual(tokenized, tokenize(PaymentEventSchema.parse(event), keys));
        }
      }
      assert.ok(events >= 60, `${events} events`);
    });
  }
});
