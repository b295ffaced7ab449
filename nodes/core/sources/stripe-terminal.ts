import { createHash, createHmac } from 'node:crypto';
import Stripe from 'stripe';
import { IgnoredEventError, InputError, SignatureError } from '../errors';
import {
  PAYMENT_EVENT_SCHEMA_VERSION,
  type Card,
  type EntryMode,
  type EventKind,
  type PaymentEvent,
} from '../contracts/payment-event';
import { cardBrand } from './card-brand';
import { hmacKey } from './hmac-key';
import { moneyFromProcessor, STRIPE_EXPONENTS } from './processor-money';
import { headerValue, namespacedEventId, type Source, type SourceContext, type WebhookRequest } from './source';
import { StripeCredentialsSchema, type StripeCredentials } from './stripe-credentials';
import { EVENTS_READ, stripeGet, stripePolling } from './stripe-list';
import { scrubbedPaymentEvent } from './scrubbed-event';
import { obj, str, trimmedStr, type Obj } from '../json/json-values';
import { cardholderName, nameText } from './cardholder-name';
import { CredentialFieldError } from './credential-error';

/** Stripe's own recommendation for replay protection. */
export const STRIPE_SIGNATURE_TOLERANCE_SECONDS = 300;

/**
 * The events the pack reads, and so the ones a trigger's endpoint subscribes to (held to stripe-node's own list of
 * event types). A refund counts from `charge.refunded`'s running total; one that fails later is told by the
 * refund's own events: `charge.refund.updated` (card refunds), and `refund.updated` / `refund.failed` (every refund).
 * A sale captured later (manual capture) is `charge.captured`: its PaymentIntent names the charge only by id on API
 * versions from 2022-11-15, so the card, the reader and the cardholder come with the captured charge.
 */
export const STRIPE_HANDLED_EVENT_TYPES = [
  'payment_intent.succeeded',
  'payment_intent.payment_failed',
  'charge.succeeded',
  'charge.captured',
  'charge.refunded',
  'charge.refund.updated',
  'refund.updated',
  'refund.failed',
  'charge.dispute.created',
  'charge.dispute.closed',
] as const satisfies readonly Stripe.WebhookEndpointCreateParams.EnabledEvent[];

const isHandledType = (type: string): boolean => (STRIPE_HANDLED_EVENT_TYPES as readonly string[]).includes(type);

/** Events whose object is a Refund (stripe-node's ChargeRefundUpdatedEvent, RefundUpdatedEvent, RefundFailedEvent). */
const REFUND_OBJECT_EVENT_TYPES = new Set<string>(['charge.refund.updated', 'refund.updated', 'refund.failed']);

/** The event id (before the source's namespace) of a Stripe refund's failure, whichever event or listing reports it. */
export const failedRefundEventKey = (refundId: string): string => `refund:${refundId}:failed`;

const CARD_PRESENT_TYPES = new Set(['card_present', 'interac_present']);

/** Stripe's `read_method` → how the card met the reader. */
const ENTRY_MODES: Record<string, EntryMode> = {
  contact_emv: 'chip',
  contactless_emv: 'contactless',
  contactless_magstripe_mode: 'contactless',
  magnetic_stripe_track2: 'swipe',
  magnetic_stripe_fallback: 'fallback',
  manual_entry: 'keyed',
};

const int = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) ? v : undefined);
/** Stripe ids of expandable fields arrive either as "id" or as the expanded object. */
const idOf = (v: unknown): string | undefined => str(v) ?? str(obj(v)?.id);

const UTF8 = new TextDecoder('utf8');

/**
 * stripe-node's own NodeCryptoProvider, but with the signing secret as a key object made once per secret
 * (hmac-key.ts): given the secret as a string, Node prepares the key again on every HMAC, which cost more than the
 * HMAC of the event itself. The header parsing, the comparison and the tolerance stay stripe-node's.
 */
