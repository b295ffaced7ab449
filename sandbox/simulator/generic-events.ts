import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/**
 * Standard Webhooks deliveries for the sandbox's generic source, signed by the `standardwebhooks` package exactly
 * as a producer signs them (webhook-id, webhook-timestamp, webhook-signature "v1,<base64>"). The payloads are
 * shaped like Dodo Payments' webhook events (dodopayments-typescript: WebhookPayload, Payment, Refund,
 * GetDispute), a payments vendor that sends Standard Webhooks; the card-present details a POS integration keeps
 * in the payment's metadata (entry_mode, reader_id, location_id), as GENERIC_SANDBOX_CONFIG maps them.
 */
export type GenericScenario =
  | 'chip'
  | 'contactless'
  | 'apple_pay'
  | 'google_pay'
  | 'swipe'
  | 'fallback'
  | 'keyed'
  | 'decline'
  | 'partial_refund'
  | 'dispute_opened'
  | 'dispute_won'
  | 'dispute_lost'
  | 'processing';

export interface GenericDeliveryOptions {
  /** Signing time (default now): a test of the tolerance signs in the past. */
  now?: Date;
  /** The webhook-id; a redelivery of the same event keeps it. */
  messageId?: string;
  paymentId?: string;
  /** Minor units of `currency` (ISO 4217 exponents, as Dodo documents: cents, yen, fils). */
  amount?: number;
  currency?: string;
  /** For refunds: the amount refunded by this refund. */
  refundAmount?: number;
  customer?: { id?: string; email?: string; name?: string; phone?: string | null };
  card?: { network?: string; last4?: string; type?: 'CREDIT' | 'DEBIT'; paymentMethodId?: string };
  readerId?: string;
  locationId?: string;
  /** Extra merchant metadata (order ids, notes). */
  metadata?: Record<string, string>;
  businessId?: string;
  /** The URL the delivery is meant for, echoed back for the poster. */
  url?: string;
}

export interface GenericDelivery {
  body: string;
  headers: Record<string, string>;
  url?: string;
}

const rid = (prefix: string) => `${prefix}_${randomBytes(12).toString('base64url').replace(/[-_]/g, 'x')}`;

/** How a POS integration records the card read in Dodo's free-form payment metadata. */
const ENTRY_MODE: Partial<Record<GenericScenario, string>> = {
  chip: 'emv', contactless: 'nfc', apple_pay: 'nfc', google_pay: 'nfc', swipe: 'swipe', fallback: 'fallback', keyed: 'manual', decline: 'emv',
  processing: 'emv',
};

const WALLET: Partial<Record<GenericScenario, string>> = { apple_pay: 'apple_pay', google_pay: 'google_pay' };

const DISPUTE_STATUS: Partial<Record<GenericScenario, [type: string, status: string]>> = {
  dispute_opened: ['dispute.opened', 'dispute_opened'],
  dispute_won: ['dispute.won', 'dispute_won'],
  dispute_lost: ['dispute.lost', 'dispute_lost'],
};

/** One signed delivery for `scenario`, in Dodo's Standard Webhooks format. */
export function genericDelivery(scenario: GenericScenario, secret: string, options: GenericDeliveryOptions = {}): GenericDelivery {
  const now = options.now ?? new Date();
  const event = genericEvent(scenario, options, now);
  const body = JSON.stringify(event);
  const messageId = options.messageId ?? rid('msg');
  const signature = new Webhook(secret).sign(messageId, now, body);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'webhook-id': messageId,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': signature,
    },
    url: options.url,
  };
}

