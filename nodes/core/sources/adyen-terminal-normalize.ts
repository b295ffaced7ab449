import { formatMoney, type Money } from '../contracts/money';
import { PAYMENT_EVENT_SCHEMA_VERSION, type PaymentEvent } from '../contracts/payment-event';
import { IgnoredEventError, InputError } from '../errors';
import { adyenData, cardFromAdyenData, compactStrings, customerHintsFromAdyenData, merchantMetadata, str, terminalFromAdyenData, type AdyenData } from './adyen-fields';
import { adyenMoney } from './adyen-money';
import { binAndLast4, entryModeFromNexo, field, fieldObj, parseAdditionalResponse } from './adyen-nexo';
import { isoTimeOf } from './iso-time';
import { moneyFromDecimal } from './processor-money';
import { namespacedEventId } from './source';
import { scrubbedPaymentEvent } from './scrubbed-event';
import type { Obj } from '../json/json-values';

export const ADYEN_TERMINAL_HANDLED_TYPES = ['PaymentResponse'] as const;

export interface TerminalNormalizeOptions {
  livemode: boolean;
  /** When the message carries no time of its own. */
  now: Date;
}

/**
 * A verified (decrypted) Terminal API message → a PaymentEvent. Payment results come as a SaleToPOIResponse with
 * a PaymentResponse — the synchronous answer a POS app relays, or the asynchronous result Adyen's cloud posts to
 * the event URL — or wrapped in a TransactionStatusResponse when the POS asked for a lost result again. Terminal
 * event notifications (SaleToPOIRequest / EventNotification) say how the terminal is, not what it sold.
 */
/**
 * The source a Terminal API sale is recorded under: Adyen's, as its standard webhooks name the same payment (by PSP
 * reference), so the AUTHORISATION they report for it is not a second sale and their refunds are set against it.
 */
export const ADYEN_TERMINAL_EVENT_SOURCE = 'adyen' as const;

export function normalizeAdyenTerminalMessage(message: unknown, options: TerminalNormalizeOptions): PaymentEvent {
  const request = fieldObj(message, 'SaleToPOIRequest');
  if (request) {
    const event = fieldObj(request, 'EventNotification');
    if (event) throw new IgnoredEventError('EventNotification', `a terminal event ("${str(field(event, 'EventToNotify')) ?? 'unknown'}"), not a payment`);
    throw new IgnoredEventError('SaleToPOIRequest', 'a request to the sale system, not a payment result');
  }
  const response = fieldObj(message, 'SaleToPOIResponse');
  if (!response) {
    throw new InputError('SaleToPOIResponse', 'this is not a Terminal API message (SaleToPOIResponse or SaleToPOIRequest)', 'hand over the terminal\'s message as it arrived');
  }
  const direct = fieldObj(response, 'PaymentResponse');
  const repeated = direct ? undefined : fieldObj(response, 'TransactionStatusResponse', 'RepeatedMessageResponse');
  const payment = direct ?? fieldObj(repeated, 'RepeatedResponseMessageBody', 'PaymentResponse');
  const header = direct ? fieldObj(response, 'MessageHeader') : (fieldObj(repeated, 'MessageHeader') ?? fieldObj(response, 'MessageHeader'));
  if (!payment) {
    const kind = Object.keys(response).find((k) => /response$/i.test(k)) ?? 'SaleToPOIResponse';
    throw new IgnoredEventError(kind, `only ${ADYEN_TERMINAL_HANDLED_TYPES.join(', ')} results are processed`);
  }
  const draft = paymentEvent(payment, header, options);
  return scrubbedPaymentEvent(draft, ['transactionId', 'tenderReference', 'pspReference']);
}

