import { IgnoredEventError, InputError } from '../errors';
import {
  PAYMENT_EVENT_SCHEMA_VERSION,
  type Card,
  type EntryMode,
  type PaymentEvent,
} from '../contracts/payment-event';
import type { Money } from '../contracts/money';
import { moneyFromDecimal } from './processor-money';
import { cardBrand } from './card-brand';
import { namespacedEventId } from './source';
import { scrubbedPaymentEvent } from './scrubbed-event';
import { obj, trimmedStr, type Obj } from '../json/json-values';
import { statusAfterRefunds } from './refund-status';
import { NO_STORE_FOR_VOID, voidAmountMetadata, voidAmountOf, type VoidAmountFrom } from './void-amount';

/**
 * SumUp writes amounts as decimal major units ("amount": 10.1, TransactionFull in SumUp's OpenAPI), so there is
 * no exponent table: `moneyFromDecimal` turns the decimal text into ISO minor units and refuses an amount with more
 * decimals than the currency has.
 */
export const SUMUP_EVENT_TYPES = {
  payment: 'PAYMENT',
  failure: 'PAYMENT_FAILED',
  cancelled: 'PAYMENT_CANCELLED',
  refund: 'REFUND',
  refundFailed: 'REFUND_FAILED',
  chargeback: 'CHARGE_BACK',
} as const;

/** EntryMode (SumUp OpenAPI) → how the card met the reader; wallets are contactless taps. */
const ENTRY_MODES: Record<string, { entryMode: EntryMode; wallet?: string }> = {
  CHIP: { entryMode: 'chip' },
  CONTACTLESS: { entryMode: 'contactless' },
  CONTACTLESS_MAGSTRIPE: { entryMode: 'contactless' },
  MAGSTRIPE: { entryMode: 'swipe' },
  MAGSTRIPE_FALLBACK: { entryMode: 'fallback' },
  MANUAL_ENTRY: { entryMode: 'keyed' },
  APPLE_PAY: { entryMode: 'contactless', wallet: 'apple_pay' },
  GOOGLE_PAY: { entryMode: 'contactless', wallet: 'google_pay' },
};

/** A card at a SumUp reader: payment_type POS (ECOM, CASH, RECURRING… are not). */
const CARD_PRESENT = 'POS';

/**
 * TransactionBase leaves `payment_type` optional. Without it, the transaction's other fields say how it was paid:
 * its `entry_mode` (EntryMode) and `simple_payment_type` ("simple name of the payment type"). These are a card at a
 * reader; those of `MAYBE_AT_READER` a card read either way (a wallet, keyed, none named); any other names a way that
 * is not a card at a reader (CUSTOMER_ENTRY, MOTO, PAYPAL, BOLETO…; CASH, CC_CUSTOMER_ENTERED, RECURRING…).
 */
const AT_READER = new Set(['CHIP', 'CONTACTLESS', 'CONTACTLESS_MAGSTRIPE', 'MAGSTRIPE', 'MAGSTRIPE_FALLBACK', 'EMV', 'CC_SIGNATURE']);
const MAYBE_AT_READER = new Set(['APPLE_PAY', 'GOOGLE_PAY', 'MANUAL_ENTRY', 'NONE', 'N/A', 'CARD', 'ELV', 'ELV_WITHOUT_SIGNATURE']);

/**
 * Why a transaction is not a card at a reader, or undefined when it is one: payment_type POS; or, naming no
 * payment_type, a card it carries (or a reader's entry mode) and nothing saying it was paid another way.
 */
function notCardPresent(t: Obj, label: string): string | undefined {
  const paymentType = trimmedStr(t.payment_type);
  if (paymentType) return paymentType === CARD_PRESENT ? undefined : `transaction ${label} is ${paymentType}, not a card at a reader (POS)`;
  const ways = [trimmedStr(t.entry_mode), trimmedStr(t.simple_payment_type)].filter((w): w is string => !!w);
  const other = ways.find((w) => !AT_READER.has(w) && !MAYBE_AT_READER.has(w));
  if (other) return `transaction ${label} names no payment_type and was paid by ${other}, not a card at a reader`;
  const card = obj(t.card);
  if (ways.some((w) => AT_READER.has(w)) || trimmedStr(card?.last_4_digits) || trimmedStr(card?.type)) return undefined;
  return `transaction ${label} names no payment_type and carries no card: nothing says a card was taken at a reader`;
}