class KeyedCryptoProvider extends Stripe.CryptoProvider {
  override computeHMACSignature(payload: string, secret: string): string {
    return createHmac('sha256', hmacKey(secret)).update(payload, 'utf8').digest('hex');
  }

  override async computeHMACSignatureAsync(payload: string, secret: string): Promise<string> {
    return this.computeHMACSignature(payload, secret);
  }

  override async computeSHA256Async(data: Uint8Array): Promise<Uint8Array> {
    return new Uint8Array(createHash('sha256').update(data).digest());
  }
}
const KEYED_CRYPTO = new KeyedCryptoProvider();

/** What a thin event notification (an event destination's "thin" payload) is, in its `object`. */
const THIN_EVENT_OBJECT = 'v2.core.event';

/**
 * stripe-node reads thin event notifications with a client's `parseEventNotification`, which checks the signature as
 * constructEvent does and refuses a snapshot event. This client only parses: the fetch helpers it attaches are never
 * called (what a notification names is read through the face's HTTP transport, with the operator's key), and a
 * request it would send anyway is refused by its authenticator.
 */
const THIN_EVENT_PARSER = new Stripe(null as unknown as string, {
  authenticator: () => Promise.reject(new Error('the Stripe source parses thin event notifications only; it sends no request with this client')),
});

/**
 * A delivery signed with `secret` that constructEvent refused for its shape (it refuses a thin event notification
 * with a plain error once the signature passed): read again with stripe-node's parser for notifications, which checks
 * the signature again and takes only those. The notification as data (its fields, the context as text), or undefined
 * when it is none.
 */
function thinEventNotification(payload: string, signature: string, secret: string, receivedAt: number): Obj | undefined {
  let notification: unknown;
  try {
    notification = THIN_EVENT_PARSER.parseEventNotification(payload, signature, secret, STRIPE_SIGNATURE_TOLERANCE_SECONDS, KEYED_CRYPTO, receivedAt);
  } catch {
    return undefined;
  }
  const data: Obj = {};
  for (const [key, value] of Object.entries(obj(notification) ?? {})) {
    if (typeof value === 'function') continue;
    data[key] = key === 'context' && value ? String(value) : value;
  }
  return data;
}

export const stripeTerminalSource: Source<StripeCredentials> = {
  name: 'stripe',
  label: 'Stripe Terminal',
  handledEventTypes: STRIPE_HANDLED_EVENT_TYPES,
  credentials: StripeCredentialsSchema,
  env: { signingSecret: 'STRIPE_WEBHOOK_SECRET', secretKey: 'STRIPE_SECRET_KEY' },

  async verify(request: WebhookRequest, credentials: StripeCredentials) {
    const signature = headerValue(request.headers, 'stripe-signature');
    if (!signature) throw new SignatureError('the Stripe-Signature header is missing');
    let lastError: unknown;
    // Stripe ages the signature from this (milliseconds), so the clock is the request's, not the wall clock.
    const receivedAt = request.receivedAt.getTime();
    // Decoded once, as stripe-node decodes a Buffer (it would do so twice: to check it, then to parse it).
    const payload = UTF8.decode(request.rawBody);
    for (const secret of credentials.signingSecret) {
      try {
        const event = Stripe.webhooks.constructEvent(payload, signature, secret, STRIPE_SIGNATURE_TOLERANCE_SECONDS, KEYED_CRYPTO, receivedAt);
        return { items: [event], forged: [] };
      } catch (e) {
        // Anything but a StripeSignatureVerificationError came after the signature passed: a thin event notification.
        const notification = e instanceof Stripe.errors.StripeSignatureVerificationError ? undefined : thinEventNotification(payload, signature, secret, receivedAt);
        if (notification) return { items: [notification], forged: [] };
        lastError = e;
      }
    }
    throw new SignatureError(lastError instanceof Error ? lastError.message.split('\n')[0]!.trim() : String(lastError));
  },

  async normalize(processorEvent: unknown, credentials: StripeCredentials, ctx: SourceContext): Promise<PaymentEvent[]> {
    if (obj(processorEvent)?.object === THIN_EVENT_OBJECT) return [await normalizeThinStripeEvent(processorEvent, credentials, ctx)];
    return [normalizeStripeEvent(processorEvent)];
  },
  ...stripePolling(normalizeStripeEvent, STRIPE_HANDLED_EVENT_TYPES),
};