/** The event object itself (unsigned), for tests that sign it their own way. */
export function genericEvent(scenario: GenericScenario, options: GenericDeliveryOptions = {}, now = new Date()): Record<string, unknown> {
  const businessId = options.businessId ?? 'bus_sandbox_shop';
  const paymentId = options.paymentId ?? rid('pay');
  const currency = options.currency ?? 'USD';
  const customer = {
    customer_id: options.customer?.id ?? 'cus_sandbox_regular',
    email: options.customer?.email ?? 'regular@example.com',
    name: options.customer?.name ?? 'Sam Regular',
    metadata: {},
    phone_number: options.customer?.phone === undefined ? '+14155550123' : options.customer.phone,
  };
  const timestamp = now.toISOString();
  const disputeStatus = DISPUTE_STATUS[scenario];
  if (disputeStatus) {
    return {
      business_id: businessId,
      type: disputeStatus[0],
      timestamp,
      data: {
        payload_type: 'Dispute', amount: String(options.amount ?? 4599), brand_id: 'bnd_sandbox', business_id: businessId, created_at: timestamp, currency,
        customer, dispute_id: rid('dsp'), dispute_stage: 'dispute', dispute_status: disputeStatus[1], payment_id: paymentId, payment_provider: 'dodo',
        is_resolved_by_rdr: false, reason: 'product_not_received', remarks: null,
      },
    };
  }
  if (scenario === 'partial_refund') {
    return {
      business_id: businessId,
      type: 'refund.succeeded',
      timestamp,
      data: {
        payload_type: 'Refund', brand_id: 'bnd_sandbox', business_id: businessId, created_at: timestamp, customer, is_partial: true, metadata: {},
        payment_id: paymentId, refund_id: rid('ref'), status: 'succeeded', amount: options.refundAmount ?? 1500, currency, reason: 'One item returned',
      },
    };
  }
  const declined = scenario === 'decline';
  const amount = options.amount ?? 4599;
  const card = options.card ?? {};
  const wallet = WALLET[scenario];
  return {
    business_id: businessId,
    type: declined ? 'payment.failed' : scenario === 'processing' ? 'payment.processing' : 'payment.succeeded',
    timestamp,
    data: {
      payload_type: 'Payment',
      billing: { country: 'US', city: 'San Francisco', state: 'CA', street: '500 Howard St', zipcode: '94105' },
      brand_id: 'bnd_sandbox', business_id: businessId, created_at: timestamp, currency, customer,
      digital_products_delivered: false, disputes: [], is_update_payment_method: false,
      metadata: {
        entry_mode: ENTRY_MODE[scenario] ?? 'emv',
        reader_id: options.readerId ?? 'tmr_sandbox_counter',
        location_id: options.locationId ?? 'loc_sandbox_shop',
        ...options.metadata,
      },
      payment_id: paymentId, payment_provider: 'dodo', refunds: [], retry_attempt: 0,
      settlement_amount: declined ? 0 : amount, settlement_currency: currency, total_amount: amount,
      card_holder_name: customer.name.toUpperCase(), card_issuing_country: 'US',
      card_last_four: card.last4 ?? '4242', card_network: card.network ?? 'VISA', card_type: card.type ?? 'CREDIT',
      checkout_session_id: null,
      error_code: declined ? 'INSUFFICIENT_FUNDS' : null,
      error_message: declined ? 'The card has insufficient funds. Ask the customer for another payment method.' : null,
      invoice_id: declined ? null : rid('inv'), payment_link: null, payment_method: 'card',
      payment_method_id: card.paymentMethodId ?? 'pm_sandbox_card_1',
      payment_method_type: wallet ?? (card.network ?? 'VISA').toLowerCase(),
      product_cart: null, refund_status: null, settlement_tax: 0,
      status: declined ? 'failed' : scenario === 'processing' ? 'processing' : 'succeeded',
      subscription_id: null, tax: 0, updated_at: timestamp,
    },
  };
}

/**
 * The generic source configuration that reads these deliveries (and Dodo Payments' own): give it to the sandbox
 * as TERMINAL_CRM_GENERIC_CONFIG (JSON) with the secret in TERMINAL_CRM_WEBHOOK_SECRET.
 */
export const GENERIC_SANDBOX_CONFIG = {
  name: 'generic',
  label: 'Generic webhook (Standard Webhooks)',
  scheme: 'standard-webhooks',
  livemode: false,
  mapping: {
    eventType: '$.type',
    kindByType: {
      'payment.succeeded': 'payment', 'payment.failed': 'failure', 'refund.succeeded': 'refund',
      'dispute.opened': 'dispute', 'dispute.won': 'dispute', 'dispute.lost': 'dispute',
    },
    paymentId: '$.data.payment_id',
    amount: ['$.data.total_amount', '$.data.amount'],
    currency: '$.data.currency',
    occurredAt: '$.timestamp',
    status: {
      path: ['$.data.is_partial', '$.data.dispute_status', '$.data.status'],
      map: {
        succeeded: 'succeeded', failed: 'failed', true: 'partially_refunded', false: 'refunded',
        dispute_opened: 'disputed', dispute_challenged: 'disputed', dispute_won: 'succeeded', dispute_lost: 'refunded',
      },
    },
    card: {
      brand: '$.data.card_network',
      last4: '$.data.card_last_four',
      funding: '$.data.card_type',
      wallet: { path: '$.data.payment_method_type', map: { apple_pay: 'apple_pay', google_pay: 'google_pay' } },
      fingerprint: '$.data.payment_method_id',
      entryMode: { path: '$.data.metadata.entry_mode', map: { emv: 'chip', nfc: 'contactless', swipe: 'swipe', fallback: 'fallback', manual: 'keyed' } },
    },
    terminal: { readerId: '$.data.metadata.reader_id', locationId: '$.data.metadata.location_id' },
    customer: {
      id: '$.data.customer.customer_id', email: '$.data.customer.email', phone: '$.data.customer.phone_number',
      name: '$.data.customer.name', postalCode: '$.data.billing.zipcode',
    },
    failure: { code: '$.data.error_code', message: '$.data.error_message' },
    dispute: { id: '$.data.dispute_id', reason: '$.data.reason' },
    metadata: { order: '$.data.metadata.order_id', refundId: '$.data.refund_id' },
  },
} as const;