/** Statuses of a transaction whose money was taken (later refunds and chargebacks are events of their own). */
const TAKEN = new Set(['SUCCESSFUL', 'REFUNDED', 'PAID_OUT', 'CHARGEBACK', 'CHARGE_BACK', 'REFUND_FAILED', 'NON_COLLECTION', 'CANCEL_FAILED']);
const NOT_TAKEN = new Set(['FAILED', 'CANCELLED']);
/**
 * CANCELLED: "cancelled or reversed and is no longer payable … to the merchant" (simple_status in SumUp's
 * TransactionFull; CANCEL_FAILED is "an attempt to cancel or reverse the payment" that did not complete). The
 * transaction is read as it is now, so this is also what a sale read SUCCESSFUL before becomes once it is cancelled:
 * it goes as a void of the sale under an id of its own (the sale's id is taken by its payment event), which takes
 * back what the sale counted, or keeps a sale never seen from counting.
 */
const CANCELLED = 'CANCELLED';

const idText = (v: unknown): string | undefined => (typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : trimmedStr(v));

/** TransactionBase.id is optional: the id the transaction was fetched by (or the notification names) stands for it. */
const transactionIdOf = (t: Obj, knownId: string | undefined): string | undefined => trimmedStr(t.id) ?? trimmedStr(t.transaction_id) ?? knownId;

const namesAmount = (t: Obj): boolean => typeof t.amount === 'number' || typeof t.amount === 'string';

const isCancelled = (t: Obj): boolean => trimmedStr(t.status) === CANCELLED || trimmedStr(t.simple_status) === CANCELLED;

/** What a transaction read CANCELLED leaves out that its amount cannot be read without; undefined when it names both. */
function unreadAmount(t: Obj): string | undefined {
  const missing = [namesAmount(t) ? undefined : 'amount', trimmedStr(t.currency) ? undefined : 'currency'].filter((f) => f);
  return missing.length ? `names no ${missing.join(' or ')}` : undefined;
}

/**
 * The sale a transaction read CANCELLED whose amount cannot be read (it names no amount, or no currency) is the void of
 * (its id, as normalizeSumUpTransaction reads it), whose amount the ledger is asked about (LedgerView.sales);
 * undefined for any other transaction.
 */
export function cancelledWithUnreadAmount(transaction: unknown, knownId?: string): string[] | undefined {
  const t = obj(transaction);
  const id = t && transactionIdOf(t, knownId);
  return t && id && isCancelled(t) && unreadAmount(t) ? [id] : undefined;
}

/**
 * Whether a transaction read CANCELLED naming no currency, of a sale the ledger does not hold (`ledgerSales`, as
 * LedgerView.sales answers for cancelledWithUnreadAmount), needs the merchant's default currency: it is recorded at 0
 * in that currency until the sale arrives (void-amount.ts).
 */
export function cancelledNeedsMerchantCurrency(transaction: unknown, knownId: string | undefined, ledgerSales: ReadonlyMap<string, Money> | undefined): boolean {
  const t = obj(transaction);
  const id = cancelledWithUnreadAmount(transaction, knownId)?.[0];
  return !!t && !!id && !!ledgerSales && !ledgerSales.has(id) && !trimmedStr(t.currency);
}

/**
 * The merchant's default currency (Merchant.default_currency, "the default currency for the account", GET
 * /v1/merchants/{merchant_code}), or why it is not known.
 */
export type MerchantCurrency = { currency: string } | { why: string };

type Draft = Omit<PaymentEvent, 'schemaVersion' | 'source' | 'livemode'>;

/**
 * One transaction as SumUp's transactions API returns it (TransactionFull) → its events: the sale or its failure,
 * one refund event per REFUND event, one dispute event per CHARGE_BACK event. The sale is keyed by the
 * transaction id, refunds and chargebacks by SumUp's own event ids, so a webhook hint and a poll of the same
 * transaction give the same ids. `ledgerSales`: for a transaction read CANCELLED whose amount cannot be read
 * (cancelledWithUnreadAmount), what the caller's ledger holds of its sale (LedgerView.sales); undefined with no store.
 * `merchantCurrency`: for one of those naming no currency whose sale the ledger does not hold
 * (cancelledNeedsMerchantCurrency), the merchant's default currency, which its 0 is written in until the sale arrives.
 */
