import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';

/**
 * Stripe Terminal webhook payloads shaped like the real ones (API version 2025-x: charges carry
 * payment_method_details.card_present; PaymentIntents carry latest_charge as an id). Used by the sandbox's
 * simulator, the tests and the benchmarks, so all three exercise the same bytes Stripe would send.
 */
export type ReadMethod = 'contact_emv' | 'contactless_emv' | 'magnetic_stripe_track2' | 'magnetic_stripe_fallback';

export interface CardPresentSpec {
  brand?: string;
  last4?: string;
  iin?: string;
  expMonth?: number;
  expYear?: number;
  funding?: 'credit' | 'debit' | 'prepaid';
  fingerprint?: string;
  readMethod?: ReadMethod;
  wallet?: 'apple_pay' | 'google_pay' | 'samsung_pay';
  cardholderName?: string;
  interac?: boolean;
}

export interface ChargeSpec {
  amount: number;
  currency?: string;
  amountRefunded?: number;
  customer?: string | null;
  email?: string | null;
  phone?: string | null;
  name?: string | null;
  postalCode?: string | null;
  card?: CardPresentSpec;
  paymentIntentId?: string;
  chargeId?: string;
  metadata?: Record<string, string>;
  created?: number;
}

const rid = (prefix: string) => `${prefix}_${randomBytes(12).toString('base64url').replace(/[-_]/g, 'x')}`;
const nowSeconds = () => Math.floor(Date.now() / 1000);

export function cardPresentDetails(c: CardPresentSpec = {}) {
  const type = c.interac ? 'interac_present' : 'card_present';
  return {
    type,
    [type]: {
      amount_authorized: null,
      brand: c.interac ? 'interac' : (c.brand ?? 'visa'),
      brand_product: null,
      cardholder_name: c.cardholderName ?? null,
      country: 'US',
      description: null,
      emv_auth_data: c.readMethod === 'magnetic_stripe_track2' ? null : '8A023030',
      exp_month: c.expMonth ?? 12,
      exp_year: c.expYear ?? 2029,
      fingerprint: c.fingerprint ?? randomBytes(12).toString('base64url'),
      funding: c.funding ?? 'credit',
      generated_card: null,
      iin: c.iin ?? '424242',
      incremental_authorization_supported: false,
      issuer: 'Stripe Test Bank',
      last4: c.last4 ?? '4242',
      network: c.brand ?? 'visa',
      network_transaction_id: '1234567890123',
      offline: null,
      overcapture_supported: false,
      preferred_locales: null,
      read_method: c.readMethod ?? 'contact_emv',
      receipt: {
        account_type: 'credit',
        application_cryptogram: 'A1B2C3D4E5F60708',
        application_preferred_name: 'Stripe Credit',
        authorization_code: '123456',
        authorization_response_code: '3030',
        cardholder_verification_method: 'approval',
        dedicated_file_name: 'A0000000031010',
        terminal_verification_results: '0000000000',
        transaction_status_information: '0000',
      },
      wallet: c.wallet ? { type: c.wallet } : null,
    },
  };
}

export function chargeObject(s: ChargeSpec) {
  const amountRefunded = s.amountRefunded ?? 0;
  return {
    id: s.chargeId ?? rid('ch'),
    object: 'charge',
    amount: s.amount,
    amount_captured: s.amount,
    amount_refunded: amountRefunded,
    application_fee_amount: null,
    balance_transaction: rid('txn'),
    billing_details: {
      address: { city: null, country: null, line1: null, line2: null, postal_code: s.postalCode ?? null, state: null },
      email: s.email ?? null,
      name: s.name ?? null,
      phone: s.phone ?? null,
    },
    captured: true,
    created: s.created ?? nowSeconds(),
    currency: (s.currency ?? 'usd').toLowerCase(),
    customer: s.customer ?? null,
    description: null,
    livemode: false,
    metadata: s.metadata ?? {},
    outcome: { network_status: 'approved_by_network', reason: null, risk_level: 'not_assessed', seller_message: 'Payment complete.', type: 'authorized' },
    paid: true,
    payment_intent: s.paymentIntentId ?? rid('pi'),
    payment_method: rid('pm'),
    payment_method_details: cardPresentDetails(s.card),
    receipt_email: s.email ?? null,
    refunded: amountRefunded >= s.amount && amountRefunded > 0,
    status: 'succeeded',
  };
}

