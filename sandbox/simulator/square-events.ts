import { createHmac, randomBytes, randomUUID } from 'node:crypto';

/**
 * Square webhook deliveries shaped like the real ones (webhooks v2, Payment / PaymentRefund / Dispute as the
 * Square API reference and the square SDK's types show them), signed the way Square signs: HMAC-SHA256 of the
 * notification URL followed by the raw body, base64, in x-square-hmacsha256-signature. For the sandbox's simulator
 * and for tests that need many variations; the fixtures under test/core/sources/fixtures/square are the witness of
 * the format.
 */
export type SquareScenario =
  | 'chip'
  | 'contactless'
  | 'apple_pay'
  | 'google_pay'
  | 'swipe'
  | 'keyed'
  | 'decline'
  | 'authorization'
  | 'partial_refund'
  | 'full_refund'
  | 'refund_pending'
  | 'dispute_opened'
  | 'dispute_won'
  | 'dispute_lost';

export const SQUARE_SCENARIOS: readonly SquareScenario[] = [
  'chip', 'contactless', 'apple_pay', 'google_pay', 'swipe', 'keyed', 'decline', 'authorization', 'partial_refund', 'full_refund',
  'refund_pending', 'dispute_opened', 'dispute_won', 'dispute_lost',
];

export type SquareEntryMethod = 'EMV' | 'CONTACTLESS' | 'SWIPED' | 'KEYED' | 'ON_FILE';

export interface SquareCardSpec {
  brand?: string;
  last4?: string;
  bin?: string;
  expMonth?: number;
  expYear?: number;
  cardType?: 'CREDIT' | 'DEBIT' | 'UNKNOWN_CARD_TYPE';
  prepaid?: boolean;
  fingerprint?: string;
  cardholderName?: string;
}

export interface SquarePaymentSpec {
  id?: string;
  amount: number;
  tip?: number;
  currency?: string;
  status?: 'COMPLETED' | 'APPROVED' | 'FAILED' | 'CANCELED';
  entryMethod?: SquareEntryMethod;
  /** In-person Apple Pay (card_details.wallet_type); Square flags no other wallet. */
  applePay?: boolean;
  declineCode?: string;
  card?: SquareCardSpec;
  customerId?: string;
  email?: string;
  note?: string;
  locationId?: string;
  /** null: no Square device took it (Virtual Terminal, online). */
  deviceId?: string | null;
  deviceName?: string;
  squareProduct?: string;
  refundIds?: string[];
  refundedAmount?: number;
  createdAt?: string;
}

export interface SquareRefundSpec {
  paymentId: string;
  amount: number;
  currency?: string;
  status?: 'PENDING' | 'COMPLETED' | 'REJECTED' | 'FAILED';
  id?: string;
  reason?: string;
  locationId?: string;
  at?: string;
}

export interface SquareDisputeSpec {
  paymentId: string;
  amount: number;
  currency?: string;
  state?: 'INQUIRY_EVIDENCE_REQUIRED' | 'INQUIRY_PROCESSING' | 'INQUIRY_CLOSED' | 'EVIDENCE_REQUIRED' | 'PROCESSING' | 'WON' | 'LOST' | 'ACCEPTED';
  reason?: string;
  id?: string;
  cardBrand?: string;
  locationId?: string;
  at?: string;
}

export interface SquareDeliveryOptions {
  /** The subscription's notification URL, which Square signs. */
  notificationUrl?: string;
  environment?: 'Sandbox' | 'Production';
  eventId?: string;
  /** The event's created_at (ISO); default now. */
  createdAt?: string;
  merchantId?: string;
  paymentId?: string;
  amount?: number;
  currency?: string;
  refundAmount?: number;
  customerId?: string;
  email?: string;
  card?: SquareCardSpec;
  locationId?: string;
  deviceId?: string;
}

export const SIMULATOR_NOTIFICATION_URL = 'http://localhost:3100/webhooks/square';
const MERCHANT_ID = 'ML8Z2QXN1RT4W';
const LOCATION_ID = 'L7K3PWQ9ZR2VD';
const DEVICE_ID = 'dbb5d83a-7838-11ea-bc55-0242ac130003';

