import { randomBytes, randomInt } from 'node:crypto';
import HmacValidator from '@adyen/api-library/lib/src/utils/hmacValidator';
import { NexoSecurityManager } from '@adyen/api-library/lib/src/security/clouddevice';
import { currencyExponent } from '../../nodes/core/contracts/money';

/**
 * Adyen deliveries as Adyen sends them, for the sandbox and the tests: standard webhooks
 * ({live, notificationItems: [{NotificationRequestItem}]}, every item signed with the library's own calculateHmac)
 * and Terminal API payment results (a SaleToPOIResponse, encrypted with the library's NexoSecurityManager or
 * posted plain with Basic auth, as Adyen's cloud does for event URLs).
 */
export type AdyenScenario =
  | 'chip' | 'contactless' | 'apple_pay' | 'google_pay' | 'swipe' | 'keyed' | 'declined'
  | 'capture' | 'capture_failed' | 'recaptured' | 'authorisation_adjustment' | 'partial_refund' | 'cancellation' | 'technical_cancel' | 'cancel_or_refund' | 'expire' | 'refund_failed' | 'refunded_reversed'
  | 'refund_with_data' | 'void_pending_refund'
  | 'chargeback' | 'chargeback_won' | 'chargeback_lost' | 'second_chargeback' | 'prearbitration_won' | 'prearbitration_lost' | 'test';

export interface AdyenCardSpec {
  scheme?: 'visa' | 'mc' | 'amex' | 'maestro';
  bin?: string;
  last4?: string;
  expiry?: string;
  alias?: string;
  cardHolderName?: string;
  fundingSource?: 'CREDIT' | 'DEBIT' | 'PREPAID';
}

export interface AdyenDeliveryOptions {
  /** In Adyen's minor units (CLP and ISK with two decimals, per Adyen's currency table). */
  amount?: number;
  currency?: string;
  pspReference?: string;
  /** The payment a modification or dispute is about. */
  originalReference?: string;
  merchantAccount?: string;
  merchantReference?: string;
  eventDate?: Date;
  card?: AdyenCardSpec;
  shopperEmail?: string;
  shopperReference?: string;
  terminalId?: string;
  live?: boolean;
  /** Sent as the Authorization header, as Adyen does when the webhook has Basic auth set. */
  basicAuth?: { username: string; password: string };
  /** Merchant metadata echoed back as additionalData["metadata.<key>"]. */
  metadata?: Record<string, string>;
  /** A dispute step's disputeStatus, where it is not the step's usual one (a second chargeback still open: "Pending"). */
  disputeStatus?: string;
}

const ALPHANUMERIC = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
/** Adyen's current pspReferences: 16 upper-case letters and digits. */
export const adyenPspReference = () => Array.from({ length: 16 }, () => ALPHANUMERIC[randomInt(ALPHANUMERIC.length)]).join('');

const ENTRY: Partial<Record<AdyenScenario, { posEntryMode: string; variant?: (scheme: string) => string }>> = {
  chip: { posEntryMode: 'ICC' },
  contactless: { posEntryMode: 'CLESS_CHIP' },
  apple_pay: { posEntryMode: 'CLESS_CHIP', variant: (s) => `${s}_applepay` },
  google_pay: { posEntryMode: 'CLESS_CHIP', variant: (s) => `${s}_googlepay` },
  swipe: { posEntryMode: 'MSR' },
  keyed: { posEntryMode: 'MKE' },
  declined: { posEntryMode: 'ICC' },
};

const DISPUTE_STEP: Partial<Record<AdyenScenario, { eventCode: string; disputeStatus: string }>> = {
  chargeback: { eventCode: 'NOTIFICATION_OF_CHARGEBACK', disputeStatus: 'Undefended' },
  chargeback_won: { eventCode: 'CHARGEBACK_REVERSED', disputeStatus: 'Won' },
  chargeback_lost: { eventCode: 'CHARGEBACK', disputeStatus: 'Lost' },
  // After a chargeback reversed (won): the issuer charges back again, and the merchant wins at pre-arbitration.
  second_chargeback: { eventCode: 'SECOND_CHARGEBACK', disputeStatus: 'Lost' },
  prearbitration_won: { eventCode: 'PREARBITRATION_WON', disputeStatus: 'Won' },
  prearbitration_lost: { eventCode: 'PREARBITRATION_LOST', disputeStatus: 'Lost' },
};

const MODIFICATION_CODE: Partial<Record<AdyenScenario, string>> = {
  capture: 'CAPTURE',
  capture_failed: 'CAPTURE_FAILED',
  recaptured: 'CAPTURE',
  authorisation_adjustment: 'AUTHORISATION_ADJUSTMENT',
  cancellation: 'CANCELLATION',
  cancel_or_refund: 'CANCEL_OR_REFUND',
  technical_cancel: 'TECHNICAL_CANCEL',
  void_pending_refund: 'VOID_PENDING_REFUND',
  refund_failed: 'REFUND_FAILED',
  refunded_reversed: 'REFUNDED_REVERSED',
};

