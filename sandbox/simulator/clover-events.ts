import { randomBytes } from 'node:crypto';
import type { HttpRequest, HttpResponse, HttpTransport } from '../../nodes/core/http/http-transport';

/**
 * Clover deliveries shaped like the real ones (docs.clover.com "Use webhooks": {"appId", "merchants": {mId: [{objectId,
 * type, ts}]}} with the app's X-Clover-Auth code) and the payment the REST API returns for the id a notification
 * names (field names of com.clover.sdk.v3.payments.Payment / CardTransaction / Refund; lists as {"elements": [...]}).
 *
 * A Clover notification carries no payment data, so a delivery comes with the payment it names: serve it with
 * `cloverApiStub` (the sandbox) or an HTTP mock. Clover's REST API has no disputes and marks no wallet: an Apple
 * Pay tap is an EMV_CONTACTLESS payment like any other tap, and chip fallback is not distinguished from a swipe.
 */
export type CloverScenario = 'chip' | 'contactless' | 'apple_pay' | 'google_pay' | 'swipe' | 'keyed' | 'decline' | 'partial_refund' | 'void' | 'cash';

export interface CloverDeliveryOptions {
  merchantId?: string;
  appId?: string;
  paymentId?: string;
  /** Cents (before tip). */
  amount?: number;
  tipAmount?: number;
  currency?: string;
  cardType?: 'VISA' | 'MC' | 'AMEX' | 'DISCOVER';
  first6?: string;
  last4?: string;
  /** "SURNAME/GIVEN", as a card's track carries it. */
  cardholderName?: string;
  /** Clover's card token; a card keeps it across payments. */
  token?: string;
  deviceId?: string;
  at?: Date;
  /** For partial_refund: refund this much of the amount. */
  refundAmount?: number;
}

export interface CloverDelivery {
  body: string;
  headers: Record<string, string>;
  merchantId: string;
  paymentId: string;
  /** What GET /v3/merchants/{merchantId}/payments/{paymentId}?expand=… answers. */
  payment: Record<string, unknown>;
}

const ENTRY: Record<Exclude<CloverScenario, 'decline' | 'partial_refund' | 'void' | 'cash'>, string> = {
  chip: 'EMV_CONTACT',
  contactless: 'EMV_CONTACTLESS',
  apple_pay: 'EMV_CONTACTLESS',
  google_pay: 'EMV_CONTACTLESS',
  swipe: 'SWIPED',
  keyed: 'KEYED',
};

/** Clover ids: 13 characters of upper-case letters and digits. */
export function cloverId(): string {
  const alphabet = 'ABCDEFGHJKMNPQRSTVWXYZ0123456789';
  return [...randomBytes(13)].map((b) => alphabet[b % alphabet.length]).join('');
}

export function cloverPayment(scenario: CloverScenario, o: CloverDeliveryOptions = {}): Record<string, unknown> {
  const at = (o.at ?? new Date()).getTime();
  const amount = o.amount ?? 1250;
  const tip = o.tipAmount ?? 0;
  const id = o.paymentId ?? cloverId();
  const orderId = cloverId();
  const deviceId = o.deviceId ?? '6f8c2e5a-41bd-4d2f-9b1e-7a3c5d9e0f12';
  const tender =
    scenario === 'cash'
      ? { id: '4Z9CMF3QRDXWW', editable: false, labelKey: 'com.clover.tender.cash', label: 'Cash', opensCashDrawer: true, supportsTipping: true, enabled: true, visible: true }
      : { id: '8M6XGMKHMH2QJ', editable: false, labelKey: 'com.clover.tender.credit_card', label: 'Credit Card', opensCashDrawer: false, supportsTipping: true, enabled: true, visible: true };
  const entryType = scenario === 'decline' || scenario === 'partial_refund' ? 'EMV_CONTACT' : scenario === 'void' ? 'EMV_CONTACTLESS' : scenario === 'cash' ? undefined : ENTRY[scenario];
  const payment: Record<string, unknown> = {
    id,
    order: { id: orderId, currency: o.currency ?? 'USD', total: amount + tip, paymentState: 'PAID', state: 'locked', createdTime: at - 30_000, modifiedTime: at + 1000 },
    device: { id: deviceId },
    tender,
    amount,
    tipAmount: tip,
    taxAmount: Math.round(amount * 0.0875),
    cashbackAmount: 0,
    employee: { id: 'DFLTEMPLOYEE' },
    createdTime: at,
    clientCreatedTime: at - 800,
    modifiedTime: at + 1000,
    offline: false,
    result: scenario === 'decline' ? 'FAIL' : scenario === 'void' ? 'VOIDED' : 'SUCCESS',
  };
  if (entryType) {
    payment.cardTransaction = {
      cardType: o.cardType ?? 'VISA',
      entryType,
      first6: o.first6 ?? '476173',
      last4: o.last4 ?? '0119',
      type: scenario === 'void' ? 'VOID' : 'AUTH',
      authCode: scenario === 'decline' ? undefined : `OK${randomBytes(2).readUInt16BE() % 10000}`,
      referenceId: String(100000000000 + (randomBytes(4).readUInt32BE() % 899999999999)),
      transactionNo: String(randomBytes(2).readUInt16BE()).padStart(6, '0'),
      state: 'PENDING',
      extra: { cvmResult: entryType === 'EMV_CONTACT' ? 'PIN' : 'NO_CVM_REQUIRED', authorizingNetworkName: o.cardType === 'MC' ? 'MASTERCARD' : (o.cardType ?? 'VISA'), ...(scenario === 'decline' ? { responseMessage: 'DECLINED' } : {}) },
      ...(o.cardholderName && entryType !== 'EMV_CONTACTLESS' ? { cardholderName: o.cardholderName } : {}),
      ...(o.token ? { token: o.token } : {}),
    };
  }
  if (scenario === 'void') payment.voidReason = 'USER_CANCEL';
  if (scenario === 'partial_refund') {
    const refundId = cloverId();
    payment.refunds = {
      elements: [
        {
          id: refundId,
          orderRef: { id: orderId },
          device: { id: deviceId },
          amount: o.refundAmount ?? Math.ceil(amount / 2),
          taxAmount: 0,
          tipAmount: 0,
          createdTime: at + 60_000,
          clientCreatedTime: at + 59_200,
          payment: { id },
          employee: { id: 'DFLTEMPLOYEE' },
          voided: false,
          status: 'SUCCESS',
        },
      ],
    };
    payment.modifiedTime = at + 60_000;
  }
  return payment;
}