/** Every Stripe event carries `created`, in seconds since 1970; anything else is no time the ledger can order by. */
function occurredAtOf(created: unknown): string {
  const ms = (int(created) ?? Number.NaN) * 1000;
  // Beyond ±8.64e15 ms a Date is invalid, and toISOString would throw a RangeError that names nothing.
  if (!(Math.abs(ms) <= 8.64e15)) {
    throw new InputError('created', `the event's created (${JSON.stringify(created) ?? 'missing'}) is not a time in seconds since 1970`, 'send the event as Stripe sent it: every Stripe event has created as a Unix timestamp');
  }
  return new Date(ms).toISOString();
}

/** One verified Stripe event (webhook or the Events API, for polling) → a PaymentEvent. */
export function normalizeStripeEvent(processorEvent: unknown): PaymentEvent {
  const event = obj(processorEvent);
  const type = str(event?.type);
  if (!event || !type || !str(event.id)) {
    throw new InputError('event', 'this is not a Stripe event object (id, type, data.object)', 'pass the verified webhook body');
  }
  // A type the pack does not read is acknowledged whatever it carries: its object's shape is not the pack's to demand.
  if (!isHandledType(type)) throw new IgnoredEventError(type, `only ${STRIPE_HANDLED_EVENT_TYPES.join(', ')} are processed`);
  const object = obj(obj(event.data)?.object);
  if (!object) throw new InputError('event', `this ${type} event carries no object (data.object)`, 'pass the verified webhook body as Stripe sent it');
  // With manual capture a charge succeeds when the card is authorized: the sale is what is captured, which
  // payment_intent.succeeded reports (amount_received), and an authorization released uncaptured moved no money.
  if ((type === 'charge.succeeded' || type === 'charge.refunded') && object.captured === false) {
    throw new IgnoredEventError(type, type === 'charge.succeeded'
      ? 'the charge is authorized, not captured (manual capture): the sale is recorded from payment_intent.succeeded once it is captured, for the amount captured'
      : 'an authorization released before anything was captured: no money moved');
  }
  const base = REFUND_OBJECT_EVENT_TYPES.has(type)
    ? fromFailedRefund(type, object)
    : type.startsWith('charge.dispute.')
      ? fromDispute(object)
      : type.startsWith('charge.')
        ? fromCharge(type, object, str(event.api_version))
        : fromPaymentIntent(type, object);
  if (!base) throw new IgnoredEventError(type, 'the payment was not card-present (card_present or interac_present)');
  // A refund's failure is one fact however many of its events tell it (charge.refund.updated, refund.updated,
  // refund.failed, a backfill's listing): one id, so the inbox and the ledger keep it once.
  const key = REFUND_OBJECT_EVENT_TYPES.has(type) && base.refund?.id ? failedRefundEventKey(base.refund.id) : str(event.id)!;
  const { storedAt, ...rest } = base;
  const forwardedAt = occurredAtOf(event.created);
  const draft = {
    schemaVersion: PAYMENT_EVENT_SCHEMA_VERSION,
    id: namespacedEventId('stripe', key),
    source: 'stripe',
    type,
    // A sale stored offline was made when the reader stored it, never after Stripe told of it.
    occurredAt: storedAt !== undefined && storedAt < forwardedAt ? storedAt : forwardedAt,
    livemode: event.livemode === true,
    ...rest,
  };
  // Scrubbed here as well as in tokenize: a clerk can type a card number into metadata, and the normalized
  // event is what a Temporal workflow receives as input (and so keeps in its history).
  return scrubbedPaymentEvent(draft);
}