function paymentEvent(payment: Obj, header: Obj | undefined, options: TerminalNormalizeOptions) {
  const outcome = fieldObj(payment, 'Response');
  const result = str(field(outcome, 'Result'));
  const errorCondition = str(field(outcome, 'ErrorCondition'));
  // Its pairs with a value only, whichever format it came in: "pspReference=" names no PSP reference (adyenData).
  const extra = adyenData(parseAdditionalResponse(field(outcome, 'AdditionalResponse')));
  const poiTransaction = fieldObj(payment, 'POIData', 'POITransactionID');
  const transactionId = str(field(poiTransaction, 'TransactionID'));
  if (!transactionId) {
    // Busy, LoggedOut, a cancel before any card was read: no transaction exists, so there is nothing to record.
    throw new IgnoredEventError('PaymentResponse', `no transaction was started on the terminal (${errorCondition ?? result ?? 'no result'})`);
  }
  const failed = !result || result.toLowerCase() === 'failure';
  const paymentResult = fieldObj(payment, 'PaymentResult');
  // An unreferenced refund is a PaymentRequest too, with PaymentType Refund (nexo PaymentResult.PaymentType; Adyen's
  // "Refund a payment"): money back to a card, naming no sale the pack could take it from. Never a sale.
  const paymentType = str(field(paymentResult, 'PaymentType'));
  if (paymentType?.toLowerCase() === 'refund') {
    throw new IgnoredEventError('PaymentResponse', `an unreferenced refund at the terminal (PaymentType Refund, ${result ?? 'no result'}) names no sale to take it from, so it is not recorded; refund the sale by its own reference (a ReversalRequest or the sale's refund) for the customer's totals to follow`);
  }
  const cardData = fieldObj(paymentResult, 'PaymentInstrumentData', 'CardData');
  const brand = str(field(cardData, 'PaymentBrand'));
  // Only the masked number is read, for its BIN and last four; SensitiveCardData is never looked at.
  const masked = binAndLast4(field(cardData, 'MaskedPAN'));
  const fromData = cardFromAdyenData(extra, brand ?? extra.paymentMethod, entryModeFromNexo(field(cardData, 'EntryMode')));
  const card = { ...fromData, bin: fromData.bin ?? masked.bin, last4: fromData.last4 ?? masked.last4 };
  const cardKnown = card.brand || card.last4 || card.bin || card.identity || card.entryMode !== 'unknown';
  const [tenderReference, pspFromId] = transactionId.includes('.') ? transactionId.split('.', 2) : [undefined, undefined];
  const saleTransaction = fieldObj(payment, 'SaleData', 'SaleTransactionID');

  const pspReference = extra.pspReference ?? pspFromId;
  return {
    schemaVersion: PAYMENT_EVENT_SCHEMA_VERSION,
    // The Terminal API has no event ids: a transaction has one result, so its id names the event.
    id: namespacedEventId(ADYEN_TERMINAL_EVENT_SOURCE, `terminal:${transactionId}:PaymentResponse`),
    source: ADYEN_TERMINAL_EVENT_SOURCE,
    type: 'PaymentResponse',
    kind: failed ? ('failure' as const) : ('payment' as const),
    paymentId: pspReference ?? transactionId,
    amount: amountOf(paymentResult, extra, failed),
    status: failed ? ('failed' as const) : ('succeeded' as const),
    occurredAt: timeOf(field(poiTransaction, 'TimeStamp'), extra, options.now),
    livemode: options.livemode,
    card: cardKnown ? card : undefined,
    terminal: terminalFromAdyenData(extra, str(field(header, 'POIID'))),
    customerHints: customerHintsFromAdyenData(extra),
    failure: failed ? { code: errorCondition, message: extra.refusalReason ?? extra.message } : undefined,
    metadata: {
      ...merchantMetadata(extra),
      ...compactStrings({
        result,
        errorCondition,
        transactionId,
        tenderReference,
        pspReference,
        saleTransactionId: str(field(saleTransaction, 'TransactionID')),
        saleId: str(field(header, 'SaleID')),
        serviceId: str(field(header, 'ServiceID')),
        merchantReference: extra.merchantReference,
        paymentMethodVariant: extra.paymentMethodVariant,
        posEntryMode: extra.posEntryMode,
        refusalReasonRaw: extra.refusalReasonRaw,
      }),
    },
  };
}

/**
 * What the customer bought for: the total authorised (or, refused, asked for) less any cash back. A cashback
 * payment's total is "the amount of the purchase plus the amount of the cashback" (Adyen, point-of-sale/cashback-and-
 * cash-out); the cash handed over is no spend, so loyalty and segment totals must not count it.
 */
