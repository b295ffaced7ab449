import {
  EventKindSchema,
  PAYMENT_EVENT_SCHEMA_VERSION,
  type EventKind,
  type PaymentEvent,
} from '../contracts/payment-event';
import { CURRENCY_PATTERN, type Money } from '../contracts/money';
import { IgnoredEventError, InputError } from '../errors';
import { exponentRulesOf, handledTypesOf, type FieldSpec, type GenericConfig } from './generic-config';
import { cardOf } from './generic-card';
import { asText, readField, type FieldReader, type Found } from './generic-fields';
import { isGenericItem, parseTimestamp, type GenericItem } from './generic-verify';
import { moneyFromDecimal, moneyFromProcessor } from './processor-money';
import { namespacedEventId } from './source';
import { scrubbedPaymentEvent } from './scrubbed-event';

type Status = PaymentEvent['status'];

/** Status words gateways commonly use, for values the operator's status map does not name. */
const STATUS_WORDS: Record<string, Status> = {
  succeeded: 'succeeded', success: 'succeeded', successful: 'succeeded', approved: 'succeeded', paid: 'succeeded',
  captured: 'succeeded', completed: 'succeeded', settled: 'succeeded', won: 'succeeded',
  failed: 'failed', failure: 'failed', declined: 'failed', rejected: 'failed', refused: 'failed',
  refunded: 'refunded', lost: 'refunded', partially_refunded: 'partially_refunded',
  pending: 'pending', processing: 'pending', disputed: 'disputed', open: 'disputed',
};

/** Which statuses each kind of event can carry; anything else falls back to the first. */
const STATUSES_BY_KIND: Record<EventKind, readonly Status[]> = {
  payment: ['succeeded', 'pending'],
  failure: ['failed'],
  refund: ['refunded', 'partially_refunded'],
  dispute: ['disputed', 'succeeded', 'refunded', 'pending'],
};

