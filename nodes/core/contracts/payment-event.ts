import { z } from 'zod/v4';
import { MoneySchema } from './money';
import {
  BIN_PATTERN,
  CARD_FUNDINGS,
  CARD_TOKEN_PATTERN,
  ENTRY_MODES,
  EVENT_KINDS,
  EVENT_STATUSES,
  LAST4_PATTERN,
  OccurredAtSchema,
  SOURCE_NAME_PATTERN,
} from './payment-event-values';

export const PAYMENT_EVENT_SCHEMA_VERSION = 1 as const;

/** The sources the pack ships (sources/registry.ts). A generic source is configured under a name of its own. */
export const SOURCES = ['stripe', 'square', 'adyen', 'adyen-terminal', 'zettle', 'clover', 'sumup', 'generic'] as const;
export type BuiltInSourceName = (typeof SOURCES)[number];
/** Lower-case letters, digits and dashes: it prefixes event ids and names the webhook path (/webhooks/<source>). */
export const SourceNameSchema = z
  .string()
  .regex(SOURCE_NAME_PATTERN, 'a source name: lower-case letters, digits and dashes, such as "stripe" or "verifone-estate"');
export type SourceName = string;

/** What happened, independent of the processor's own event names. */
export const EventKindSchema = z.enum(EVENT_KINDS);
export type EventKind = z.infer<typeof EventKindSchema>;

export const EntryModeSchema = z.enum(ENTRY_MODES);
export type EntryMode = z.infer<typeof EntryModeSchema>;

/**
 * The card's identity. Before tokenize it is the processor's own fingerprint (not card data, but still
 * processor-specific); after tokenize it is our keyed token, which carries the id of the key that made it.
 */
export const CardIdentitySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('fingerprint'), value: z.string().min(1) }),
  z.object({
    kind: z.literal('token'),
    value: z.string().regex(CARD_TOKEN_PATTERN),
    keyId: z.string().min(1),
    /** The same card under retired keys, so a rotation does not make known cards look new. */
    previous: z.array(z.string().regex(CARD_TOKEN_PATTERN)).optional(),
  }),
]);
export type CardIdentity = z.infer<typeof CardIdentitySchema>;

export const CardSchema = z.object({
  brand: z.string().optional(),
  last4: z.string().regex(LAST4_PATTERN).optional(),
  bin: z.string().regex(BIN_PATTERN).optional(),
  expMonth: z.number().int().min(1).max(12).optional(),
  expYear: z.number().int().min(2000).max(2100).optional(),
  funding: z.enum(CARD_FUNDINGS).optional(),
  entryMode: EntryModeSchema,
  wallet: z.string().optional(),
  identity: CardIdentitySchema.optional(),
});
export type Card = z.infer<typeof CardSchema>;

export const CustomerHintsSchema = z.object({
  processorCustomerId: z.string().optional(),
  email: z.string().optional(),
  phone: z.string().optional(),
  name: z.string().optional(),
  postalCode: z.string().optional(),
});
export type CustomerHints = z.infer<typeof CustomerHintsSchema>;

/**
 * Merchant metadata: text keys to text values, the rule z.record(z.string(), z.string()) states, checked in one
 * pass. The record schema runs a key schema and a value schema per entry, which made metadata more than half the
 * cost of parsing an event (bench/sources/source-throughput.ts); the issues are the record's own (the same code,
 * path and message) and the result is a copy, as the record's is.
 */
const StringRecordSchema = z.transform((input: unknown, ctx): Record<string, string> => {
  if (!z.core.util.isPlainObject(input)) {
    ctx.issues.push({ code: 'invalid_type', expected: 'record', input });
    return z.NEVER;
  }
  const out: Record<string, string> = {};
  for (const key of Object.keys(input)) {
    if (key === '__proto__') continue;
    const value = input[key];
    if (typeof value === 'string') out[key] = value;
    else ctx.issues.push({ code: 'invalid_type', expected: 'string', input: value, path: [key] });
  }
  return out;
});