function amountOf(paymentResult: Obj | undefined, extra: AdyenData, failed: boolean): Money {
  const amounts = fieldObj(paymentResult, 'AmountsResp');
  const total = totalOf(amounts, extra, failed);
  const cashback = cashbackOf(amounts, extra, total.currency);
  if (!cashback || cashback.minor === 0) return total;
  if (cashback.currency !== total.currency || cashback.minor > total.minor) {
    throw new InputError('PaymentResult.AmountsResp.CashBackAmount', `a cash back of ${formatMoney(cashback)} does not fit in the payment's ${formatMoney(total)}`, 'hand over the whole PaymentResponse as the terminal sent it');
  }
  // A cash-out with nothing bought (Adyen's "cash out" at a terminal) moves no spend: no payment to record.
  if (cashback.minor === total.minor && !failed) throw new IgnoredEventError('PaymentResponse', `a cash-out of ${formatMoney(cashback)} with no purchase: nothing was bought`);
  return { minor: total.minor - cashback.minor, currency: total.currency };
}

/**
 * The cash-back part of the total: AmountsResp.CashBackAmount (a decimal in major units, like AuthorizedAmount), else
 * AdditionalResponse `posAmountCashbackValue` (Adyen minor units, beside posAuthAmountValue in the library's
 * encrypted-event-notification.json) for a result relayed without AmountsResp's cash back.
 */
function cashbackOf(amounts: Obj | undefined, extra: AdyenData, currency: string): Money | undefined {
  const decimal = field(amounts, 'CashBackAmount');
  if (typeof decimal === 'number' || typeof decimal === 'string') {
    return moneyFromDecimal(decimal, str(field(amounts, 'Currency')) ?? currency, 'PaymentResult.AmountsResp.CashBackAmount');
  }
  return extra.posAmountCashbackValue ? adyenMoney(extra.posAmountCashbackValue, currency, 'AdditionalResponse.posAmountCashbackValue') : undefined;
}

/**
 * AmountsResp.AuthorizedAmount is a decimal in major units (1.5 is EUR 1.50), read from its text so no float
 * rounding enters. A refused payment authorised nothing: its amount is the one asked for, which the additional
 * data carries in Adyen's minor units.
 */
function totalOf(amounts: Obj | undefined, extra: AdyenData, failed: boolean): Money {
  const authorized = field(amounts, 'AuthorizedAmount');
  // The amount asked for is posOriginalAmountValue, or the posadditionalamounts.originalAmount pair Adyen sends as
  // well (its library's encrypted-event-notification.json): a cancelled result may carry only that pair.
  const original = 'posadditionalamounts.originalAmount';
  const currency = str(field(amounts, 'Currency')) ?? extra.posAuthAmountCurrency ?? extra.authorisedAmountCurrency ?? extra.posOriginalAmountCurrency ?? extra[`${original}Currency`];
  const requestedCurrency = extra.posOriginalAmountCurrency ?? extra[`${original}Currency`] ?? currency;
  const requestedKey = extra.posOriginalAmountValue ? 'posOriginalAmountValue' : `${original}Value`;
  // Read only when needed: the additional data's own amounts are Adyen minor units and may be absent or partial.
  const requested = () =>
    extra[requestedKey] && requestedCurrency
      ? adyenMoney(extra[requestedKey], requestedCurrency, `AdditionalResponse.${requestedKey}`)
      : undefined;
  const decimal = (typeof authorized === 'number' || typeof authorized === 'string') && currency
    ? moneyFromDecimal(authorized, currency, 'PaymentResult.AmountsResp.AuthorizedAmount')
    : undefined;
  if (failed && (!decimal || decimal.minor === 0)) {
    const asked = requested();
    if (asked) return asked;
  }
  if (decimal) return decimal;
  const value = extra.posAuthAmountValue ?? extra.authorisedAmountValue;
  if (value && currency) return adyenMoney(value, currency, 'AdditionalResponse.posAuthAmountValue');
  const asked = requested();
  if (asked) return asked;
  throw new InputError('PaymentResult.AmountsResp', 'the payment result carries no amount and currency', 'hand over the whole PaymentResponse as the terminal sent it');
}

function timeOf(stamp: unknown, extra: AdyenData, now: Date): string {
  for (const candidate of [stamp, extra.iso8601TxDate]) {
    const iso = typeof candidate === 'string' ? isoTimeOf(candidate) : undefined;
    if (iso) return iso;
  }
  return now.toISOString();
}