/** Square ids are base62-ish; payment ids are 29 characters ending in "ZY". */
const alnum = (n: number) => randomBytes(n * 2).toString('base64').replace(/[^A-Za-z0-9]/g, '').replace(/\d{6,}/g, 'x').slice(0, n);
export const squarePaymentId = () => `${alnum(27)}ZY`;

const money = (amount: number, currency: string) => ({ amount, currency });
const plusMs = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

const APPLICATIONS: Record<string, { id: string; name: string }> = {
  VISA: { id: 'A0000000031010', name: 'VISA CREDIT' },
  MASTERCARD: { id: 'A0000000041010', name: 'MASTERCARD' },
  AMERICAN_EXPRESS: { id: 'A00000002501', name: 'AMERICAN EXPRESS' },
  DISCOVER: { id: 'A0000001523010', name: 'DISCOVER' },
  JCB: { id: 'A0000000651010', name: 'JCB CREDIT' },
};

/** A Payment as payment.created / payment.updated, GetPayment and ListPayments carry it. */
export function squarePaymentObject(s: SquarePaymentSpec) {
  const id = s.id ?? squarePaymentId();
  const currency = (s.currency ?? 'USD').toUpperCase();
  const created = s.createdAt ?? new Date().toISOString();
  const status = s.status ?? 'COMPLETED';
  const entry = s.entryMethod ?? 'EMV';
  const total = s.amount + (s.tip ?? 0);
  const c = s.card ?? {};
  const brand = c.brand ?? 'VISA';
  const emv = entry === 'EMV' || entry === 'CONTACTLESS';
  const captured = status === 'COMPLETED';
  const failed = status === 'FAILED';
  const app = APPLICATIONS[brand] ?? { id: 'A0000000031010', name: brand };
  const onDevice = s.deviceId !== null;
  return {
    id,
    created_at: created,
    updated_at: plusMs(created, 1_300),
    amount_money: money(s.amount, currency),
    ...(s.tip ? { tip_money: money(s.tip, currency) } : {}),
    total_money: money(total, currency),
    ...(failed ? {} : { approved_money: money(total, currency) }),
    ...(captured ? { processing_fee: [{ effective_at: plusMs(created, 7_200_000), type: 'INITIAL', amount_money: money(Math.round(total * 0.026) + 10, currency) }] } : {}),
    ...(s.refundedAmount ? { refunded_money: money(s.refundedAmount, currency) } : {}),
    status,
    ...(failed ? {} : { delay_duration: 'PT36H', delay_action: 'CANCEL', delayed_until: plusMs(created, 36 * 3_600_000) }),
    source_type: 'CARD',
    card_details: {
      status: captured ? 'CAPTURED' : failed ? 'FAILED' : status === 'CANCELED' ? 'VOIDED' : 'AUTHORIZED',
      card: {
        card_brand: brand,
        last_4: c.last4 ?? '1111',
        exp_month: c.expMonth ?? 11,
        exp_year: c.expYear ?? 2029,
        fingerprint: c.fingerprint ?? `sq-1-${alnum(64)}`,
        card_type: c.cardType ?? 'CREDIT',
        prepaid_type: c.prepaid ? 'PREPAID' : 'NOT_PREPAID',
        bin: c.bin ?? '411111',
        ...(c.cardholderName ? { cardholder_name: c.cardholderName } : {}),
      },
      entry_method: entry,
      cvv_status: entry === 'KEYED' ? 'CVV_ACCEPTED' : 'CVV_NOT_CHECKED',
      avs_status: entry === 'KEYED' ? 'AVS_ACCEPTED' : 'AVS_NOT_CHECKED',
      ...(failed ? {} : { auth_result_code: alnum(6) }),
      ...(emv
        ? {
            application_identifier: app.id,
            application_name: app.name,
            application_cryptogram: randomBytes(8).toString('hex').toUpperCase(),
            verification_method: entry === 'EMV' ? 'PIN' : s.applePay ? 'ON_DEVICE' : 'NONE',
            verification_results: entry === 'CONTACTLESS' && !s.applePay ? 'UNKNOWN' : 'SUCCESS',
          }
        : {}),
      statement_description: 'SQ *CORNER CAFE',
      card_payment_timeline: failed ? {} : { authorized_at: plusMs(created, 400), ...(captured ? { captured_at: plusMs(created, 1_300) } : {}) },
      ...(s.applePay ? { wallet_type: 'APPLE_PAY' } : {}),
      ...(failed ? { errors: [{ category: 'PAYMENT_METHOD_ERROR', code: s.declineCode ?? 'GENERIC_DECLINE', detail: `Authorization error: '${s.declineCode ?? 'GENERIC_DECLINE'}'` }] } : {}),
    },
    location_id: s.locationId ?? LOCATION_ID,
    order_id: `${alnum(27)}ZY`,
    ...(s.customerId ? { customer_id: s.customerId } : {}),
    ...(s.email ? { buyer_email_address: s.email } : {}),
    ...(s.note ? { note: s.note } : {}),
    risk_evaluation: { created_at: plusMs(created, 400), risk_level: 'NORMAL' },
    refund_ids: s.refundIds ?? [],
    ...(captured ? { receipt_number: id.slice(0, 4), receipt_url: `https://squareup.com/receipt/preview/${id}` } : {}),
    ...(onDevice ? { device_details: { device_id: s.deviceId ?? DEVICE_ID, device_installation_id: randomUUID(), device_name: s.deviceName ?? 'Front counter' } } : {}),
    application_details: { square_product: s.squareProduct ?? (onDevice ? 'SQUARE_POS' : 'VIRTUAL_TERMINAL'), application_id: 'sq0idp-w46nJ_NCNDMSOywaCY0mwA' },
    version_token: alnum(32),
  };
}