export function paymentIntentObject(s: ChargeSpec & { failed?: { code: string; declineCode?: string; message: string } }) {
  const id = s.paymentIntentId ?? rid('pi');
  const failed = s.failed;
  return {
    id,
    object: 'payment_intent',
    amount: s.amount,
    amount_capturable: 0,
    amount_received: failed ? 0 : s.amount,
    capture_method: 'automatic',
    created: s.created ?? nowSeconds(),
    currency: (s.currency ?? 'usd').toLowerCase(),
    customer: s.customer ?? null,
    last_payment_error: failed
      ? {
          code: failed.code,
          decline_code: failed.declineCode,
          message: failed.message,
          type: 'card_error',
          payment_method: { id: rid('pm'), object: 'payment_method', type: 'card_present', card_present: cardPresentDetails(s.card).card_present },
        }
      : null,
    latest_charge: failed ? null : (s.chargeId ?? rid('ch')),
    livemode: false,
    metadata: s.metadata ?? {},
    payment_method_types: [s.card?.interac ? 'interac_present' : 'card_present'],
    receipt_email: s.email ?? null,
    status: failed ? 'requires_payment_method' : 'succeeded',
  };
}

export type DisputeStatus =
  | 'warning_needs_response' | 'warning_under_review' | 'warning_closed'
  | 'needs_response' | 'under_review' | 'won' | 'lost' | 'prevented';

export interface DisputeSpec {
  amount: number;
  currency?: string;
  /** The disputed charge: its id (as webhooks send it), or the charge object (as when fetched with expand[]=charge). */
  charge?: string | ReturnType<typeof chargeObject>;
  paymentIntentId?: string | null;
  status?: DisputeStatus;
  reason?: string;
  disputeId?: string;
  /** Klarna, PayPal… disputes; card disputes (terminal sales included) are "card". */
  methodType?: string;
  created?: number;
}

/**
 * A dispute as `charge.dispute.*` webhooks carry it. Note what it lacks: no card details and no
 * payment_method_details.card_present, only the charge and PaymentIntent ids.
 */
export function disputeObject(s: DisputeSpec) {
  const created = s.created ?? nowSeconds();
  const charge = s.charge ?? rid('ch');
  const status = s.status ?? 'needs_response';
  return {
    id: s.disputeId ?? rid('dp'),
    object: 'dispute',
    amount: s.amount,
    balance_transactions: [],
    charge,
    created,
    currency: (s.currency ?? 'usd').toLowerCase(),
    enhanced_eligibility_types: [],
    evidence: {
      access_activity_log: null, billing_address: null, cancellation_policy: null, customer_email_address: null,
      customer_name: null, customer_signature: null, product_description: null, receipt: null, refund_policy: null,
      service_date: null, shipping_address: null, uncategorized_text: null,
    },
    evidence_details: {
      due_by: status.endsWith('needs_response') ? created + 7 * 86_400 : null,
      enhanced_eligibility: {},
      has_evidence: false,
      past_due: false,
      submission_count: 0,
    },
    is_charge_refundable: status === 'warning_needs_response' || status === 'warning_under_review',
    livemode: false,
    metadata: {},
    network_reason_code: '10.4',
    payment_intent: s.paymentIntentId === undefined ? (typeof charge === 'string' ? rid('pi') : charge.payment_intent) : s.paymentIntentId,
    payment_method_details: {
      card: { brand: 'visa', case_type: status.startsWith('warning_') ? 'inquiry' : 'chargeback', network_reason_code: '10.4' },
      type: s.methodType ?? 'card',
    },
    reason: s.reason ?? 'fraudulent',
    status,
  };
}

export type StripeTerminalEventType =
  | 'charge.succeeded'
  | 'charge.refunded'
  | 'charge.dispute.created'
  | 'charge.dispute.closed'
  | 'payment_intent.succeeded'
  | 'payment_intent.payment_failed';

export function stripeEvent(type: StripeTerminalEventType | string, object: object, opts: { id?: string; created?: number } = {}) {
  return {
    id: opts.id ?? rid('evt'),
    object: 'event',
    api_version: '2025-06-30.basil',
    created: opts.created ?? nowSeconds(),
    data: { object },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
  };
}

/** A signed delivery, exactly as Stripe would POST it: raw JSON body and its Stripe-Signature header. */
export function signedDelivery(event: object, secret: string, timestamp?: number): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify(event, null, 2);
  const signature = Stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp });
  return { body, headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': signature } };
}
