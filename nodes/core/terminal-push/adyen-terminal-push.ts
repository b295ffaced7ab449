import { randomInt } from 'node:crypto';
import { formatMoney, type Money } from '../contracts/money';
import type { HttpResponse, HttpTransport } from '../http/http-transport';
import { moneyFromDecimal } from '../sources/processor-money';
import { scrubPan } from '../pan-scrub';
import { callVendor, vendorSays } from './push-http';
import { ADYEN_METADATA_KEYS, ADYEN_METADATA_LIMITS, pushMetadata } from './push-metadata';
import type { AdyenPushSettings } from './push-settings';
import { checkSale, PushTransientError, rejectField, type ParsedSale, type PushOutcome, type PushRef, type SaleRequest, type TerminalPush } from './terminal-push';
import { vendorAmount } from './vendor-amounts';
import { obj, str, type Obj } from '../json/json-values';

/**
 * ServiceIDs of payments still waiting for their answer, so cancel can abort them by reference. Shared by every
 * adapter in the process: the flow that cancels (a second n8n execution, another Node-RED message) is rarely the
 * one whose push is still waiting.
 */
const IN_FLIGHT = new Map<string, string>();

export interface AdyenPushOptions {
  clock?: () => Date;
  /** MessageHeader.ServiceID: 1–10 alphanumeric characters, unique per terminal for 48 hours. */
  serviceId?: () => string;
}

/**
 * Adyen Terminal API, cloud, synchronous (https://docs.adyen.com/point-of-sale/design-your-integration/terminal-api):
 * one SaleToPOIRequest PaymentRequest to /sync, answered when the customer paid, was declined or cancelled, so the
 * outcome is final. Shapes follow @adyen/api-library typings/terminal (SaleToPOIRequest, PaymentResponse,
 * Response.ErrorConditionEnum, EventNotification).
 *
 * Adyen's Terminal API has no idempotency key: pushing the same reference again starts a second payment request.
 * The reference travels as SaleTransactionID.TransactionID, which Adyen reports as the payment's merchantReference.
 */