/** The card as a terminal payment's additionalData carries it (an AUTHORISATION's, a REFUND_WITH_DATA's). */
const cardData = (card: { bin: string; last4: string; expiry: string; alias: string; cardHolderName?: string; fundingSource?: string }): Record<string, string> => ({
  cardBin: card.bin,
  cardSummary: card.last4,
  expiryDate: card.expiry,
  alias: card.alias,
  aliasType: 'Default',
  ...(card.cardHolderName ? { cardHolderName: card.cardHolderName } : {}),
  ...(card.fundingSource ? { fundingSource: card.fundingSource } : {}),
});

/** One NotificationRequestItem of a scenario, signed with `hmacKey` (hex) by Adyen's own library. */
export function adyenNotificationItem(scenario: AdyenScenario, hmacKey: string, o: AdyenDeliveryOptions = {}): Record<string, unknown> {
  const card = { scheme: 'visa', bin: '417666', last4: '1881', expiry: '03/2030', alias: 'H167852639363479', ...o.card };
  const amount = { currency: o.currency ?? 'EUR', value: o.amount ?? 4599 };
  const eventDate = (o.eventDate ?? new Date()).toISOString().replace(/\.\d{3}Z$/, '+00:00');
  const base = {
    amount,
    eventDate,
    merchantAccountCode: o.merchantAccount ?? 'TerminalCrmShopNL',
    merchantReference: o.merchantReference ?? `POS-${randomInt(1000, 9999)}`,
    paymentMethod: card.scheme,
    pspReference: scenario === 'test' ? 'test_AUTHORISATION_1' : (o.pspReference ?? adyenPspReference()),
  };
  const metadata = Object.fromEntries(Object.entries(o.metadata ?? {}).map(([k, v]) => [`metadata.${k}`, v]));
  let item: Record<string, unknown>;
  const entry = ENTRY[scenario];
  const dispute = DISPUTE_STEP[scenario];
  if (entry || scenario === 'test') {
    const authCode = String(randomInt(100000, 999999));
    item = {
      additionalData: {
        authCode,
        ...cardData(card),
        ...(o.shopperEmail ? { shopperEmail: o.shopperEmail } : {}),
        ...(o.shopperReference ? { shopperReference: o.shopperReference } : {}),
        posEntryMode: entry?.posEntryMode ?? 'ICC',
        terminalId: o.terminalId ?? 'V400m-324688179',
        paymentMethodVariant: entry?.variant ? entry.variant(card.scheme) : card.scheme,
        ...(scenario === 'declined' ? { refusalReasonRaw: '51 : Insufficient funds' } : {}),
        ...metadata,
      },
      ...base,
      eventCode: 'AUTHORISATION',
      operations: ['CANCEL', 'CAPTURE', 'REFUND'],
      reason: scenario === 'declined' ? 'Not enough balance' : `${authCode}:${card.last4}:${card.expiry}`,
      success: scenario === 'declined' ? 'false' : 'true',
    };
  } else if (scenario === 'refund_with_data') {
    // An unreferenced refund at the terminal: the card presented and the terminal, only keys Adyen's
    // RefundWithDataAdditionalData lists (no shopper, no posEntryMode), and no originalReference unless one is given.
    item = {
      additionalData: {
        ...cardData(card),
        paymentMethodVariant: card.scheme,
        shopperInteraction: 'POS',
        terminalId: o.terminalId ?? 'V400m-324688179',
      },
      ...base,
      eventCode: 'REFUND_WITH_DATA',
      ...(o.originalReference ? { originalReference: o.originalReference } : {}),
      reason: '',
      success: 'true',
    };
  } else if (scenario === 'expire') {
    // As Adyen's EXPIRE example (Webhooks-v1): the payment whose uncaptured rest expired, by its own pspReference
    // (pass the payment's as originalReference or pspReference), with no originalReference.
    item = { additionalData: { ...metadata }, ...base, pspReference: o.originalReference ?? base.pspReference, eventCode: 'EXPIRE', reason: '', success: 'true' };
  } else if (dispute) {
    item = {
      additionalData: { chargebackReasonCode: '10.4', chargebackSchemeCode: card.scheme, disputeStatus: o.disputeStatus ?? dispute.disputeStatus, ...metadata },
      ...base,
      eventCode: dispute.eventCode,
      originalReference: o.originalReference ?? adyenPspReference(),
      reason: 'Fraudulent Transaction',
      success: 'true',
    };
  } else {
    // A refund's failure or reversal names the refund by its pspReference (pass the refund's) and the payment by
    // originalReference; so do a capture's failure and its re-capture (pass the capture's pspReference). An
    // unreferenced refund's cancel (VOID_PENDING_REFUND) names the refund by originalReference (pass the refund's).
    // As Adyen's examples of both, a TECHNICAL_CANCEL and a VOID_PENDING_REFUND carry the paymentMethodVariant. An
    // AUTHORISATION_ADJUSTMENT names the payment by originalReference, `amount` the authorisation's updated amount.
    const eventCode = MODIFICATION_CODE[scenario] ?? 'REFUND';
    const REASONS: Partial<Record<AdyenScenario, string>> = { refund_failed: 'Refund Failed', capture_failed: 'Capture Failed', recaptured: 'Transaction Recaptured' };
    const reason = REASONS[scenario] ?? '';
    // A CANCEL_OR_REFUND says which it did (CancelOrRefundAdditionalData): here, after capture, a refund.
    const action = scenario === 'cancel_or_refund' ? { 'modification.action': 'refund' } : {};
    const variant = scenario === 'technical_cancel' || scenario === 'void_pending_refund' ? { paymentMethodVariant: card.scheme } : {};
    item = { additionalData: { ...variant, ...action, ...metadata }, ...base, eventCode, originalReference: o.originalReference ?? adyenPspReference(), reason, success: 'true' };
  }
  (item.additionalData as Record<string, string>).hmacSignature = new HmacValidator().calculateHmac(item as never, hmacKey);
  return item;
}