export function normalizeSumUpTransaction(
  transaction: unknown,
  readAt?: string,
  knownId?: string,
  ledgerSales?: ReadonlyMap<string, Money>,
  merchantCurrency?: MerchantCurrency,
): PaymentEvent[] {
  const t = obj(transaction);
  const id = t ? transactionIdOf(t, knownId) : undefined;
  if (t && !id) {
    throw new IgnoredEventError(SUMUP_EVENT_TYPES.payment, `transaction ${trimmedStr(t.transaction_code) ?? '(no transaction_code)'} names no id, and nothing else names it: there is no id to record it under`);
  }
  if (!t || !id) throw new InputError('transaction', 'this is not a SumUp transaction (no id)', 'pass the transaction as SumUp\'s API returns it');
  const label = trimmedStr(t.transaction_code) ?? id;
  const notPresent = notCardPresent(t, label);
  if (notPresent) throw new IgnoredEventError(SUMUP_EVENT_TYPES.payment, notPresent);
  const madeAtOf = () => transactionTime(t, readAt);
  const shared = {
    paymentId: id,
    card: cardFrom(t),
    terminal: trimmedStr(obj(t.device_info)?.uuid) ? { readerId: trimmedStr(obj(t.device_info)?.uuid) } : undefined,
    // A SumUp transaction carries nothing of the cardholder.
    customerHints: {},
  };
  const metadata = metadataOf(t);
  const status = trimmedStr(t.status) ?? '';
  const simple = trimmedStr(t.simple_status) ?? '';
  /** The transaction's failure, or its sale's void when read CANCELLED (`amountFrom`: see void-amount.ts). */
  const failureOf = (amount: Money, amountFrom?: VoidAmountFrom): Draft => {
    const cancelled = isCancelled(t);
    return {
      ...shared,
      id: namespacedEventId('sumup', cancelled ? `${id}:cancelled` : id),
      type: cancelled ? SUMUP_EVENT_TYPES.cancelled : SUMUP_EVENT_TYPES.failure,
      kind: 'failure',
      amount,
      status: 'failed',
      // SumUp's transaction names no time of the cancellation: the sale's own time stands for it, and a
      // cancelled transaction never succeeds again, so no later report of money moving can outrank it.
      occurredAt: madeAtOf(),
      failure: { code: simple || status },
      ...(cancelled ? { sale: { voided: true } } : {}),
      metadata: { ...metadata, ...voidAmountMetadata(amountFrom) },
    };
  };
  // TransactionBase leaves `currency` and `amount` optional (@sumup/sdk types/transaction-base.d.ts): SumUp may send a
  // transaction without them. A transaction read CANCELLED without either still says its sale moved no money, whatever
  // it was: it is recorded at the amount (and in the currency) the ledger counts for the sale, or, before the sale
  // arrives, at 0 in its currency, else in the merchant's default currency (void-amount.ts). With no store, or no
  // currency known before the sale, it is acknowledged, saying why.
  const currency = trimmedStr(t.currency);
  const unread = isCancelled(t) ? unreadAmount(t) : undefined;
  if (unread) {
    const why = `transaction ${label} is CANCELLED and ${unread}`;
    if (!ledgerSales) throw new IgnoredEventError(SUMUP_EVENT_TYPES.cancelled, `${why}, and ${NO_STORE_FOR_VOID}`);
    const zeroIn = currency ?? (merchantCurrency && 'currency' in merchantCurrency ? merchantCurrency.currency : undefined);
    const voidAmount = voidAmountOf(ledgerSales, id, zeroIn ? () => moneyFromDecimal(0, zeroIn, 'amount') : undefined);
    if (!voidAmount) {
      const merchant = merchantCurrency && 'why' in merchantCurrency ? merchantCurrency.why : 'the merchant\'s default currency was not read';
      throw new IgnoredEventError(SUMUP_EVENT_TYPES.cancelled, `${why}, the ledger holds no sale of it yet to take the amount and currency from, and ${merchant}`);
    }
    return [scrubbedPaymentEvent({ schemaVersion: PAYMENT_EVENT_SCHEMA_VERSION, source: 'sumup', livemode: true, ...failureOf(voidAmount.amount, voidAmount.from) })];
  }
  // Any other transaction without them has nothing to record. Acknowledged with the reason, not refused: a refusal
  // would only have SumUp send the same hint again.
  if (!currency) throw new IgnoredEventError(SUMUP_EVENT_TYPES.payment, `transaction ${label} names no currency, so its amount cannot be read`);
  if (!namesAmount(t)) throw new IgnoredEventError(SUMUP_EVENT_TYPES.payment, `transaction ${label} names no amount`);
  const money = (v: unknown, field: string): Money => {
    if (typeof v !== 'number' && typeof v !== 'string') throw new InputError(field, `transaction ${label} has no ${field}`, 'pass the transaction unchanged');
    const m = moneyFromDecimal(v, currency, field);
    return { ...m, minor: Math.abs(m.minor) };
  };
  // TransactionBase.amount is the transaction's total; a sale's is never below zero. One that is names money given
  // back, which SumUp reports as a REFUND event of the sale it refunds: it is not read as a sale (nor, made positive,
  // counted as one).
  if (Number(t.amount) < 0) {
    throw new IgnoredEventError(SUMUP_EVENT_TYPES.payment, `transaction ${label} has a negative amount (${String(t.amount)}): money given back is not a sale, and SumUp reports a refund as a REFUND event of the sale it refunds`);
  }
  const amount = money(t.amount, 'amount');
  // When the transaction was made: `timestamp`, else `local_time` (the same instant with the merchant's offset), else
  // — both being optional — the time it was read, which the caller gives (the notification's, or now).
  const madeAt = madeAtOf();
  const drafts: Draft[] = [];
  if (NOT_TAKEN.has(status) || NOT_TAKEN.has(simple)) {
    drafts.push(failureOf(amount));
  } else if (TAKEN.has(status) || TAKEN.has(simple)) {
    drafts.push({
      ...shared,
      id: namespacedEventId('sumup', id),
      type: SUMUP_EVENT_TYPES.payment,
      kind: 'payment',
      amount,
      status: 'succeeded',
      occurredAt: madeAt,
      metadata,
    });
    drafts.push(...followUps(t, id, amount, madeAt, shared, metadata, money));
  }
  if (drafts.length === 0) throw new IgnoredEventError(SUMUP_EVENT_TYPES.payment, `transaction ${label} is ${simple || status || 'of no status'}, not final yet`);
  return drafts.map((d) => scrubbedPaymentEvent({ schemaVersion: PAYMENT_EVENT_SCHEMA_VERSION, source: 'sumup', livemode: true, ...d }));
}