/**
 * A thin event notification, as an event destination with the "thin" payload sends it: `{object: "v2.core.event",
 * type, related_object, snapshot_event, context}` and no object. Stripe's thin versions of its v1 events are named
 * `v1.<type>` ("subscribe to v1.customer.created instead of customer.created"), and the one of a v1 event says which
 * snapshot event it stands for (`snapshot_event`, the id to de-duplicate by when both arrive). The pack reads the
 * thin versions of the types it handles from that snapshot event, fetched from the Events API with the secret key
 * (GET /v1/events/{id}, rendered at the event's own API version, as the snapshot payload and polling carry it): the
 * same event, under the same id (`stripe:evt_…`), so a sale that comes thin, as a snapshot and by polling is kept
 * once, and what it says is what was true when it happened, not the object's state by the time it is read. Every
 * other type (v2 events, the destination's `v2.core.event_destination.ping`, v1 types the pack does not read) is
 * acknowledged without a request.
 */
async function normalizeThinStripeEvent(notification: unknown, credentials: StripeCredentials, ctx: SourceContext): Promise<PaymentEvent> {
  const thin = obj(notification);
  const type = str(thin?.type);
  if (!thin || !type || !str(thin.id)) {
    throw new InputError('event', 'this is not a Stripe thin event notification (id, type)', 'pass the verified webhook body');
  }
  const v1Type = type.startsWith('v1.') ? type.slice(3) : undefined;
  if (!v1Type || !isHandledType(v1Type)) {
    throw new IgnoredEventError(type, `only the thin versions of ${STRIPE_HANDLED_EVENT_TYPES.map((t) => `v1.${t}`).join(', ')} are processed`);
  }
  const snapshotId = str(thin.snapshot_event);
  if (!snapshotId) {
    throw new IgnoredEventError(type, 'the thin event names no snapshot event (snapshot_event) to read the payment from: send this event destination Stripe\'s snapshot payload');
  }
  const context = str(thin.context);
  const path = `/v1/events/${encodeURIComponent(snapshotId)}`;
  const { status, body, reason } = await stripeGet(credentials, ctx, path, undefined, {
    ...EVENTS_READ,
    purpose: `reading the ${type} thin event (its snapshot event ${snapshotId})`,
    doing: `read the event ${snapshotId}`,
    again: 'the delivery is answered 500 so Stripe sends it again',
    noHttpFix: 'receive the webhook in an engine face that provides HTTP (n8n, Node-RED, the Temporal worker)',
    keyFix: 'set a secret key, or a restricted key that may read Events, or send this event destination Stripe\'s snapshot payload',
    // The account the event happened in, for events from connected accounts: stripe-node sends it the same way.
    headers: context ? { 'stripe-context': context } : undefined,
  });
  const fix = 'use the secret key of the Stripe account the event destination sends from, or send this destination Stripe\'s snapshot payload';
  // A genuine notification names an event Stripe has: one it says it has not is of another account or mode than the
  // key's (a live destination, a test key), which is the operator's to fix.
  if (status === 404) throw new CredentialFieldError('secretKey', `Stripe has no event ${snapshotId} for this key (${reason}): the ${type} thin event is of another account or mode`, fix);
  if (status !== 200 || !body) throw new InputError('snapshot_event', `Stripe answered ${status} to GET ${path}: ${reason}`, fix);
  if (str(body.id) !== snapshotId || str(body.type) !== v1Type) {
    throw new InputError('snapshot_event', `GET ${path} answered the ${str(body.type) ?? 'untyped'} event ${str(body.id) ?? 'without an id'}, not the ${v1Type} event the thin event names`, fix);
  }
  return normalizeStripeEvent(body);
}

/** Stripe's minor units (its own exponent rules: ISK and UGX with two decimals, MGA with none) → ISO minor units. */
const money = (amount: number, currency: string, field: string) => moneyFromProcessor(amount, currency, STRIPE_EXPONENTS, field);