const PaymentEventObject = z.object({
  schemaVersion: z.literal(PAYMENT_EVENT_SCHEMA_VERSION),
  /**
   * "<source>:<processor's event id>": the idempotency key everywhere (store, workflow id, CRM). Namespaced so
   * two processors' ids never collide; an event made before namespacing ("evt_…") is read as "stripe:evt_…".
   */
  id: z.string().min(1),
  source: SourceNameSchema,
  /** The processor's own event type, e.g. "charge.refunded". */
  type: z.string().min(1),
  kind: EventKindSchema,
  /** The payment this event is about; a refund names the payment it refunds. */
  paymentId: z.string().min(1),
  amount: MoneySchema,
  /** For refunds: the total refunded on this payment so far, as the processor reports it. */
  refundedTotal: MoneySchema.optional(),
  /**
   * For refunds: which kind of amount the processor reports. `cumulative: true` (Stripe, and the default when this
   * is absent): `refundedTotal` is everything refunded on the payment so far, and a later event only counts what it
   * adds. `cumulative: false` (Square without its lookups, Zettle webhooks, Adyen, Clover, SumUp): `amount` is this refund's own amount, and `id`
   * the processor's id of this refund, so two partial refunds of the same size both count while two events about
   * one refund (created, then updated) count it once. Without an id the event id stands for the refund.
   * `reversed: true`: the refund `id` names did not give the money back after all (it failed at the card scheme, or
   * the refunded amount came back to the merchant, as Adyen's REFUND_FAILED and REFUNDED_REVERSED report), so
   * what it counted counts no more; it is reported per refund, by the refund's id.
   * `toCard: false`: the money, or some of it, went back another way than the card the sale was paid with (cash, a
   * gift card…, as Square's cross-tender refunds and Zettle's refunds of a card sale wholly or partly in cash do); it
   * still counts against the sale, and a refund message does not name the card.
   * `unreferenced: true`: the refund names no sale at all: money paid to a card with no payment to take it from (Adyen's
   * REFUND_WITH_DATA, an unreferenced refund at the terminal). It is a payment of its own (`paymentId` its own id, as is
   * `refund.id`), which counts at once as money given back and is no purchase; no sale will ever come for it to wait for.
   * Its reversal names it by `refund.id`, and the ledger sets it against the refund's own payment whatever `paymentId`
   * it carries (Adyen's REFUND_FAILED names the originalReference the refund was sent with).
   */
  refund: z
    .object({
      id: z.string().min(1).optional(), cumulative: z.boolean(), reversed: z.literal(true).optional(), toCard: z.literal(false).optional(),
      unreferenced: z.literal(true).optional(),
    })
    .refine((r) => !r.reversed || (r.id !== undefined && !r.cumulative), {
      message: 'a reversed refund names the refund it reverses: set refund.id to that refund\'s id and refund.cumulative to false',
    })
    .refine((r) => !r.unreferenced || (r.id !== undefined && !r.cumulative && !r.reversed), {
      message: 'an unreferenced refund is one refund of its own amount: set refund.id to its id and refund.cumulative to false, and report its reversal as a reversed refund',
    })
    .optional(),
  status: z.enum(EVENT_STATUSES),
  occurredAt: OccurredAtSchema,
  livemode: z.boolean(),
  card: CardSchema.optional(),
  terminal: z.object({ readerId: z.string().optional(), locationId: z.string().optional() }).optional(),
  customerHints: CustomerHintsSchema,
  failure: z.object({ code: z.string().optional(), message: z.string().optional() }).optional(),
  /**
   * Whether the sale `paymentId` names moved money, when the processor says so after the fact. On a failure,
   * `voided: true`: the sale reported as succeeded moved no money after all (a SumUp transaction read CANCELLED, a
   * Clover payment read VOIDED; an Adyen authorisation cancelled or expired; Adyen's CAPTURE_FAILED with its
   * captureId), so nothing of it counts. On a payment, `voided: false`: money moved for the sale (an Adyen CAPTURE,
   * such as Adyen's re-capture after a failed one), which takes back a void reported before it. The later of the
   * two, by `occurredAt`, decides; a void with no captureId of a sale a capture collected money for releases only
   * what no capture took.
   * `captureId`: the report is about one capture of the sale, by the processor's id of it (Adyen's capture
   * pspReference), as when a sale is captured in parts. A failure then takes back only what that capture was to
   * collect (`amount`), and money moving for it again brings back only it; the ledger reads the sale as void when
   * its failed captures add up to all of it (ledger/payment-rules.ts).
   * `adjusted: true` (with `voided: false`, no captureId, on a payment): the report is about the sale's authorisation,
   * raised or lowered to `amount` before it was captured (Adyen's AUTHORISATION_ADJUSTMENT, as hotels and bar tabs
   * do). No money moved: the sale counts at the largest amount it was authorised at, and what the latest
   * authorisation by `occurredAt` leaves of that counts as given back (ledger/payment-rules.ts).
   */
  sale: z.object({ voided: z.boolean(), captureId: z.string().min(1).optional(), adjusted: z.literal(true).optional() }).optional(),
  /**
   * On a payment: the sale was stored on the reader while it was offline and reached the processor later (Stripe
   * Terminal's offline payments, `card_present.offline.stored_at`), and `occurredAt` is when the customer paid, not
   * when it was forwarded. Another report of the same sale dated at its forwarding (a PaymentIntent event naming its
   * charge only by id) gives way to it: the ledger keeps the earliest time such a report gives (ledger/payment-rules.ts).
   */
  storedOffline: z.literal(true).optional(),
  /** For disputes: the processor's dispute, why the cardholder opened it, and its status in the processor's words. */
  dispute: z.object({ id: z.string().min(1), reason: z.string().optional(), processorStatus: z.string().optional() }).optional(),
  metadata: StringRecordSchema,
});

