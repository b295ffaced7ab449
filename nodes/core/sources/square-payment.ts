import { PAYMENT_EVENT_SCHEMA_VERSION, type CustomerHints, type PaymentEvent } from '../contracts/payment-event';
import { IgnoredEventError, InputError } from '../errors';
import { namespacedEventId, type SourceContext } from './source';
import { canLookUp, lookUpCustomer, type SquareCustomerHints } from './square-api';
import { cardPresence, chargedMoney, squareCardholderName, deviceOf, squareCard } from './square-card';
import type { Money } from '../contracts/money';
import type { SquareCredentials } from './square-credentials';
import { isoTimeOf } from './iso-time';
import { scrubbedPaymentEvent } from './scrubbed-event';
import { obj, trimmedStr, type Obj } from '../json/json-values';

/** Everything but what the envelope decides (id, type, time, livemode). */
export type Draft = Omit<PaymentEvent, 'schemaVersion' | 'id' | 'source' | 'type' | 'occurredAt' | 'livemode'>;

/**
 * Payment statuses that are neither a sale nor a decline. APPROVED is an authorization not yet captured (delayed
 * capture, or a sale waiting for its tip): counting it would count money that a void can still take back, so the
 * sale is recorded when Square reports it COMPLETED. CANCELED is such an authorization voided: nothing moved and
 * the card was not declined, so it is no failure either.
 */
const PAYMENT_STATUS_WHY: Record<string, string> = {
  APPROVED: 'the card is authorized but not captured yet; the sale is recorded when Square reports the payment COMPLETED (and never if it is canceled)',
  PENDING: 'the payment is still pending; it is recorded when Square reports it COMPLETED',
  CANCELED: 'the authorization was voided before capture: no money moved and the card was not declined',
};

/** The envelope and the draft → a validated, scrubbed PaymentEvent. */
export function finish(processorEventId: string, type: string, occurredAt: string, livemode: boolean, draft: Draft, extra: Record<string, string | undefined> = {}): PaymentEvent {
  const event = {
    schemaVersion: PAYMENT_EVENT_SCHEMA_VERSION,
    id: namespacedEventId('square', processorEventId),
    source: 'square',
    type,
    occurredAt,
    livemode,
    ...draft,
    metadata: compact({ ...extra, ...draft.metadata }),
  };
  // Scrubbed here as well as in tokenize: a clerk can type a card number into a payment's note, and the
  // normalized event is what a Temporal workflow receives as input (and so keeps in its history).
  return scrubbedPaymentEvent(event);
}

/** A COMPLETED card-present payment → a sale; a FAILED one → a decline; anything else is ignored with the reason. */
export async function paymentDraft(type: string, payment: Obj, credentials: SquareCredentials, ctx: SourceContext): Promise<Draft> {
  const presence = cardPresence(payment);
  if (!presence.present) throw new IgnoredEventError(type, presence.why);
  const status = trimmedStr(payment.status) ?? 'UNKNOWN';
  if (status !== 'COMPLETED' && status !== 'FAILED') throw new IgnoredEventError(type, PAYMENT_STATUS_WHY[status] ?? `payment status ${status} is neither COMPLETED nor FAILED`);
  const paymentId = trimmedStr(payment.id);
  if (!paymentId) throw new InputError('data.object.payment.id', 'the Square payment has no id', 'pass the verified webhook body unchanged');
  const failed = status === 'FAILED';
  const problems: string[] = [];
  const customerHints = await hintsFor(payment, credentials, ctx, problems);
  const error = obj((obj(payment.card_details)?.errors as unknown[] | undefined)?.[0]);
  return {
    kind: failed ? 'failure' : 'payment',
    paymentId,
    amount: chargedAmount(payment),
    status: failed ? 'failed' : 'succeeded',
    card: squareCard(payment, presence.entryMode),
    terminal: terminalOf(payment),
    customerHints,
    failure: failed ? { code: trimmedStr(error?.code), message: trimmedStr(error?.detail) } : undefined,
    metadata: compact({ ...paymentMetadata(payment), square_lookup: problems.join('; ') || undefined }),
  };
}