/** One verified item (or a gateway object handed over directly, as polling would) → its PaymentEvent. */
export function normalizeGenericItem(item: unknown, config: GenericConfig): PaymentEvent {
  const envelope: GenericItem = isGenericItem(item) ? item : { kind: 'generic-item', payload: item, delivery: { batch: false } };
  const m = config.mapping;
  const root = envelope.payload;
  let eventType = 'this';
  const read = (name: string, spec: FieldSpec | undefined) => readField(root, spec, name);
  const text = (name: string, spec: FieldSpec | undefined) => asText(read(name, spec));
  const required = (name: string, spec: FieldSpec | undefined, what: string): Found => {
    const found = read(name, spec);
    if (!found) throw missing(name, spec, what, eventType);
    return found;
  };

  eventType = String(required('eventType', m.eventType, "the gateway's event type").value);
  const handled = handledTypesOf(config);
  if (handled.length > 0 && !handled.includes(eventType)) {
    throw new IgnoredEventError(eventType, `the ${config.name} source processes only ${handled.join(', ')} (handledEventTypes)`);
  }
  let kind = kindOf(eventType, config, read);

  const eventId = text('eventId', m.eventId) ?? deliveryEventId(envelope);
  if (!eventId) throw missing('eventId', m.eventId, "the gateway's unique event id", eventType);
  const paymentId = String(required('paymentId', m.paymentId, 'the id of the payment').value);
  const currency = currencyOf(required('currency', m.currency, 'the ISO 4217 currency code'));
  const exponents = exponentRulesOf(config);
  const moneyAt = (minorName: string, decimalName: string, minor?: FieldSpec, decimal?: FieldSpec): Money | undefined => {
    const found = decimal ? read(decimalName, decimal) : read(minorName, minor);
    if (!found) return undefined;
    return decimal ? decimalMoney(found, currency, decimalName) : minorMoney(found, currency, exponents, minorName);
  };
  const amount = moneyAt('amount', 'amountDecimal', m.amount, m.amountDecimal);
  if (!amount) throw missing(m.amountDecimal ? 'amountDecimal' : 'amount', m.amountDecimal ?? m.amount, 'the amount', eventType);

  const statusFound = read('status', m.status);
  // A refund gives money back once the gateway says it did, as Square's refunds are read: one still pending may fail,
  // one that failed gave nothing back. Recorded, either counted in the ledger as money the customer got back.
  const refundWord = kind === 'refund' && statusFound ? candidateStatus(statusFound) : undefined;
  if (refundWord === 'failed' || refundWord === 'pending') {
    const said = `${statusFound!.where} is ${JSON.stringify(statusFound!.raw)}`;
    throw new IgnoredEventError(eventType, refundWord === 'failed' ? `the refund failed (${said}): no money went back` : `the refund is pending (${said}): it is recorded when the gateway reports it succeeded`);
  }
  let status = statusOf(statusFound, kind);
  // A "payment" whose own status says it failed is a decline: the gateway uses one event type for both.
  if (kind === 'payment' && statusFound && candidateStatus(statusFound) === 'failed') {
    kind = 'failure';
    status = 'failed';
  }

  // A running total the gateway reports is cumulative; without one, the refund's own amount stands in for it and the
  // event is one refund of its own (the event id naming it), so a second partial refund adds to the first.
  const reportedTotal = kind === 'refund' ? moneyAt('refundedTotal', 'refundedTotalDecimal', m.refundedTotal, m.refundedTotalDecimal) : undefined;
  const refundedTotal = kind === 'refund' ? (reportedTotal ?? amount) : undefined;
  const paymentTotal = kind === 'refund' ? moneyAt('paymentTotal', 'paymentTotalDecimal', m.paymentTotal, m.paymentTotalDecimal) : undefined;
  // The amounts decide over a status word: "REFUNDED" is what some gateways say of any refund, partial or not.
  if (refundedTotal && paymentTotal) status = refundedTotal.minor >= paymentTotal.minor ? 'refunded' : 'partially_refunded';

  const draft = {
    schemaVersion: PAYMENT_EVENT_SCHEMA_VERSION,
    id: namespacedEventId(config.name, eventId),
    source: config.name,
    type: eventType,
    kind,
    paymentId,
    amount,
    refundedTotal,
    refund: kind === 'refund' && !reportedTotal ? { cumulative: false } : undefined,
    status,
    occurredAt: occurredAtOf(read('occurredAt', m.occurredAt) ?? standardTimestamp(config, envelope), envelope, eventType),
    livemode: livemodeOf(read('livemode', m.livemode), config.livemode),
    card: cardOf(config, read),
    terminal: optionalObject({ readerId: text('terminal.readerId', m.terminal?.readerId), locationId: text('terminal.locationId', m.terminal?.locationId) }),
    customerHints: {
      processorCustomerId: text('customer.id', m.customer?.id),
      email: text('customer.email', m.customer?.email),
      phone: text('customer.phone', m.customer?.phone),
      name: text('customer.name', m.customer?.name),
      postalCode: text('customer.postalCode', m.customer?.postalCode),
    },
    failure: kind === 'failure' ? optionalObject({ code: text('failure.code', m.failure?.code), message: text('failure.message', m.failure?.message) }) : undefined,
    dispute: kind === 'dispute'
      ? { id: text('dispute.id', m.dispute?.id) ?? paymentId, reason: text('dispute.reason', m.dispute?.reason), processorStatus: statusFound ? String(statusFound.raw) : undefined }
      : undefined,
    metadata: metadataOf(config, envelope, eventType, statusFound, read),
  };
  // Scrubbed before validation, as every source does: a clerk can type a card number into any free-text field.
  return scrubbedPaymentEvent(draft);
}

function missing(name: string, spec: FieldSpec | undefined, what: string, eventType: string): InputError {
  if (!spec) return new InputError(`mapping.${name}`, `is not configured, and ${what} is needed`, `map ${what} in the generic source configuration, such as "$.data.id"`);
  return new InputError(
    `mapping.${name}`,
    `${spec.text} found nothing in the ${eventType} event (${what})`,
    `point mapping.${name} at the field holding ${what} in this event (a list of paths is tried in order, for gateways that move it between event types)`,
  );
}

function kindOf(eventType: string, config: GenericConfig, read: FieldReader): EventKind {
  const byTypes = config.mapping.kindByType;
  // Own keys only: an event type such as "constructor" is no kind an operator mapped.
  const byType = byTypes && Object.hasOwn(byTypes, eventType) ? byTypes[eventType] : undefined;
  if (byType) return byType;
  const found = read('kind', config.mapping.kind);
  const parsed = EventKindSchema.safeParse(found ? String(found.value).toLowerCase() : undefined);
  if (parsed.success) return parsed.data;
  const why = found
    ? `its kind "${found.value}" (${found.where}) is not payment, refund, failure or dispute`
    : config.mapping.kind
      ? `mapping.kind (${config.mapping.kind.text}) gives it no payment, refund, failure or dispute kind`
      : 'mapping.kindByType does not name it';
  throw new IgnoredEventError(eventType, why);
}

/** Without a mapped id, the Standard Webhooks message id is the event id; each item of a batch adds its place. */
function deliveryEventId(item: GenericItem): string | undefined {
  const { messageId, index, batch } = item.delivery;
  if (!messageId) return undefined;
  return batch ? `${messageId}:${index}` : messageId;
}