export function adyenTerminalPush(http: HttpTransport, settings: AdyenPushSettings, options: AdyenPushOptions = {}): TerminalPush {
  const clock = options.clock ?? (() => new Date());
  const nextServiceId = options.serviceId ?? randomServiceId;
  const credential = { field: 'apiKey', fix: 'use an API key of a credential with the "Cloud Device API role" for the merchant account the terminal is assigned to (Customer Area → Developers → API credentials)' };
  const inFlight = IN_FLIGHT;
  const flightKey = (readerId: string, reference: string) => [settings.baseUrl, settings.saleId, readerId, reference].join('\u0000');

  const sync = (body: unknown, startsPayment: boolean) =>
    callVendor('adyen', http, {
      method: 'POST',
      url: `${settings.baseUrl}/sync`,
      headers: { 'x-api-key': settings.apiKey, 'content-type': 'application/json' },
      body,
      timeoutMs: settings.timeoutMs,
    }, { credential, startsPayment });

  const header = (category: 'Payment' | 'Abort', serviceId: string, poiId: string) => ({
    ProtocolVersion: '3.0',
    MessageClass: 'Service',
    MessageCategory: category,
    MessageType: 'Request',
    SaleID: settings.saleId,
    ServiceID: serviceId,
    POIID: poiId,
  });

  return {
    vendor: 'adyen',

    async pushSale(input: SaleRequest): Promise<PushOutcome> {
      const checked = checkSale('adyen', input);
      if ('rejected' in checked) return checked.rejected;
      const sale = checked.sale;
      // Adyen's currency table (it is leading) and its decimal RequestedAmount are PROCESSOR_AMOUNT_RULES.adyen.
      const amount = vendorAmount('adyen', sale.amount);
      if ('problem' in amount) return rejectField('adyen', sale, 'amount', amount.problem, amount.fix);
      // The decimal's text reads back as the same number (processorAmount checked), so JSON sends exactly it.
      const requested = Number(amount.decimal);
      const metadata = pushMetadata(sale, ADYEN_METADATA_KEYS);
      for (const [field, key] of Object.entries(ADYEN_METADATA_KEYS)) {
        const value = metadata[key];
        if (value && value.length > ADYEN_METADATA_LIMITS.valueLength) {
          return rejectField('adyen', sale, field, `is ${value.length} characters; Adyen keeps at most ${ADYEN_METADATA_LIMITS.valueLength} per metadata value`, 'Use a shorter id.');
        }
      }

      const serviceId = nextServiceId();
      const request = {
        SaleToPOIRequest: {
          MessageHeader: header('Payment', serviceId, sale.readerId),
          PaymentRequest: {
            SaleData: {
              SaleTransactionID: { TransactionID: sale.reference, TimeStamp: clock().toISOString() },
              // Base64 JSON rather than key=value, so an "&" or "=" in a CRM id cannot split an entry.
              SaleToAcquirerData: Buffer.from(JSON.stringify({ metadata }), 'utf8').toString('base64'),
            },
            PaymentTransaction: { AmountsReq: { Currency: sale.amount.currency, RequestedAmount: requested } },
          },
        },
      };
      const key = flightKey(sale.readerId, sale.reference);
      inFlight.set(key, serviceId);
      let res: HttpResponse;
      try {
        res = await sync(request, true);
      } finally {
        if (inFlight.get(key) === serviceId) inFlight.delete(key);
      }
      return fromSyncAnswer(res, sale, serviceId, metadata);
    },

    async cancel(ref: PushRef): Promise<PushOutcome> {
      const target = ref.serviceId ?? inFlight.get(flightKey(ref.readerId, ref.reference));
      if (!target) {
        return { outcome: 'rejected', vendor: 'adyen', readerId: ref.readerId, reference: ref.reference, field: 'serviceId', message: `No payment for "${ref.reference}" is waiting on ${ref.readerId} in this process. Give the ServiceID of the payment request, or press Cancel on the terminal.` };
      }
      const res = await sync({
        SaleToPOIRequest: {
          MessageHeader: header('Abort', nextServiceId(), ref.readerId),
          AbortRequest: { AbortReason: 'MerchantAbort', MessageReference: { MessageCategory: 'Payment', SaleID: settings.saleId, ServiceID: target, POIID: ref.readerId } },
        },
      }, false);
      // API explorer, Terminal API /abort: "A successful AbortRequest returns a response with a 200 OK HTTP status code and no body."
      if (res.status === 200) {
        return { outcome: 'cancelled', vendor: 'adyen', readerId: ref.readerId, reference: ref.reference, by: 'cashier', vendorCode: 'MerchantAbort', message: `Cancel sent to ${ref.readerId} for ServiceID ${target}. The pushed payment now ends as cancelled, unless the customer had already completed it.` };
      }
      return { outcome: 'rejected', vendor: 'adyen', readerId: ref.readerId, reference: ref.reference, field: 'serviceId', vendorMessage: vendorSays(res.body), message: `Adyen refused the cancel: ${vendorSays(res.body)}. Press Cancel on the terminal.` };
    },
  };
}