/** A delivery of one or more signed items, exactly as Adyen POSTs it. */
export function adyenBatchDelivery(items: readonly Record<string, unknown>[], o: Pick<AdyenDeliveryOptions, 'live' | 'basicAuth'> = {}): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify({ live: o.live ? 'true' : 'false', notificationItems: items.map((i) => ({ NotificationRequestItem: i })) });
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (o.basicAuth) headers.authorization = basicHeader(o.basicAuth.username, o.basicAuth.password);
  return { body, headers };
}

export function adyenDelivery(scenario: AdyenScenario, hmacKey: string, o: AdyenDeliveryOptions = {}): { body: string; headers: Record<string, string> } {
  return adyenBatchDelivery([adyenNotificationItem(scenario, hmacKey, o)], o);
}

const basicHeader = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

// ---------------------------------------------------------------------------------------------------------------
// Terminal API

export type AdyenTerminalScenario = 'chip' | 'contactless' | 'apple_pay' | 'google_pay' | 'swipe' | 'keyed' | 'declined' | 'event';

/** How the result proves itself: encrypted with the terminal's key, or plain with the event URL's Basic auth. */
export type AdyenTerminalAuth =
  | { keyIdentifier: string; passphrase: string; keyVersion: number }
  | { username: string; password: string };

export interface AdyenTerminalOptions {
  /** A decimal in major units, as AuthorizedAmount is ("45.99"). */
  amount?: string;
  currency?: string;
  poiId?: string;
  pspReference?: string;
  saleTransactionId?: string;
  timestamp?: Date;
  card?: AdyenCardSpec;
  shopperEmail?: string;
  shopperReference?: string;
  store?: string;
  /** The Customer Area's additional data format: URL-encoded (default) or Base64-encoded JSON. */
  additionalDataFormat?: 'url' | 'json';
}

const NEXO_ENTRY: Record<Exclude<AdyenTerminalScenario, 'event'>, { entryMode: string; posEntryMode: string; wallet?: string }> = {
  chip: { entryMode: 'ICC', posEntryMode: 'ICC' },
  contactless: { entryMode: 'Contactless', posEntryMode: 'CLESS_CHIP' },
  apple_pay: { entryMode: 'Contactless', posEntryMode: 'CLESS_CHIP', wallet: 'applepay' },
  google_pay: { entryMode: 'Contactless', posEntryMode: 'CLESS_CHIP', wallet: 'googlepay' },
  swipe: { entryMode: 'MagStripe', posEntryMode: 'MSR' },
  keyed: { entryMode: 'Keyed', posEntryMode: 'MKE' },
  declined: { entryMode: 'ICC', posEntryMode: 'ICC' },
};

