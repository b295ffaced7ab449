import { IgnoredEventError, InputError } from '../errors';
import type { Money } from '../contracts/money';
import {
  PAYMENT_EVENT_SCHEMA_VERSION,
  type PaymentEvent,
} from '../contracts/payment-event';
import { cardFrom, cloverList, customerHintsFrom } from './clover-card';
import { moneyFromProcessor, type ExponentRules } from './processor-money';
import { namespacedEventId } from './source';
import { scrubbedPaymentEvent } from './scrubbed-event';
import { obj, trimmedStr, safeInt, type Obj } from '../json/json-values';
import { statusAfterRefunds } from './refund-status';
import { NO_STORE_FOR_VOID, voidAmountMetadata, voidAmountOf, type VoidAmountFrom } from './void-amount';

/**
 * Clover's REST API gives every amount "in cents" (Payment.amount, Refund.amount; docs.clover.com payment response
 * reference): the currency's ISO 4217 minor unit. Clover documents no currency of its own exponent.
 */
export const CLOVER_EXPONENTS: ExponentRules = {};

/**
 * Clover has no event ids or event types: a notification only says that payment P changed. These names describe
 * what the fetched payment shows; each carries an id of Clover's own (the payment's, each refund's).
 */
export const CLOVER_EVENT_TYPES = {
  payment: 'payment.success',
  /** The amount an auth (tip-adjustable) was read at: what its tip made of it. */
  tipAdjusted: 'payment.amount',
  failure: 'payment.fail',
  voided: 'payment.voided',
  refund: 'refund.success',
  refundVoided: 'refund.voided',
  refundFailed: 'refund.fail',
} as const;

/** Card on file, QR codes and scanned codes are not a card at a terminal. */
const NOT_CARD_PRESENT = new Set(['VAULTED', 'QR_CODE', 'SCANNED']);

/** Payment results (Result enum) that are a completed sale. */
const SUCCEEDED = new Set(['SUCCESS', 'AUTH_COMPLETED', 'VOID_FAILED']);

export interface CloverPaymentOptions {
  merchantId: string;
  livemode: boolean;
  /** Used when neither the card transaction nor the order names a currency. */
  currency: string;
  /**
   * When the payment was read (the notification's ts, or now): its time when it names none of its own (createdTime,
   * clientCreatedTime and modifiedTime are all optional in Clover's Payment).
   */
  readAt?: string;
  /**
   * For a void naming no amount (voidedNamingNoAmount): the sales the ledger holds of the payments it voids, with the
   * amount it counts for each (LedgerView.sales; a payment it holds none of is voided at 0, its amount the sale's once
   * that arrives); undefined when the caller has no store.
   */
  ledgerSales?: ReadonlyMap<string, Money>;
}

/** Payment.voidPaymentRef: "If voided, the corresponding successful payment, and vice versa" (Clover's SDK). */
function pairedPaymentOf(p: Obj, paymentId: string): string | undefined {
  const linked = trimmedStr(obj(p.voidPaymentRef)?.id);
  return linked && linked !== paymentId ? linked : undefined;
}

/** A void: read VOIDED, or one record of a void pair (voidPaymentRef) read successful, its void not failed. */
function isVoid(result: string, pairedWith: string | undefined): boolean {
  return result === 'VOIDED' || (pairedWith !== undefined && SUCCEEDED.has(result) && result !== 'VOID_FAILED');
}

/**
 * The payments a void that names no amount voids (itself, and the one its voidPaymentRef names), whose sales the
 * ledger is asked about (LedgerView.sales); undefined for a payment that names its amount, or is no void.
 */
export function voidedNamingNoAmount(payment: unknown): string[] | undefined {
  const p = obj(payment);
  const paymentId = trimmedStr(p?.id);
  if (!p || !paymentId || safeInt(p.amount) !== undefined) return undefined;
  const pairedWith = pairedPaymentOf(p, paymentId);
  return isVoid(trimmedStr(p.result) ?? '', pairedWith) ? [paymentId, ...(pairedWith ? [pairedWith] : [])] : undefined;
}

type Draft = Omit<PaymentEvent, 'schemaVersion' | 'source' | 'livemode'>;

/**
 * One payment as GET /v3/merchants/{mId}/payments/{id}?expand=cardTransaction,tender,refunds,order returns it →
 * its events: the sale (or the decline), its void before it when voided, and one refund event per refund. Every
 * one is keyed by an id of Clover's own, so the same payment fetched again — after another notification, or by
 * polling — gives the same ids and the inbox keeps each fact once.
 */