/** Reads an un-namespaced id (stored or queued before ids were namespaced) as the namespaced one. */
function namespaceLegacyId(input: unknown): unknown {
  if (!input || typeof input !== 'object' || Array.isArray(input)) return input;
  const o = input as { id?: unknown; source?: unknown };
  if (typeof o.id !== 'string' || typeof o.source !== 'string' || o.id.startsWith(`${o.source}:`)) return input;
  return { ...o, id: `${o.source}:${o.id}` };
}

const SaleRule = PaymentEventObject.refine((e) => !e.sale || (e.sale.voided ? e.kind === 'failure' : e.kind === 'payment'), {
  message: 'sale.voided: true goes on a failure (the sale moved no money), sale.voided: false on a payment (money moved for it)',
  path: ['sale'],
}).refine((e) => e.sale?.adjusted !== true || (!e.sale.voided && e.sale.captureId === undefined), {
  message: 'sale.adjusted: true reports the authorised amount of the sale itself: it goes with voided: false and no captureId',
  path: ['sale', 'adjusted'],
}).refine((e) => e.storedOffline !== true || (e.kind === 'payment' && e.sale === undefined), {
  message: 'storedOffline: true dates the sale itself at when the customer paid: it goes on a payment that is no capture or adjustment (no sale)',
  path: ['storedOffline'],
});

export const PaymentEventSchema = z.preprocess(namespaceLegacyId, SaleRule);
export type PaymentEvent = z.infer<typeof PaymentEventObject>;

/**
 * A report about a sale, not the sale itself: one of its captures (Adyen's CAPTURE, CAPTURE_FAILED, re-capture: a
 * payment event with `sale.captureId`) or its authorisation adjusted (`sale.adjusted`). It carries no card, terminal or
 * shopper, and may arrive before the sale.
 */
export function isReportOnSale(e: Pick<PaymentEvent, 'kind' | 'sale'>): boolean {
  return e.kind === 'payment' && (e.sale?.captureId !== undefined || e.sale?.adjusted === true);
}

/**
 * What a dispute event's status means, for every step that counts money (CRM totals, segment statistics, the
 * loyalty ledger): "disputed" (or "pending") opens a dispute, "succeeded" closes it in the merchant's favour,
 * "refunded" closes it lost: the money went back to the cardholder.
 */
export function disputePhase(status: PaymentEvent['status']): 'open' | 'won' | 'lost' {
  if (status === 'succeeded') return 'won';
  if (status === 'refunded') return 'lost';
  return 'open';
}

/**
 * The metadata a source puts on a dispute event whose processor stated no amount for the dispute (Square's
 * `amount_money` left null): `amount` is then what the disputed payment charged, as the source read it, not an
 * amount the processor gave the dispute. The ledger keeps an amount a report of the same dispute did state over it
 * (ledger/payment-rules.ts), whatever order the reports arrive in.
 */
export const DISPUTE_AMOUNT_UNSTATED = { key: 'dispute_amount', value: 'payment_total' } as const;

/** Whether a dispute event's amount is the dispute's own, as its processor stated it (DISPUTE_AMOUNT_UNSTATED). */
export function disputeAmountStated(e: Pick<PaymentEvent, 'kind' | 'metadata'>): boolean {
  return e.kind !== 'dispute' || e.metadata[DISPUTE_AMOUNT_UNSTATED.key] !== DISPUTE_AMOUNT_UNSTATED.value;
}

/** A PaymentEvent that has been through tokenize: downstream steps accept only this. */
export type TokenizedPaymentEvent = PaymentEvent & {
  card?: Card & { identity?: Extract<CardIdentity, { kind: 'token' }> };
};