/** Ten characters from [0-9A-Za-z]: Adyen allows 1–10 alphanumerics, so this is the most room for uniqueness. */
export function randomServiceId(): string {
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  let out = '';
  for (let i = 0; i < 10; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

function fromSyncAnswer(res: HttpResponse, sale: ParsedSale, serviceId: string, metadata: Record<string, string>): PushOutcome {
  const base = { vendor: 'adyen' as const, readerId: sale.readerId, reference: sale.reference };
  if (res.status !== 200) {
    return { ...base, outcome: 'rejected', field: 'sale', vendorCode: String(res.status), vendorMessage: vendorSays(res.body), message: `Adyen refused the request (${res.status}): ${vendorSays(res.body)}. Check the terminal id and the Terminal API URL, then push again.` };
  }
  const body = obj(res.body) ?? {};
  const event = obj(obj(body.SaleToPOIRequest)?.EventNotification);
  if (event) return fromEvent(event, sale);
  const payment = obj(obj(body.SaleToPOIResponse)?.PaymentResponse);
  const response = obj(payment?.Response);
  if (!payment || !response) {
    throw new PushTransientError('adyen', `the answer to the payment request carried no result (${vendorSays(res.body)}); look at terminal ${sale.readerId} before pushing again`, true);
  }
  const result = str(response.Result);
  const condition = str(response.ErrorCondition);
  const extra = additionalResponse(str(response.AdditionalResponse));
  const pspReference = pspReferenceOf(payment, extra);
  const withPayment = { ...base, paymentId: pspReference };

  if (result === 'Success' || result === 'Partial') {
    const approvedAmount = authorisedAmount(payment, sale.amount);
    const partial = result === 'Partial' && approvedAmount && approvedAmount.minor < sale.amount.minor;
    return {
      ...withPayment, outcome: 'sent', paymentId: pspReference ?? '', serviceId, metadata, approved: true, approvedAmount, vendorCode: result,
      message: partial
        ? `Only ${formatMoney(approvedAmount)} of ${formatMoney(sale.amount)} was approved on ${sale.readerId}. Collect the remaining amount another way; the approved part reaches the CRM through the Terminal Payment Trigger, attributed to customer ${sale.customerId}.`
        : `Paid ${formatMoney(sale.amount)} on ${sale.readerId}. The payment reaches the CRM through the Terminal Payment Trigger, already attributed to customer ${sale.customerId}.`,
    };
  }

  const said = extra.refusalReason ?? extra.message ?? extra.errors;
  const why = said ? scrubPan(said) : undefined;
  switch (condition) {
    case 'Refusal':
    case 'WrongPIN':
    case 'WrongPin':
    case 'InvalidCard':
    case 'PaymentRestriction':
      return { ...withPayment, outcome: 'declined', vendorCode: condition, declineReason: why, message: `The card was declined${why ? ` (${why})` : ''}. Ask for another card and push again.` };
    case 'Cancel':
      return { ...withPayment, outcome: 'cancelled', by: 'customer', vendorCode: condition, message: `Cancelled on terminal ${sale.readerId}; nothing was charged. Push again when the customer is ready.` };
    case 'Aborted':
      return { ...withPayment, outcome: 'cancelled', by: 'cashier', vendorCode: condition, message: `Cancelled from the POS; nothing was charged. Push again when the customer is ready.` };
    case 'Busy':
    case 'InProgress':
      return { ...withPayment, outcome: 'busy', vendorCode: condition, message: `Terminal ${sale.readerId} is busy with another transaction or task. Finish or cancel it on the terminal, then push again.` };
    case 'InsertedCard':
      return { ...withPayment, outcome: 'busy', vendorCode: condition, message: `A card is still inserted in terminal ${sale.readerId}. Take it out, then push again.` };
    case 'DeviceOut':
    case 'UnavailableDevice':
    case 'UnreachableHost':
    case 'LoggedOut':
      return {
        ...withPayment, outcome: 'offline', mayBeOnReader: false, vendorCode: condition,
        message: condition === 'LoggedOut'
          ? `Terminal ${sale.readerId} is logged out. Log in on the terminal, then push again.`
          : `Terminal ${sale.readerId} cannot take the payment now (${condition}): check that it is on and connected to the network, then push again.`,
      };
    default: {
      const field = condition === 'MessageFormat' ? fieldFromFormatError(extra.errors ?? extra.message) : 'sale';
      return {
        ...withPayment, outcome: 'rejected', field, vendorCode: condition, vendorMessage: why,
        message: `Adyen refused the payment request (${condition ?? result ?? 'Failure'})${why ? `: ${why}` : ''}. Fix ${field} and push again.`,
      };
    }
  }
}

/** A cloud Reject event: the request never became a payment (terminal unreachable, or the message was invalid). */
function fromEvent(event: Obj, sale: ParsedSale): PushOutcome {
  const details = additionalResponse(str(event.EventDetails));
  const said = details.message ?? str(event.EventDetails) ?? str(event.EventToNotify) ?? 'Reject';
  const base = { vendor: 'adyen' as const, readerId: sale.readerId, reference: sale.reference, vendorCode: str(event.EventToNotify) };
  if (/response from the POI|not connected|unreachable|offline|not available/i.test(said)) {
    return { ...base, outcome: 'offline', mayBeOnReader: true, message: `Terminal ${sale.readerId} did not answer (${said}). If it shows ${formatMoney(sale.amount)}, let the customer pay; otherwise check it is on and connected, then push again.` };
  }
  return { ...base, outcome: 'rejected', field: 'sale', vendorMessage: said, message: `Adyen rejected the request: ${said}. Check the terminal id (POIID) and push again.` };
}

/**
 * AdditionalResponse is form-encoded key=value pairs or Base64 JSON (Adyen, "Handle responses"). Only the keys a
 * message needs are kept: the rest carries card details (cardBin, cardSummary, expiryDate) that must go nowhere.
 */
function additionalResponse(text: string | undefined): { refusalReason?: string; message?: string; errors?: string; pspReference?: string } {
  if (!text) return {};
  let pairs: Record<string, unknown> = {};
  const trimmed = text.trim();
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed) && trimmed.length % 4 === 0) {
    try {
      const json = obj(JSON.parse(Buffer.from(trimmed, 'base64').toString('utf8'))) ?? {};
      pairs = { ...json, ...(obj(json.additionalData) ?? {}) };
    } catch {
      pairs = {};
    }
  }
  if (Object.keys(pairs).length === 0 && !trimmed.includes('=')) return { message: trimmed.slice(0, 200) };
  if (Object.keys(pairs).length === 0) {
    // Adyen's examples wrap long AdditionalResponse strings; whitespace is never part of an encoded pair.
    for (const [k, v] of new URLSearchParams(trimmed.replace(/\s+/g, ''))) pairs[k] = v;
  }
  const pick = (k: string) => (typeof pairs[k] === 'string' && pairs[k] !== '' ? (pairs[k] as string) : undefined);
  return { refusalReason: pick('refusalReason'), message: pick('message'), errors: pick('errors'), pspReference: pick('pspReference') };
}