/** The gateway's currency as ISO 4217 letters; a numeric code (ISO 8583's "978") is the operator's to map. */
function currencyOf(found: Found): string {
  const code = String(found.value).trim();
  if (CURRENCY_PATTERN.test(code)) return code;
  throw new InputError(
    'mapping.currency',
    `${found.where} holds ${JSON.stringify(found.value)}, not a three-letter ISO 4217 code`,
    'point mapping.currency at the currency\'s letters, or map the gateway\'s codes to them, such as {"path": "$.data.currency", "map": {"978": "EUR", "840": "USD"}}',
  );
}

function minorMoney(found: Found, currency: string, exponents: Record<string, number>, name: string): Money {
  const { value } = found;
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n)) {
    throw new InputError(`mapping.${name}`, `${found.where} holds ${JSON.stringify(value)}, not a whole number of minor units`, `if the gateway sends decimals such as "12.50", map "${name}Decimal" instead of "${name}"`);
  }
  // Some gateways sign refunds as negative amounts; the event's kind already says which way the money went.
  return moneyFromProcessor(Math.abs(n), currency, exponents, `mapping.${name}`);
}

function decimalMoney(found: Found, currency: string, name: string): Money {
  if (typeof found.value === 'boolean') throw new InputError(`mapping.${name}`, `${found.where} holds ${found.value}, not an amount`, 'point it at the amount');
  const money = moneyFromDecimal(found.value, currency, `mapping.${name}`);
  return { ...money, minor: Math.abs(money.minor) };
}

function candidateStatus(found: Found): Status | undefined {
  return STATUS_WORDS[String(found.value).trim().toLowerCase()];
}

function statusOf(found: Found | undefined, kind: EventKind): Status {
  const allowed = STATUSES_BY_KIND[kind];
  let candidate = found ? candidateStatus(found) : undefined;
  // A refund's own "succeeded" means the money went back.
  if (kind === 'refund' && candidate === 'succeeded') candidate = 'refunded';
  return candidate && allowed.includes(candidate) ? candidate : allowed[0]!;
}

/**
 * Unmapped, a Standard Webhooks event's time is its payload's `timestamp` ("the timestamp of when the event
 * occurred (not necessarily the same of when it was delivered)", the specification's payload structure), not the
 * webhook-timestamp it was signed at: a retry is signed again, later, and is still the same event. A batch item
 * (itemsPath) is the gateway's own shape, and a value that is no time leaves the signed time standing in.
 */
function standardTimestamp(config: GenericConfig, item: GenericItem): Found | undefined {
  if (config.scheme !== 'standard-webhooks' || item.delivery.batch) return undefined;
  const value = (item.payload as { timestamp?: unknown } | null)?.timestamp;
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  if (!parseTimestamp(typeof value === 'number' ? String(Math.trunc(value)) : value.trim())) return undefined;
  return { value, raw: value, where: '$.timestamp' };
}

function occurredAtOf(found: Found | undefined, item: GenericItem, eventType: string): string {
  if (found) {
    const date = typeof found.value === 'number' ? parseTimestamp(String(Math.trunc(found.value))) : typeof found.value === 'string' ? parseTimestamp(found.value.trim()) : undefined;
    if (!date) throw new InputError('mapping.occurredAt', `${found.where} holds ${JSON.stringify(found.value)}, not a time`, 'point it at an ISO 8601 time or a Unix time in seconds or milliseconds');
    return date.toISOString();
  }
  if (item.delivery.signedAt) return item.delivery.signedAt;
  throw new InputError('mapping.occurredAt', `nothing says when the ${eventType} event happened`, "map the event's time, such as \"$.created_at\"");
}

function livemodeOf(found: Found | undefined, fallback: boolean): boolean {
  if (!found) return fallback;
  if (typeof found.value === 'boolean') return found.value;
  return ['true', '1', 'live', 'production', 'prod'].includes(String(found.value).trim().toLowerCase());
}

function optionalObject<T extends Record<string, string | undefined>>(o: T): T | undefined {
  return Object.values(o).some((v) => v !== undefined) ? o : undefined;
}

function metadataOf(
  config: GenericConfig,
  item: GenericItem,
  eventType: string,
  status: Found | undefined,
  read: FieldReader,
): Record<string, string> {
  const out: Record<string, string> = { eventType };
  if (item.delivery.messageId) out.webhookId = item.delivery.messageId;
  if (status) out.processorStatus = String(status.raw);
  for (const [key, spec] of Object.entries(config.mapping.metadata ?? {})) {
    const found = read(`metadata.${key}`, spec);
    if (found) out[key] = String(found.value);
  }
  return out;
}