export function normalizeCloverPayment(payment: unknown, options: CloverPaymentOptions): PaymentEvent[] {
  const p = obj(payment);
  const paymentId = trimmedStr(p?.id);
  if (!p || !paymentId) throw new InputError('payment', 'this is not a Clover payment (no id)', 'pass the payment as Clover\'s REST API returns it');
  const ct = obj(p.cardTransaction);
  const result = trimmedStr(p.result) ?? '';
  if (!ct) {
    // Payment.cardTransaction is optional: a payment of another tender has none, and so has one recorded with a card
    // tender for a card taken on some other device. Either way no card was read at a Clover terminal.
    const tender = trimmedStr(obj(p.tender)?.label) ?? trimmedStr(obj(p.tender)?.labelKey) ?? 'a non-card tender';
    const cardTender = /(credit|debit)_card$/.test(trimmedStr(obj(p.tender)?.labelKey) ?? '');
    throw new IgnoredEventError(
      CLOVER_EVENT_TYPES.payment,
      cardTender ? `payment ${paymentId} was paid with ${tender} but has no card transaction: no card was read at a Clover device` : `payment ${paymentId} was paid with ${tender}, not a card`,
    );
  }
  const entryType = trimmedStr(ct.entryType) ?? '';
  if (NOT_CARD_PRESENT.has(entryType)) throw new IgnoredEventError(CLOVER_EVENT_TYPES.payment, `payment ${paymentId} was not card-present (entry type ${entryType})`);
  const order = obj(p.order);
  const currency = trimmedStr(ct.currency) ?? trimmedStr(order?.currency) ?? options.currency;
  const money = (minor: number, field: string) => moneyFromProcessor(minor, currency, CLOVER_EXPONENTS, field);
  // Clover keeps the tip apart from the amount; the card was charged both.
  const charged = (safeInt(p.amount) ?? 0) + (safeInt(p.tipAmount) ?? 0);
  // When the payment was made, and when it last changed (a void, a tip adjusted): each falls back on the other times
  // Clover may give, then on the time it was read.
  const madeAt = timeOf([[p.createdTime, 'createdTime'], [p.clientCreatedTime, 'clientCreatedTime'], [p.modifiedTime, 'modifiedTime']], options.readAt);
  const changedAt = timeOf([[p.modifiedTime, 'modifiedTime'], [p.createdTime, 'createdTime'], [p.clientCreatedTime, 'clientCreatedTime']], options.readAt);
  const shared = {
    paymentId,
    card: cardFrom(ct, p),
    terminal: { readerId: trimmedStr(obj(p.device)?.id), locationId: options.merchantId },
    customerHints: customerHintsFrom(ct, order),
  };
  const metadata = metadataOf(p, ct, order, options.merchantId);
  // Payment.voidPaymentRef (Clover's SDK): "If voided, the corresponding successful payment, and vice versa". A void
  // can thus be a record of its own, linked both ways to the payment it voids, and the type does not say which of the
  // two is the sale. Either record of such a pair says the pair was voided: it voids itself and the payment it names
  // (each under that payment's own void id), so whichever arrives first, the sale is voided once and the void record
  // never counts as a sale. A void that failed (VOID_FAILED) leaves the sale standing.
  const pairedWith = pairedPaymentOf(p, paymentId);
  const voided = isVoid(result, pairedWith);
  const drafts: Draft[] = [];
  /** An event about the payment itself (not one of its refunds): what the card was charged, tip included. */
  const aboutPayment = ({ amount, ...d }: Omit<Draft, keyof typeof shared | 'amount' | 'metadata'> & { metadata?: Draft['metadata']; paymentId?: string; amount?: Money }): Draft => ({
    ...shared, amount: amount ?? money(charged, 'amount'), metadata, ...d,
  });
  const voidReason = trimmedStr(p.voidReason);
  /**
   * The void of payment `id`: the sale moved no money after all (sale.voided). `amountFrom` says where the amount of a
   * void naming none comes from: the ledger's sale, or (at 0) the sale still to arrive.
   */
  const voidOf = (id: string, amount?: Money, amountFrom?: VoidAmountFrom): Draft => aboutPayment({
    id: namespacedEventId('clover', `${id}:void`),
    paymentId: id,
    type: CLOVER_EVENT_TYPES.voided,
    kind: 'failure',
    status: 'failed',
    occurredAt: changedAt,
    failure: { code: 'VOIDED', message: voidReason },
    sale: { voided: true },
    amount,
    metadata: { ...metadata, ...(voidReason ? { voidReason } : {}), ...voidAmountMetadata(amountFrom) },
  });
  // Payment.amount is optional in Clover's reference: a payment that names none is no sale of its tip alone (nor of
  // nothing), and its id must stay free for a read that names it. A void naming none still says the sale moved no
  // money, whatever it was: it is recorded at the amount the ledger counts for its sale (ledgerSales), or at 0 before
  // the sale arrives, as void-amount.ts says; with no store it is acknowledged, saying why.
  if (safeInt(p.amount) === undefined) {
    const voidedIds = voidedNamingNoAmount(p);
    const held = options.ledgerSales;
    if (voidedIds && held) {
      return voidedIds.map((id) => {
        const { amount, from } = voidAmountOf(held, id, () => money(0, 'amount'));
        return scrubbedPaymentEvent({ schemaVersion: PAYMENT_EVENT_SCHEMA_VERSION, source: 'clover', livemode: options.livemode, ...voidOf(id, amount, from) });
      });
    }
    const why = voided ? `, and ${NO_STORE_FOR_VOID}` : '';
    throw new IgnoredEventError(CLOVER_EVENT_TYPES.payment, `payment ${paymentId} names no amount${why}`);
  }

  if (result === 'FAIL') {
    drafts.push(aboutPayment({
      id: namespacedEventId('clover', paymentId),
      type: CLOVER_EVENT_TYPES.failure,
      kind: 'failure',
      status: 'failed',
      occurredAt: madeAt,
      failure: { code: result, message: trimmedStr(obj(ct.extra)?.responseMessage) },
    }));
  } else if (voided) {
    // Voided before settlement, the sale moved no money: a void of the sale (sale.voided), as Adyen's CAPTURE_FAILED
    // and SumUp's CANCELLED are, so a sale seen earlier gives all it counted back and is no longer a payment or a visit.
    // It goes before the sale of the same read, so that sale never counts: it enrols no one in a loyalty program and
    // sends no welcome the void would take back a moment later (the ledger's outcome is the same in either order).
    drafts.push(voidOf(paymentId));
    if (pairedWith) drafts.push(voidOf(pairedWith));
  }
  if (SUCCEEDED.has(result) || result === 'VOIDED') {
    drafts.push(aboutPayment({
      id: namespacedEventId('clover', paymentId),
      type: CLOVER_EVENT_TYPES.payment,
      kind: 'payment',
      status: 'succeeded',
      occurredAt: madeAt,
    }));
  }
  // An auth is tip-adjusted after it was authorized ("Auth: tip-adjustable", docs.clover.com transaction types): the
  // same payment read again shows the new tip, under the same id, which the inbox takes for the sale already kept. So
  // the amount an auth with a tip is read at is reported under an id of its own, as a report on the sale
  // (sale.adjusted), the latest by modifiedTime saying what it brings (a tip corrected down gives the difference
  // back). An auth with no tip needs none: the sale says it all.
  if (SUCCEEDED.has(result) && !voided && trimmedStr(ct.type) === 'AUTH' && (safeInt(p.tipAmount) ?? 0) !== 0) {
    drafts.push(aboutPayment({
      id: namespacedEventId('clover', `${paymentId}:amount:${charged}`),
      type: CLOVER_EVENT_TYPES.tipAdjusted,
      kind: 'payment',
      status: 'succeeded',
      occurredAt: changedAt,
      sale: { voided: false, adjusted: true },
    }));
  }
  if (SUCCEEDED.has(result) && !voided) drafts.push(...refundDrafts(p, shared, metadata, charged, money, madeAt));
  if (drafts.length === 0) throw new IgnoredEventError(`payment.${result.toLowerCase() || 'unknown'}`, `payment ${paymentId} is ${result || 'of no result'}, not final yet`);
  return drafts.map((d) => scrubbedPaymentEvent({ schemaVersion: PAYMENT_EVENT_SCHEMA_VERSION, source: 'clover', livemode: options.livemode, ...d }));
}