/**
 * Refunds and chargebacks, from the transaction's events (the compact `events`, else `transaction_events`), oldest
 * first. SumUp reports each refund as an event of its own with its own amount, so each counts once by its id; a
 * refund event FAILED gave nothing back and is reported reversed (under an id of its own), which takes back what an
 * earlier read counted for it, or keeps it from ever counting. `refundedTotal` is the running sum of the refunds
 * standing.
 */
function followUps(
  t: Obj,
  id: string,
  amount: Money,
  madeAt: string,
  shared: Pick<Draft, 'paymentId' | 'card' | 'terminal' | 'customerHints'>,
  metadata: Record<string, string>,
  money: (v: unknown, field: string) => Money,
): Draft[] {
  const raw = Array.isArray(t.events) && t.events.length > 0 ? t.events : Array.isArray(t.transaction_events) ? t.transaction_events : [];
  // Only refunds and chargebacks are read: a payout (PAYOUT, PAYOUT_DEDUCTION) is no money of the customer's, and one
  // still SCHEDULED has a due_date but no time of its own yet (every TransactionEvent field is optional).
  const events = raw
    .map(obj)
    .filter((e): e is Obj => !!e && !!idText(e.id))
    .map((e) => ({ e, type: trimmedStr(e.type) ?? trimmedStr(e.event_type) ?? '', status: trimmedStr(e.status) ?? '' }))
    // A refund still PENDING is read once SumUp says how it ended: its time is not needed, nor checked.
    .filter(({ type, status }) => (type === 'REFUND' && status !== 'PENDING') || type === 'CHARGE_BACK')
    // An event that names no amount (optional in Event and TransactionEvent) is not counted, neither as nothing nor
    // as all of the sale: a later read that names it counts it under its id, which is still free.
    .filter(({ e }) => typeof e.amount === 'number' || typeof e.amount === 'string')
    // An event with no time of its own (every field is optional) happened by the time the transaction was read; the
    // transaction's own time is the one SumUp gives. A time that is there and unreadable is refused.
    .map((x) => ({ ...x, at: x.e.timestamp ?? x.e.date ? iso(x.e.timestamp ?? x.e.date, 'events.timestamp') : madeAt }))
    .sort((a, b) => a.at.localeCompare(b.at) || Number(idText(a.e.id)) - Number(idText(b.e.id)));
  const out: Draft[] = [];
  let refunded = 0;
  for (const { e, type, status, at } of events) {
    const eventId = idText(e.id)!;
    const eventMeta = { ...metadata, sumupEventId: eventId, sumupEventStatus: status };
    if (type === 'REFUND') {
      const refund = money(e.amount, 'events.amount');
      const failed = status === 'FAILED';
      if (!failed) refunded += refund.minor;
      out.push({
        ...shared,
        id: namespacedEventId('sumup', `${id}:refund:${eventId}${failed ? ':failed' : ''}`),
        type: failed ? SUMUP_EVENT_TYPES.refundFailed : SUMUP_EVENT_TYPES.refund,
        kind: 'refund',
        amount: refund,
        refundedTotal: { minor: refunded, currency: amount.currency },
        refund: { id: eventId, cumulative: false, ...(failed ? { reversed: true as const } : {}) },
        status: statusAfterRefunds(refunded, amount.minor),
        occurredAt: at,
        metadata: eventMeta,
      });
    } else if (type === 'CHARGE_BACK') {
      out.push({
        ...shared,
        id: namespacedEventId('sumup', `${id}:chargeback:${eventId}:${status.toLowerCase() || 'open'}`),
        type: SUMUP_EVENT_TYPES.chargeback,
        kind: 'dispute',
        amount: money(e.amount, 'events.amount'),
        // SumUp has no dispute resource: a chargeback event pending is an open dispute, a failed one left the
        // money with the merchant, any other final status took it back. One of no status (TransactionEventStatus is
        // optional) says no outcome: it is open, as its id says (…:open), not money taken back.
        status: !status || status === 'PENDING' || status === 'SCHEDULED' ? 'disputed' : status === 'FAILED' ? 'succeeded' : 'refunded',
        occurredAt: at,
        dispute: { id: eventId, processorStatus: status || undefined },
        metadata: eventMeta,
      });
    }
  }
  return out;
}