/**
 * What one Stripe object says of the payment. `storedAt`: a sale the reader stored while offline, when the customer
 * paid (normalizeStripeEvent dates it then, not at the event's `created`).
 */
type Draft = Omit<PaymentEvent, 'schemaVersion' | 'id' | 'source' | 'type' | 'occurredAt' | 'livemode'> & { storedAt?: string };

/**
 * A payment the reader collected offline and forwarded later: `card_present.offline` (stripe-node's
 * Charge.PaymentMethodDetails.CardPresent.Offline and PaymentMethod.CardPresent.Offline: `stored_at`, "Time at which
 * the payment was collected while offline", seconds since 1970 or null; `type` "deferred" or null). null: not offline.
 * `storedAt` is when it was stored, when Stripe says (a time a Date can hold).
 */
function offlineOf(present: Obj | undefined): { storedAt?: string } | undefined {
  const offline = obj(present?.offline);
  if (!offline) return undefined;
  const ms = (int(offline.stored_at) ?? Number.NaN) * 1000;
  return Math.abs(ms) <= 8.64e15 ? { storedAt: new Date(ms).toISOString() } : {};
}

/** What an offline sale adds to its draft: its time, the ledger's flag (PaymentEvent.storedOffline) and `offline` in metadata. */
function offlineSale(offline: { storedAt?: string } | undefined, metadata: Record<string, string>): Pick<Draft, 'storedAt' | 'storedOffline' | 'metadata'> {
  if (!offline) return { metadata };
  return {
    ...(offline.storedAt !== undefined ? { storedAt: offline.storedAt, storedOffline: true as const } : {}),
    metadata: { ...metadata, offline: 'true' },
  };
}

/**
 * What a partial capture released of the authorization and the charge counts in `amount_refunded`: on API versions
 * before 2025-03-31.basil a partial capture made "a refund object … linked to the payment" for the rest (Stripe's
 * "Changes to balance transaction behavior for partial capture and payment cancellation flows"), so the running total
 * holds money the cardholder was never charged. From basil on, `amount_refunded` "will no longer be updated" by it.
 * An event's `api_version` says which; without one (a charge listed for backfill, read at the pinned
 * STRIPE_HISTORY_API_VERSION, basil or later) the total is taken as it is.
 */
function releasedInRefundedTotal(authorized: number, captured: number | undefined, apiVersion: string | undefined): number {
  if (!apiVersion || apiVersion.slice(0, 10) >= '2025-03-31') return 0;
  return captured !== undefined && captured < authorized ? authorized - captured : 0;
}