/** A PaymentRefund as refund.created / refund.updated carry it. */
export function squareRefundObject(s: SquareRefundSpec) {
  const at = s.at ?? new Date().toISOString();
  const status = s.status ?? 'COMPLETED';
  const currency = (s.currency ?? 'USD').toUpperCase();
  return {
    id: s.id ?? `${s.paymentId}_${alnum(40)}`,
    status,
    location_id: s.locationId ?? LOCATION_ID,
    unlinked: false,
    destination_type: 'CARD',
    amount_money: money(s.amount, currency),
    ...(status === 'COMPLETED' ? { processing_fee: [{ effective_at: plusMs(at, 7_200_000), type: 'INITIAL', amount_money: money(-Math.round(s.amount * 0.026), currency) }] } : {}),
    payment_id: s.paymentId,
    reason: s.reason ?? 'Returned goods',
    created_at: status === 'PENDING' ? at : plusMs(at, -30_000),
    updated_at: at,
  };
}

/** A Dispute as dispute.created / dispute.state.updated carry it. */
export function squareDisputeObject(s: SquareDisputeSpec) {
  const at = s.at ?? new Date().toISOString();
  return {
    amount_money: money(s.amount, (s.currency ?? 'USD').toUpperCase()),
    brand_dispute_id: alnum(22),
    card_brand: s.cardBrand ?? 'VISA',
    created_at: at,
    id: s.id ?? alnum(20),
    disputed_payment: { payment_id: s.paymentId },
    due_at: new Date(Date.parse(at) + 14 * 86_400_000).toISOString().slice(0, 10) + 'T00:00:00.000Z',
    location_id: s.locationId ?? LOCATION_ID,
    reason: s.reason ?? 'NO_KNOWLEDGE',
    reported_at: at.slice(0, 10) + 'T00:00:00.000Z',
    state: s.state ?? 'EVIDENCE_REQUIRED',
    updated_at: at,
    version: 1,
  };
}

/** The webhook envelope around a payment, refund or dispute. */
export function squareEvent(type: string, object: { id?: string }, opts: { eventId?: string; createdAt?: string; merchantId?: string; locationId?: string } = {}) {
  const kind = type.split('.')[0]!;
  return {
    merchant_id: opts.merchantId ?? MERCHANT_ID,
    ...(kind === 'dispute' ? { location_id: opts.locationId ?? LOCATION_ID } : {}),
    type,
    event_id: opts.eventId ?? randomUUID(),
    created_at: opts.createdAt ?? new Date().toISOString(),
    data: { type: kind, id: object.id ?? '', object: { [kind]: object } },
  };
}

/** Square's signature: base64 HMAC-SHA256 of the notification URL followed by the raw body. */
export function squareSignatureOf(body: string | Buffer, notificationUrl: string, signatureKey: string): string {
  return createHmac('sha256', signatureKey).update(notificationUrl, 'utf8').update(body).digest('base64');
}