/**
 * What the card was charged (chargedMoney: total_money, the amount and the tip). A payment that states no amount at
 * all is no payment Square sends (amount_money is required to create one): that is an error naming the field.
 */
export function chargedAmount(payment: Obj): Money {
  const charged = chargedMoney(payment);
  if (charged) return charged;
  throw new InputError('total_money', 'is missing or not a Square Money object {amount, currency}, and so is amount_money', 'pass the verified Square event unchanged');
}

/**
 * The buyer as the payment names them, completed from the Customer Directory when a token allows: the payment's
 * own receipt email and billing postcode first (they are this sale's), the profile's name before the card's.
 */
export async function hintsFor(payment: Obj, credentials: SquareCredentials, ctx: SourceContext, problems: string[]): Promise<CustomerHints> {
  const customerId = trimmedStr(payment.customer_id);
  let profile: SquareCustomerHints = {};
  if (customerId && canLookUp(credentials, ctx)) {
    const r = await lookUpCustomer(credentials, ctx, customerId);
    if (r.ok) profile = r.value;
    else problems.push(r.problem);
  }
  return {
    processorCustomerId: customerId,
    email: trimmedStr(payment.buyer_email_address) ?? profile.email,
    phone: profile.phone,
    name: profile.name ?? squareCardholderName(payment),
    postalCode: trimmedStr(obj(payment.billing_address)?.postal_code) ?? profile.postalCode,
  };
}

export function terminalOf(payment: Obj): PaymentEvent['terminal'] {
  const device = deviceOf(payment);
  const readerId = device.deviceId ?? device.installationId;
  const locationId = trimmedStr(payment.location_id);
  return readerId || locationId ? { readerId, locationId } : undefined;
}

/** References an operator may look for in the CRM; never card data (scrubbed again in finish). */
function paymentMetadata(payment: Obj): Record<string, string> {
  const details = obj(payment.card_details) ?? {};
  const app = obj(payment.application_details) ?? {};
  const tip = obj(payment.tip_money)?.amount;
  return compact({
    location_id: trimmedStr(payment.location_id),
    order_id: trimmedStr(payment.order_id),
    reference_id: trimmedStr(payment.reference_id),
    receipt_number: trimmedStr(payment.receipt_number),
    note: trimmedStr(payment.note),
    payment_status: trimmedStr(payment.status),
    card_status: trimmedStr(details.status),
    entry_method: trimmedStr(details.entry_method),
    square_product: trimmedStr(app.square_product),
    application_id: trimmedStr(app.application_id),
    device_name: deviceOf(payment).name,
    team_member_id: trimmedStr(payment.team_member_id),
    terminal_checkout_id: trimmedStr(payment.terminal_checkout_id),
    tip_minor: typeof tip === 'number' && tip > 0 ? String(tip) : undefined,
    offline: payment.is_offline_payment === true ? 'true' : undefined,
  });
}

/** When the buyer paid: an offline payment's own clock first, as it reaches Square only once the reader is back online. */
export function paymentTime(payment: Obj): string | undefined {
  return isoTime(obj(payment.offline_payment_details)?.client_created_at) ?? isoTime(payment.created_at);
}

/** RFC 3339 → ISO with offset; a timestamp without a zone is read as UTC, never as this machine's local time. */
export function isoTime(v: unknown): string | undefined {
  const s = trimmedStr(v);
  if (!s) return undefined;
  return isoTimeOf(/(?:Z|[+-]\d{2}:?\d{2})$/i.test(s) ? s : `${s}Z`);
}

export function compact(r: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(r)) if (typeof v === 'string' && v.length > 0) out[k] = v;
  return out;
}