function fromCharge(type: string, charge: Obj, apiVersion?: string): Draft | undefined {
  const details = obj(charge.payment_method_details);
  const methodType = str(details?.type);
  const cardPresent = !!methodType && CARD_PRESENT_TYPES.has(methodType);
  // payment_method_details null (stripe-node: PaymentMethodDetails | null) says neither card-present nor online: no
  // sale is taken from such a charge, but its refund is passed on as a Refund's failure or a dispute is, naming no
  // one, so it counts against a sale the pack recorded and makes no customer of any other.
  const unknownRefund = !details && type === 'charge.refunded';
  if (!cardPresent && !unknownRefund) return undefined;
  const billing = obj(charge.billing_details);
  const present = obj(details?.[methodType ?? '']);
  const currency = String(charge.currency ?? '');
  // Once captured, the sale is `amount_captured`, whatever `amount` says: a partial capture leaves `amount` at what was
  // authorized, and an over-capture (Terminal's on-receipt tip: "capture more than the authorized amount") takes more
  // than the card's authorization (`amount_authorized`), as an incremental authorization's capture does of the first.
  // A charge that names no amount_captured (rendered before Stripe added it) is read by its amount.
  const authorized = int(charge.amount) ?? 0;
  const captured = charge.captured === true ? int(charge.amount_captured) : undefined;
  // An `amount` that is none (0, below 0) is no charge Stripe writes: it is read as it is, and the event refused for it.
  const amount = captured && authorized > 0 && captured !== authorized ? money(captured, currency, 'amount_captured') : money(authorized, currency, 'amount');
  const released = releasedInRefundedTotal(authorized, captured, apiVersion);
  const refunded = money(Math.max(0, (int(charge.amount_refunded) ?? 0) - released), currency, 'amount_refunded');
  if (type === 'charge.refunded' && released > 0 && refunded.minor === 0) {
    throw new IgnoredEventError(type, 'only the uncaptured rest of a partial capture was released (a refund inside the charge on API versions before 2025-03-31.basil): nothing was refunded');
  }
  const kind: EventKind = type === 'charge.refunded' ? 'refund' : 'payment';
  return {
    kind,
    paymentId: idOf(charge.payment_intent) ?? String(charge.id),
    amount,
    refundedTotal: kind === 'refund' ? refunded : undefined,
    // Stripe's own `refunded` says "fully refunded", whatever a partial capture left in amount and amount_refunded.
    status: kind === 'refund' ? ((typeof charge.refunded === 'boolean' ? charge.refunded : refunded.minor >= amount.minor) ? 'refunded' : 'partially_refunded') : 'succeeded',
    card: present ? cardFrom(present) : undefined,
    terminal: terminalFrom(charge, present),
    customerHints: unknownRefund ? {} : {
      processorCustomerId: idOf(charge.customer),
      email: trimmedStr(billing?.email) ?? trimmedStr(charge.receipt_email),
      phone: trimmedStr(billing?.phone),
      name: nameText(billing?.name) ?? cardholderName(present?.cardholder_name),
      postalCode: trimmedStr(obj(billing?.address)?.postal_code),
    },
    // A sale collected offline is dated when the reader stored it; a refund keeps its own time.
    ...(kind === 'payment' ? offlineSale(offlineOf(present), stringRecord(charge.metadata)) : { metadata: stringRecord(charge.metadata) }),
  };
}

function fromPaymentIntent(type: string, pi: Obj): Draft | undefined {
  const methodTypes = Array.isArray(pi.payment_method_types) ? pi.payment_method_types : [];
  if (!methodTypes.some((t) => CARD_PRESENT_TYPES.has(String(t)))) return undefined;
  const failed = type === 'payment_intent.payment_failed';
  const lastError = obj(pi.last_payment_error);
  // The card is on the charge: expanded `latest_charge`, or `charges.data[0]` on API versions before 2022-11-15.
  const charge = obj(pi.latest_charge) ?? obj((obj(pi.charges)?.data as unknown[] | undefined)?.[0]);
  // A reader takes other methods too (WeChat Pay, Affirm, PayNow: a QR code on its screen): the method a charge shows
  // decides, not the ones the PaymentIntent allowed.
  // `payment_method` expanded (stripe-node: string | PaymentMethod | null) is the method used, and says the same; a
  // charge whose payment_method_details is null (stripe-node allows it) says nothing.
  const usedMethod = obj(pi.payment_method);
  const chargeMethod = str(obj(charge?.payment_method_details)?.type) ?? str(usedMethod?.type);
  if (chargeMethod && !CARD_PRESENT_TYPES.has(chargeMethod)) return undefined;
  const fromChargeDraft = charge ? fromCharge('charge.succeeded', charge) : undefined;
  const chargeDetails = fromChargeDraft ? obj(charge?.payment_method_details) : undefined;
  const chargePresent = obj(chargeDetails?.[str(chargeDetails?.type) ?? '']);
  const presentOf = (method: Obj | undefined) => obj(method?.card_present) ?? obj(method?.interac_present);
  // The card as read: the charge's, else the PaymentMethod the decline names (failed) or the one used (succeeded).
  const errorPresent = presentOf(obj(lastError?.payment_method));
  const methodPresent = failed ? errorPresent ?? presentOf(usedMethod) : presentOf(usedMethod) ?? errorPresent;
  const currency = String(pi.currency ?? '');
  const minor = failed ? (int(pi.amount) ?? 0) : (int(pi.amount_received) ?? int(pi.amount) ?? 0);
  return {
    kind: failed ? 'failure' : 'payment',
    paymentId: String(pi.id),
    amount: money(minor, currency, 'amount'),
    status: failed ? 'failed' : 'succeeded',
    card: fromChargeDraft?.card ?? (methodPresent ? cardFrom(methodPresent) : undefined),
    terminal: terminalFrom(pi, chargePresent) ?? fromChargeDraft?.terminal,
    customerHints: {
      ...fromChargeDraft?.customerHints,
      processorCustomerId: idOf(pi.customer) ?? fromChargeDraft?.customerHints.processorCustomerId,
      email: trimmedStr(pi.receipt_email) ?? fromChargeDraft?.customerHints.email,
    },
    // last_payment_error is null once the PaymentIntent is updated again (stripe-node); the declined charge, where it
    // is there (expanded, or listed before 2022-11-15), still says why.
    failure: failed
      ? {
          code: str(lastError?.decline_code) ?? str(lastError?.code) ?? str(charge?.failure_code),
          message: str(lastError?.message) ?? str(charge?.failure_message),
        }
      : undefined,
    // The PaymentIntent says nothing of the reader being offline: its charge does (expanded, or listed before
    // 2022-11-15), else the PaymentMethod used (expanded). A payment_intent.succeeded as webhooks send it names
    // neither, so it is dated at its event, and the ledger moves the sale to its charge's time when that arrives.
    ...(failed ? { metadata: stringRecord(pi.metadata) } : offlineSale(offlineOf(chargePresent) ?? offlineOf(presentOf(usedMethod)), stringRecord(pi.metadata))),
  };
}