function cardFrom(t: Obj): Card | undefined {
  const card = obj(t.card);
  const mode = ENTRY_MODES[trimmedStr(t.entry_mode) ?? ''];
  const last4 = trimmedStr(card?.last_4_digits);
  const processAs = trimmedStr(t.process_as);
  if (!card && !mode) return undefined;
  return {
    // CardType (SumUp OpenAPI): VISA, VISA_VPAY, CUP, EFTPOS… and UNKNOWN, which names no brand.
    brand: cardBrand(card?.type),
    last4: last4 && /^\d{4}$/.test(last4) ? last4 : undefined,
    funding: processAs === 'CREDIT' ? 'credit' : processAs === 'DEBIT' ? 'debit' : undefined,
    entryMode: mode?.entryMode ?? 'unknown',
    wallet: mode?.wallet,
  };
}

function metadataOf(t: Obj): Record<string, string> {
  const out: Record<string, string> = {};
  const put = (key: string, value: unknown) => {
    if (typeof value === 'string' && value.trim()) out[key] = value.trim();
    else if (typeof value === 'number' && Number.isFinite(value)) out[key] = String(value);
  };
  put('transactionCode', t.transaction_code);
  put('merchantCode', t.merchant_code);
  put('clientTransactionId', t.client_transaction_id);
  put('foreignTransactionId', t.foreign_transaction_id);
  put('status', t.status);
  put('simpleStatus', t.simple_status);
  put('entryMode', t.entry_mode);
  put('verificationMethod', t.verification_method);
  put('tipAmount', t.tip_amount);
  put('vatAmount', t.vat_amount);
  put('productSummary', t.product_summary);
  put('employee', t.username);
  return out;
}

/** A date-time that names its offset (Z or ±hh:mm): `local_time` without one would be read in this machine's zone. */
const ZONED = /(Z|[+-]\d{2}:?\d{2})$/i;

function transactionTime(t: Obj, readAt: string | undefined): string {
  if (t.timestamp !== undefined && t.timestamp !== null) return iso(t.timestamp, 'timestamp');
  const local = trimmedStr(t.local_time);
  if (local && ZONED.test(local) && !Number.isNaN(new Date(local).getTime())) return new Date(local).toISOString();
  if (readAt) return readAt;
  throw new InputError('timestamp', 'the transaction names no time (timestamp, local_time)', 'pass the transaction as SumUp\'s API returns it');
}

function iso(v: unknown, field: string): string {
  const date = typeof v === 'string' ? new Date(v) : undefined;
  if (!date || Number.isNaN(date.getTime())) throw new InputError(field, `"${String(v)}" is not a time`, 'pass the transaction as SumUp\'s API returns it');
  return date.toISOString();
}