/** A delivery exactly as Square POSTs it: raw JSON body, its signature and Square's delivery headers. */
export function signedSquareDelivery(event: object, signatureKey: string, opts: { notificationUrl?: string; environment?: 'Sandbox' | 'Production' } = {}) {
  const url = opts.notificationUrl ?? SIMULATOR_NOTIFICATION_URL;
  const body = JSON.stringify(event);
  const createdAt = (event as { created_at?: string }).created_at ?? new Date().toISOString();
  return {
    body,
    url,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'Square Connect v2',
      'x-square-hmacsha256-signature': squareSignatureOf(body, url, signatureKey),
      'square-environment': opts.environment ?? 'Sandbox',
      'square-initial-delivery-timestamp': createdAt,
    } as Record<string, string>,
  };
}

/** One scenario of a card-present shop, signed for `signatureKey`: what the sandbox posts to the Square trigger. */
export function squareDelivery(scenario: SquareScenario, signatureKey: string, options: SquareDeliveryOptions = {}): { body: string; headers: Record<string, string>; url: string } {
  const createdAt = options.createdAt ?? new Date().toISOString();
  const paymentId = options.paymentId ?? squarePaymentId();
  const amount = options.amount ?? 2450;
  const currency = options.currency ?? 'USD';
  const envelope = { eventId: options.eventId, createdAt, merchantId: options.merchantId, locationId: options.locationId };
  const sale = (p: Partial<SquarePaymentSpec>) =>
    squarePaymentObject({
      id: paymentId, amount, currency, customerId: options.customerId, email: options.email, card: options.card, locationId: options.locationId,
      deviceId: options.deviceId, createdAt: plusMs(createdAt, -1_500), ...p,
    });
  const refund = (status: SquareRefundSpec['status'], refundAmount: number) =>
    squareRefundObject({ paymentId, amount: refundAmount, currency, status, at: createdAt, locationId: options.locationId });
  const dispute = (state: SquareDisputeSpec['state']) =>
    squareDisputeObject({ paymentId, amount, currency, state, at: createdAt, cardBrand: options.card?.brand, locationId: options.locationId });

  const event = (() => {
    switch (scenario) {
      case 'chip': return squareEvent('payment.created', sale({ entryMethod: 'EMV' }), envelope);
      case 'contactless': return squareEvent('payment.updated', sale({ entryMethod: 'CONTACTLESS', squareProduct: 'TERMINAL_API' }), envelope);
      case 'apple_pay': return squareEvent('payment.updated', sale({ entryMethod: 'CONTACTLESS', applePay: true }), envelope);
      // Square does not flag Google Pay: the tap arrives as a plain contactless card.
      case 'google_pay': return squareEvent('payment.updated', sale({ entryMethod: 'CONTACTLESS' }), envelope);
      case 'swipe': return squareEvent('payment.updated', sale({ entryMethod: 'SWIPED' }), envelope);
      case 'keyed': return squareEvent('payment.created', sale({ entryMethod: 'KEYED' }), envelope);
      case 'decline': return squareEvent('payment.updated', sale({ status: 'FAILED', declineCode: 'CARD_DECLINED' }), envelope);
      case 'authorization': return squareEvent('payment.created', sale({ status: 'APPROVED' }), envelope);
      case 'partial_refund': return squareEvent('refund.updated', refund('COMPLETED', options.refundAmount ?? Math.max(1, Math.floor(amount / 3))), envelope);
      case 'full_refund': return squareEvent('refund.updated', refund('COMPLETED', options.refundAmount ?? amount), envelope);
      case 'refund_pending': return squareEvent('refund.created', refund('PENDING', options.refundAmount ?? amount), envelope);
      case 'dispute_opened': return squareEvent('dispute.created', dispute('EVIDENCE_REQUIRED'), envelope);
      case 'dispute_won': return squareEvent('dispute.state.updated', dispute('WON'), envelope);
      case 'dispute_lost': return squareEvent('dispute.state.updated', dispute('LOST'), envelope);
    }
  })();
  return signedSquareDelivery(event, signatureKey, { notificationUrl: options.notificationUrl, environment: options.environment });
}