/**
 * A refund that failed (Refund.status "failed": "Refunds can fail if the customer's bank or card issuer can't
 * process it", the money back with the merchant): the reversal of that refund, by its id, which takes it out of what
 * charge.refunded counted (ledger/payment-rules.ts reportedRefundOf), or keeps it from counting when it comes first.
 * charge.refunded counts every other refund, so another status says nothing new; "canceled" is only ever a refund
 * that required the customer's action (stripe-node: "Only refunds for payment methods that require customer action
 * can enter the requires_action state"), never a card's. A Refund names no card: whether its sale was card-present
 * is for the ledger to know (a reversal of a refund it never counted changes nothing and makes no customer).
 */
function fromFailedRefund(type: string, refund: Obj): Draft {
  const status = str(refund.status);
  if (status !== 'failed') {
    throw new IgnoredEventError(type, `the refund is ${status ?? 'of no status'}: charge.refunded counts Stripe's refunds, and a refund's own event is read only once the refund failed`);
  }
  const refundId = str(refund.id);
  // The sale is its PaymentIntent, as charge.refunded names it: a refund naming none (payment_intent null) whose charge
  // is expanded names it through that charge.
  const paymentId = idOf(refund.payment_intent) ?? idOf(obj(refund.charge)?.payment_intent) ?? idOf(refund.charge);
  if (!refundId || !paymentId) throw new IgnoredEventError(type, 'the failed refund names no refund id or no payment it refunds');
  return {
    kind: 'refund',
    paymentId,
    amount: money(int(refund.amount) ?? 0, String(refund.currency ?? ''), 'amount'),
    refund: { id: refundId, cumulative: false, reversed: true },
    // What the sale is as far as this refund goes: it stands.
    status: 'succeeded',
    customerHints: { processorCustomerId: idOf(refund.customer) },
    metadata: {
      ...stringRecord(refund.metadata),
      refund_id: refundId,
      refund_status: status,
      ...(str(refund.failure_reason) ? { failure_reason: str(refund.failure_reason)! } : {}),
      ...(idOf(refund.charge) ? { charge_id: idOf(refund.charge)! } : {}),
    },
  };
}