/**
 * Clover lists a payment's refunds on it, each with its own id and amount, so each counts once by its id. A refund
 * Clover shows voided or failed gave nothing back: it is reported reversed, under an id of its own, which takes back
 * what an earlier read of the payment counted for it, or keeps it from ever counting. `refundedTotal` is what the
 * refunds standing so far add up to, in the order they were made.
 */
function refundDrafts(
  p: Obj,
  shared: Pick<Draft, 'paymentId' | 'card' | 'terminal' | 'customerHints'>,
  metadata: Record<string, string>,
  charged: number,
  money: (minor: number, field: string) => PaymentEvent['amount'],
  paidAt: string,
): Draft[] {
  const refunds = cloverList(p.refunds)
    .filter((r) => trimmedStr(r.id))
    // Refund.amount is optional: a refund that names none is not counted (as nothing or as all), and its id stays
    // free for a later read that names it.
    .filter((r) => safeInt(r.amount) !== undefined)
    // When each was made: createdTime, else clientCreatedTime, else the payment's time; in that order they add up.
    .map((r) => ({ r, at: timeOf([[r.createdTime, 'refunds.createdTime'], [r.clientCreatedTime, 'refunds.clientCreatedTime']], paidAt) }))
    .sort((a, b) => a.at.localeCompare(b.at));
  let standing = 0;
  const out: Draft[] = [];
  for (const { r, at } of refunds) {
    const refundId = trimmedStr(r.id)!;
    const status = trimmedStr(r.status) ?? 'SUCCESS';
    // RefundStatus is FAIL, SUCCESS, PENDING or VOIDED; the voided flag says the same of a refund read before that status.
    const undone = r.voided === true || status === 'VOIDED' ? 'voided' : status === 'FAIL' ? 'failed' : undefined;
    // Any other status is not final yet: the refund is read when Clover says how it ended.
    if (!undone && status !== 'SUCCESS') continue;
    // A refund's amount is the "total amount refunded, including tax and tip" (the SDK's Refund): its tipAmount is
    // the part of it that was tip, not more money, whereas a payment's amount leaves its tip out.
    const minor = safeInt(r.amount) ?? 0;
    if (!undone) standing += minor;
    out.push({
      ...shared,
      id: namespacedEventId('clover', undone ? `${refundId}:${undone}` : refundId),
      type: undone === 'voided' ? CLOVER_EVENT_TYPES.refundVoided : undone === 'failed' ? CLOVER_EVENT_TYPES.refundFailed : CLOVER_EVENT_TYPES.refund,
      kind: 'refund',
      amount: money(minor, 'refunds.amount'),
      refundedTotal: money(standing, 'refunds.amount'),
      refund: { id: refundId, cumulative: false, ...(undone ? { reversed: true as const } : {}) },
      status: statusAfterRefunds(standing, charged),
      occurredAt: at,
      metadata: {
        ...metadata,
        refundId,
        ...(trimmedStr(r.reason) ? { refundReason: trimmedStr(r.reason)! } : {}),
        ...(trimmedStr(r.voidReason) ? { refundVoidReason: trimmedStr(r.voidReason)! } : {}),
      },
    } satisfies Draft);
  }
  return out;
}