/** A notification as Clover POSTs it for the payment, with the auth code header, and the payment it names. */
export function cloverDelivery(
  scenario: CloverScenario, authCode: string, options: CloverDeliveryOptions & { payment?: Record<string, unknown> } = {},
): CloverDelivery {
  const merchantId = options.merchantId ?? 'SJ925JDCKKTJJ';
  // A notification about a payment made before (`payment`, as it is now: refunded since, voided…) names it.
  const payment = options.payment ?? cloverPayment(scenario, options);
  const paymentId = String(payment.id);
  const body = JSON.stringify({
    appId: options.appId ?? 'DRKVY8E2SAB3T',
    merchants: { [merchantId]: [{ objectId: `P:${paymentId}`, type: scenario === 'partial_refund' || scenario === 'void' ? 'UPDATE' : 'CREATE', ts: Number(payment.modifiedTime) }] },
  });
  return { body, headers: { 'content-type': 'application/json', 'x-clover-auth': authCode }, merchantId, paymentId, payment };
}

/** The handshake Clover sends when a webhook URL is entered (no auth header: the code does not exist yet). */
export function cloverVerificationDelivery(code = '8b1d5b4e-7c39-4f0e-9a61-2f3d4c5b6a79'): { body: string; headers: Record<string, string> } {
  return { body: JSON.stringify({ verificationCode: code }), headers: { 'content-type': 'application/json' } };
}

/**
 * Clover's REST API for the sandbox: answers GET /v3/merchants/{mId}/payments/{id} with the payments of the
 * deliveries given, 404 for anything else, and keeps the requests it saw.
 */
export function cloverApiStub(deliveries: Iterable<Pick<CloverDelivery, 'merchantId' | 'paymentId' | 'payment'>> = []): HttpTransport & { requests: HttpRequest[]; add(d: Pick<CloverDelivery, 'merchantId' | 'paymentId' | 'payment'>): void } {
  const payments = new Map<string, Record<string, unknown>>();
  const add = (d: Pick<CloverDelivery, 'merchantId' | 'paymentId' | 'payment'>) => void payments.set(`${d.merchantId}/${d.paymentId}`, d.payment);
  for (const d of deliveries) add(d);
  const requests: HttpRequest[] = [];
  return {
    requests,
    add,
    async request(req: HttpRequest): Promise<HttpResponse> {
      requests.push(req);
      const m = /\/v3\/merchants\/([^/]+)\/payments\/([^/?]+)/.exec(req.url);
      const found = m ? payments.get(`${decodeURIComponent(m[1]!)}/${decodeURIComponent(m[2]!)}`) : undefined;
      return found
        ? { status: 200, headers: { 'content-type': 'application/json' }, body: found }
        : { status: 404, headers: { 'content-type': 'application/json' }, body: { message: 'Not Found' } };
    },
  };
}