/** Stripe's dispute statuses → the PaymentEvent's status convention (see disputePhase). */
const DISPUTE_OUTCOMES: Record<string, PaymentEvent['status']> = {
  won: 'succeeded',
  // An inquiry that closed without becoming a chargeback, or one the network stopped: the merchant keeps the money.
  warning_closed: 'succeeded',
  prevented: 'succeeded',
  lost: 'refunded',
};

/**
 * A dispute names its charge and PaymentIntent but carries no card details, so it cannot say by itself whether
 * the sale was card-present: only an expanded `charge` can. Otherwise a card dispute is passed on, and the
 * PaymentIntent id (the same paymentId as the sale's own events) ties it to the customer of a recorded sale. A
 * dispute of an online sale this pack never saw is recorded without a customer (it never creates one).
 */
function fromDispute(dispute: Obj): Draft | undefined {
  const charge = obj(dispute.charge);
  const chargeDraft = charge ? fromCharge('charge.succeeded', charge) : undefined;
  // An expanded charge whose payment_method_details is null (stripe-node allows it) says no more than its id.
  if (charge && obj(charge.payment_method_details) && !chargeDraft) return undefined;
  const methodType = str(obj(dispute.payment_method_details)?.type);
  if (methodType && methodType !== 'card') return undefined;
  const processorStatus = str(dispute.status);
  return {
    kind: 'dispute',
    paymentId: idOf(dispute.payment_intent) ?? idOf(charge?.payment_intent) ?? String(idOf(dispute.charge) ?? dispute.id),
    amount: money(int(dispute.amount) ?? 0, String(dispute.currency ?? ''), 'amount'),
    status: DISPUTE_OUTCOMES[processorStatus ?? ''] ?? 'disputed',
    card: chargeDraft?.card,
    terminal: chargeDraft?.terminal,
    customerHints: chargeDraft?.customerHints ?? {},
    dispute: str(dispute.id) ? { id: str(dispute.id)!, reason: str(dispute.reason), processorStatus } : undefined,
    metadata: stringRecord(dispute.metadata),
  };
}

function cardFrom(present: Obj): Card {
  const funding = str(present.funding);
  const wallet = str(obj(present.wallet)?.type);
  const fingerprint = str(present.fingerprint);
  return {
    // Stripe's names are the pack's, but its display names ("American Express") and "unknown" are read too.
    brand: cardBrand(present.brand),
    last4: str(present.last4),
    bin: str(present.iin),
    expMonth: int(present.exp_month),
    expYear: int(present.exp_year),
    funding: funding === 'credit' || funding === 'debit' || funding === 'prepaid' ? funding : funding ? 'unknown' : undefined,
    entryMode: ENTRY_MODES[str(present.read_method) ?? ''] ?? 'unknown',
    wallet: wallet && wallet !== 'unknown' ? wallet : undefined,
    identity: fingerprint ? { kind: 'fingerprint', value: fingerprint } : undefined,
  };
}

/**
 * The reader and its location: Stripe records both on the charge's `card_present` / `interac_present` details
 * (`reader`, `location`; stripe-node's changelog, "Add support for location and reader on
 * Charge.payment_method_details.card_present"). Charges from before then, and PaymentIntents, carry them only
 * where the integration put them in metadata, under the names Stripe's Terminal samples and most POS apps use.
 */
function terminalFrom(o: Obj, present?: Obj): PaymentEvent['terminal'] {
  const md = obj(o.metadata) ?? {};
  const readerId = str(present?.reader) ?? str(md.reader_id) ?? str(md.terminal_reader) ?? str(md.reader);
  const locationId = str(present?.location) ?? str(md.location_id) ?? str(md.terminal_location) ?? str(md.location);
  return readerId || locationId ? { readerId, locationId } : undefined;
}

function stringRecord(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(obj(v) ?? {})) if (val !== null && val !== undefined) out[k] = String(val);
  return out;
}