function metadataOf(p: Obj, ct: Obj, order: Obj | undefined, merchantId: string): Record<string, string> {
  const out: Record<string, string> = { merchantId };
  const put = (key: string, value: unknown) => {
    if (typeof value === 'string' && value.trim()) out[key] = value.trim();
    else if (typeof value === 'number' && Number.isFinite(value)) out[key] = String(value);
  };
  put('orderId', order?.id);
  put('employeeId', obj(p.employee)?.id);
  put('tender', obj(p.tender)?.label);
  put('result', p.result);
  put('amount', p.amount);
  put('tipAmount', p.tipAmount);
  put('taxAmount', p.taxAmount);
  put('cardTransactionType', ct.type);
  put('cardTransactionState', ct.state);
  put('entryType', ct.entryType);
  put('referenceId', ct.referenceId);
  put('externalPaymentId', p.externalPaymentId);
  put('note', p.note);
  put('voidPaymentRef', obj(p.voidPaymentRef)?.id);
  return out;
}

/** The first of the times given that is there, else `fallback`; a time there but unreadable is refused, naming it. */
function timeOf(times: [unknown, string][], fallback: string | undefined): string {
  const given = times.find(([v]) => v !== undefined && v !== null);
  if (given) return isoFromMillis(given[0], given[1]);
  if (fallback) return fallback;
  return isoFromMillis(undefined, times[0]![1]);
}

function isoFromMillis(v: unknown, field: string): string {
  const ms = safeInt(v);
  if (ms === undefined) throw new InputError(field, `"${String(v)}" is not a time in milliseconds`, 'pass the payment as Clover\'s REST API returns it');
  return new Date(ms).toISOString();
}