/** The decrypted message: a SaleToPOIResponse with a PaymentResponse, or a SaleToPOIRequest with an EventNotification. */
export function adyenTerminalMessage(scenario: AdyenTerminalScenario, o: AdyenTerminalOptions = {}): Record<string, unknown> {
  const at = o.timestamp ?? new Date();
  const header = {
    MessageCategory: scenario === 'event' ? 'Event' : 'Payment',
    MessageClass: scenario === 'event' ? 'Event' : 'Service',
    MessageType: scenario === 'event' ? 'Notification' : 'Response',
    POIID: o.poiId ?? 'V400m-324688179',
    ProtocolVersion: '3.0',
    SaleID: 'POS-Till-1',
    ServiceID: String(randomInt(1000, 99999)),
  };
  if (scenario === 'event') {
    return { SaleToPOIRequest: { MessageHeader: header, EventNotification: { EventToNotify: 'Shutdown', EventDetails: 'message=Terminal+shutting+down', TimeStamp: at.toISOString() } } };
  }
  const entry = NEXO_ENTRY[scenario];
  const card = { scheme: 'visa', bin: '417666', last4: '1881', expiry: '03/2030', alias: 'H167852639363479', ...o.card };
  const [expiryMonth, expiryYear] = card.expiry.split('/');
  const currency = o.currency ?? 'EUR';
  const amount = o.amount ?? '45.99';
  const psp = o.pspReference ?? adyenPspReference();
  const tender = `${randomBytes(3).toString('base64url').slice(0, 4)}${String(at.getTime()).padStart(15, '0')}`;
  const declined = scenario === 'declined';
  const additional: Record<string, string> = {
    alias: card.alias,
    aliasType: 'Default',
    cardBin: card.bin,
    cardSummary: card.last4,
    expiryMonth: expiryMonth!,
    expiryYear: expiryYear!,
    paymentMethod: card.scheme,
    paymentMethodVariant: entry.wallet ? `${card.scheme}_${entry.wallet}` : card.scheme,
    posEntryMode: entry.posEntryMode,
    pspReference: psp,
    iso8601TxDate: at.toISOString(),
    ...(card.cardHolderName ? { cardHolderName: card.cardHolderName } : {}),
    ...(card.fundingSource ? { fundingSource: card.fundingSource } : {}),
    ...(o.shopperEmail ? { shopperEmail: o.shopperEmail } : {}),
    ...(o.shopperReference ? { shopperReference: o.shopperReference } : {}),
    ...(o.store ? { store: o.store } : {}),
    // A refused payment authorised nothing: the amount asked for travels in the additional data, in minor units.
    ...(declined
      ? { refusalReason: 'Not enough balance', message: 'Not enough balance', posOriginalAmountCurrency: currency, posOriginalAmountValue: minorOf(amount, currency) }
      : {}),
  };
  const response: Record<string, unknown> = { Result: declined ? 'Failure' : 'Success' };
  if (declined) response.ErrorCondition = 'Refusal';
  response.AdditionalResponse = o.additionalDataFormat === 'json'
    ? Buffer.from(JSON.stringify({ additionalData: additional })).toString('base64')
    : new URLSearchParams(additional).toString();
  const paymentResult: Record<string, unknown> = {
    OnlineFlag: true,
    PaymentInstrumentData: {
      CardData: { EntryMode: [entry.entryMode], MaskedPan: `${card.bin} **** ${card.last4}`, PaymentBrand: card.scheme },
      PaymentInstrumentType: 'Card',
    },
  };
  if (!declined) paymentResult.AmountsResp = { AuthorizedAmount: Number(amount), Currency: currency };
  return {
    SaleToPOIResponse: {
      MessageHeader: header,
      PaymentResponse: {
        POIData: { POIReconciliationID: '1000', POITransactionID: { TimeStamp: at.toISOString(), TransactionID: `${tender}.${psp}` } },
        SaleData: { SaleTransactionID: { TimeStamp: at.toISOString(), TransactionID: o.saleTransactionId ?? `ORDER-${randomInt(1000, 9999)}` } },
        Response: response,
        PaymentResult: paymentResult,
      },
    },
  };
}

/**
 * A Terminal API delivery: encrypted ({Envelope: {MessageHeader, NexoBlob, SecurityTrailer}}) with the terminal's
 * key, or plain with Basic auth.
 */
export function adyenTerminalDelivery(scenario: AdyenTerminalScenario, auth: AdyenTerminalAuth, o: AdyenTerminalOptions = {}): { body: string; headers: Record<string, string> } {
  const message = adyenTerminalMessage(scenario, o);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if ('username' in auth) {
    headers.authorization = basicHeader(auth.username, auth.password);
    return { body: JSON.stringify(message), headers };
  }
  const envelopeName = 'SaleToPOIResponse' in message ? 'SaleToPOIResponse' : 'SaleToPOIRequest';
  const envelope = message[envelopeName] as { MessageHeader: never };
  const manager = new NexoSecurityManager({ ...auth, adyenCryptoVersion: 1 });
  const secured = manager.encrypt(JSON.stringify(message), envelope.MessageHeader);
  return { body: JSON.stringify({ [envelopeName]: secured }), headers };
}

/** "45.99" EUR → "4599": the decimal in the currency's minor units (ISO exponent, as Adyen's table has it for these). */
function minorOf(decimal: string, currency: string): string {
  const exp = currencyExponent(currency);
  const [whole, frac = ''] = decimal.split('.');
  return String(Number(`${whole}${frac.padEnd(exp, '0').slice(0, exp)}`));
}