/** POIData.POITransactionID.TransactionID is "<tender reference>.<pspReference>"; AdditionalResponse repeats it. */
function pspReferenceOf(payment: Obj, extra: { pspReference?: string }): string | undefined {
  const tx = str(obj(obj(payment.POIData)?.POITransactionID)?.TransactionID);
  const fromTx = tx && tx.includes('.') ? tx.slice(tx.lastIndexOf('.') + 1) : undefined;
  return fromTx || extra.pspReference;
}

function authorisedAmount(payment: Obj, requested: Money): Money | undefined {
  const resp = obj(obj(payment.PaymentResult)?.AmountsResp);
  const value = resp?.AuthorizedAmount;
  if (typeof value !== 'number' && typeof value !== 'string') return undefined;
  try {
    return moneyFromDecimal(value, str(resp?.Currency) ?? requested.currency, 'AuthorizedAmount');
  } catch {
    return undefined;
  }
}

/** "At SaleToPOIRequest.PaymentRequest.PaymentTransaction.AmountsReq, field Currency: Missing" → amount.currency. */
function fieldFromFormatError(text: string | undefined): string {
  if (!text) return 'sale';
  if (/Currency/.test(text)) return 'amount.currency';
  if (/AmountsReq|RequestedAmount/.test(text)) return 'amount';
  if (/POIID/.test(text)) return 'readerId';
  if (/TransactionID/.test(text)) return 'reference';
  if (/SaleToAcquirerData/.test(text)) return 'crmRecordId';
  return 'sale';
}
