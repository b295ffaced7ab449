import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';

/**
 * Stripe Terminal webhook payloads with every field stripe-node's types give the objects (Charge, PaymentIntent,
 * Dispute, on the API version that stripe-node release pins), so the compiler, not this file, says what Stripe sends:
 * charges carry payment_method_details.card_present with the reader and its location; PaymentIntents carry
 * latest_charge as an id. Used by the sandbox's simulator, the tests and the benchmarks, so all three exercise the
 * bytes Stripe would send.
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
  /** The reader (tmr_…) and its location (tml_…), which Stripe records on the card-present details. */
  readerId?: string;
  locationId?: string;
  /**
   * A payment the reader collected offline and forwarded later: when it was stored (seconds since 1970), Stripe's
   * `card_present.offline.stored_at` (with `type: "deferred"`, the only one Stripe allows).
   */
  offlineStoredAt?: number;
}

export interface ChargeSpec {
  amount: number;
  /** Manual capture: 0 while only authorized, less than `amount` after a partial capture (default: all of it). */
  amountCaptured?: number;
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

/** What the reader read of the card: the fields a charge's card-present details and a PaymentMethod share. */
function cardAsRead(c: CardPresentSpec) {
  return {
    cardholder_name: c.cardholderName ?? null,
    country: 'US',
    exp_month: c.expMonth ?? 12,
    exp_year: c.expYear ?? 2029,
    fingerprint: c.fingerprint ?? randomBytes(12).toString('base64url'),
    funding: c.funding ?? 'credit',
    iin: c.iin ?? '424242',
    last4: c.last4 ?? '4242',
    preferred_locales: null,
    read_method: c.readMethod ?? 'contact_emv',
  };
}

/** The card-present details of a charge, as stripe-node types them (the compiler holds this to the vendor's shape). */
export function cardPresentDetails(c: CardPresentSpec = {}): Stripe.Charge.PaymentMethodDetails {
  const emv = c.readMethod === 'magnetic_stripe_track2' || c.readMethod === 'magnetic_stripe_fallback' ? null : '8A023030';
  const receipt = {
    account_type: 'credit' as const,
    application_cryptogram: 'A1B2C3D4E5F60708',
    application_preferred_name: 'Stripe Credit',
    authorization_code: '123456',
    authorization_response_code: '3030',
    cardholder_verification_method: 'approval',
    dedicated_file_name: 'A0000000031010',
    terminal_verification_results: '0000000000',
    transaction_status_information: '0000',
  };
  const common = {
    ...cardAsRead(c),
    description: null,
    emv_auth_data: emv,
    generated_card: null,
    issuer: 'Stripe Test Bank',
    network_transaction_id: '1234567890123',
    ...(c.readerId ? { reader: c.readerId } : {}),
    ...(c.locationId ? { location: c.locationId } : {}),
  };
  if (c.interac) {
    return { type: 'interac_present', interac_present: { ...common, brand: 'interac', network: 'interac', receipt } };
  }
  return {
    type: 'card_present',
    card_present: {
      ...common,
      amount_authorized: null,
      brand: c.brand ?? 'visa',
      brand_product: null,
      incremental_authorization_supported: false,
      network: c.brand ?? 'visa',
      offline: c.offlineStoredAt === undefined ? null : { stored_at: c.offlineStoredAt, type: 'deferred' },
      overcapture_supported: false,
      receipt,
      ...(c.wallet ? { wallet: { type: c.wallet } } : {}),
    },
  };
}

/** A charge as a `charge.*` webhook carries it, every field stripe-node's Charge has. */
export function chargeObject(s: ChargeSpec): Stripe.Charge & { payment_intent: string } {
  const amountRefunded = s.amountRefunded ?? 0;
  const captured = s.amountCaptured ?? s.amount;
  const id = s.chargeId ?? rid('ch');
  return {
    id,
    object: 'charge',
    amount: s.amount,
    amount_captured: captured,
    amount_refunded: amountRefunded,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: rid('txn'),
    billing_details: {
      address: { city: null, country: null, line1: null, line2: null, postal_code: s.postalCode ?? null, state: null },
      email: s.email ?? null,
      name: s.name ?? null,
      phone: s.phone ?? null,
      tax_id: null,
    },
    calculated_statement_descriptor: 'TERMINAL CRM SHOP',
    captured: captured > 0,
    created: s.created ?? nowSeconds(),
    currency: (s.currency ?? 'usd').toLowerCase(),
    customer: s.customer ?? null,
    description: null,
    disputed: false,
    failure_balance_transaction: null,
    failure_code: null,
    failure_message: null,
    fraud_details: {},
    livemode: false,
    metadata: s.metadata ?? {},
    on_behalf_of: null,
    outcome: {
      advice_code: null, network_advice_code: null, network_decline_code: null, network_status: 'approved_by_network', reason: null,
      risk_level: 'not_assessed', seller_message: 'Payment complete.', type: 'authorized',
    },
    paid: true,
    payment_intent: s.paymentIntentId ?? rid('pi'),
    payment_method: rid('pm'),
    payment_method_details: cardPresentDetails(s.card),
    receipt_email: s.email ?? null,
    receipt_number: null,
    receipt_url: `https://pay.stripe.com/receipts/payment/${id}`,
    refunded: amountRefunded >= (captured || s.amount) && amountRefunded > 0,
    review: null,
    shipping: null,
    source: null,
    source_transfer: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: 'succeeded',
    transfer_data: null,
    transfer_group: null,
  };
}

/** The PaymentMethod a declined PaymentIntent's `last_payment_error` names: the card as the reader read it. */
function cardPresentMethod(c: CardPresentSpec = {}, created: number): Stripe.PaymentMethod {
  const brand = c.interac ? 'interac' : (c.brand ?? 'visa');
  const card = { ...cardAsRead(c), brand, networks: { available: [brand], preferred: null } };
  const base = {
    id: rid('pm'), object: 'payment_method' as const, created, customer: null, customer_account: null, livemode: false, metadata: {},
    billing_details: { address: null, email: null, name: null, phone: null, tax_id: null },
  };
  if (c.interac) return { ...base, type: 'interac_present', interac_present: card };
  return { ...base, type: 'card_present', card_present: { ...card, brand_product: null, offline: null, ...(c.wallet ? { wallet: { type: c.wallet } } : {}) } };
}

/** A PaymentIntent as a `payment_intent.*` webhook carries it, every field stripe-node's PaymentIntent has. */
export function paymentIntentObject(s: ChargeSpec & { failed?: { code: string; declineCode?: string; message: string } }): Stripe.PaymentIntent {
  const id = s.paymentIntentId ?? rid('pi');
  const failed = s.failed;
  const methodType = s.card?.interac ? 'interac_present' : 'card_present';
  return {
    id,
    object: 'payment_intent',
    allowed_payment_method_types: null,
    amount: s.amount,
    amount_capturable: 0,
    amount_received: failed ? 0 : s.amount,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: null,
    canceled_at: null,
    cancellation_reason: null,
    capture_method: 'automatic',
    client_secret: `${id}_secret_${randomBytes(9).toString('base64url')}`,
    confirmation_method: 'automatic',
    created: s.created ?? nowSeconds(),
    currency: (s.currency ?? 'usd').toLowerCase(),
    customer: s.customer ?? null,
    customer_account: null,
    description: null,
    excluded_payment_method_types: null,
    last_payment_error: failed
      ? ({
          code: failed.code,
          decline_code: failed.declineCode,
          message: failed.message,
          type: 'card_error',
          payment_method: cardPresentMethod(s.card, s.created ?? nowSeconds()),
        } satisfies Stripe.PaymentIntent.LastPaymentError)
      : null,
    latest_charge: failed ? null : (s.chargeId ?? rid('ch')),
    livemode: false,
    managed_payments: null,
    metadata: s.metadata ?? {},
    next_action: null,
    on_behalf_of: null,
    payment_method: failed ? null : rid('pm'),
    payment_method_configuration_details: null,
    payment_method_options: { [methodType]: {} },
    payment_method_types: [methodType],
    payment_record: null,
    processing: null,
    receipt_email: s.email ?? null,
    review: null,
    setup_future_usage: null,
    shipping: null,
    source: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: failed ? 'requires_payment_method' : 'succeeded',
    transfer_group: null,
  };
}

export interface RefundSpec {
  amount: number;
  currency?: string;
  /** The refunded charge and its PaymentIntent, as a refund names them (ids). */
  chargeId?: string;
  paymentIntentId?: string;
  refundId?: string;
  /** "pending", "requires_action", "succeeded", "failed" or "canceled" (stripe-node's Refund.status). */
  status?: string;
  /** Stripe's failure_reason once failed: lost_or_stolen_card, expired_or_canceled_card, declined… */
  failureReason?: string;
  created?: number;
}

/**
 * A refund as `charge.refund.updated`, `refund.updated` and `refund.failed` carry it, every field stripe-node's
 * Refund has. A failed one carries the balance transaction that gave the money back to the merchant and the reason.
 */
export function refundObject(s: RefundSpec): Stripe.Refund {
  const status = s.status ?? 'succeeded';
  return {
    id: s.refundId ?? rid('re'),
    object: 'refund',
    amount: s.amount,
    balance_transaction: rid('txn'),
    charge: s.chargeId ?? rid('ch'),
    created: s.created ?? nowSeconds(),
    currency: (s.currency ?? 'usd').toLowerCase(),
    customer: null,
    customer_account: null,
    destination_details: {
      card: { reference: String(100_000_000_000 + (s.amount % 1000)), reference_status: 'available', reference_type: 'acquirer_reference_number', type: 'refund' },
      type: 'card',
    },
    ...(status === 'failed' ? { failure_balance_transaction: rid('txn'), failure_reason: s.failureReason ?? 'expired_or_canceled_card' } : {}),
    metadata: {},
    payment_intent: s.paymentIntentId ?? rid('pi'),
    payment_method: rid('pm'),
    reason: 'requested_by_customer',
    receipt_number: null,
    source_transfer_reversal: null,
    status,
    transfer_reversal: null,
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
export function disputeObject(s: DisputeSpec): Stripe.Dispute {
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
      access_activity_log: null, billing_address: null, cancellation_policy: null, cancellation_policy_disclosure: null,
      cancellation_rebuttal: null, customer_communication: null, customer_email_address: null, customer_name: null,
      customer_purchase_ip: null, customer_signature: null, duplicate_charge_documentation: null,
      duplicate_charge_explanation: null, duplicate_charge_id: null, enhanced_evidence: {}, product_description: null,
      receipt: null, refund_policy: null, refund_policy_disclosure: null, refund_refusal_explanation: null,
      service_date: null, service_documentation: null, shipping_address: null, shipping_carrier: null, shipping_date: null,
      shipping_documentation: null, shipping_tracking_number: null, uncategorized_file: null, uncategorized_text: null,
    },
    evidence_details: {
      due_by: status.endsWith('needs_response') ? created + 7 * 86_400 : null,
      enhanced_eligibility: {},
      has_evidence: false,
      past_due: false,
      submission_count: 0,
      submission_method: 'not_submitted',
    },
    intended_submission_method: null,
    is_charge_refundable: status === 'warning_needs_response' || status === 'warning_under_review',
    livemode: false,
    metadata: {},
    network_reason_code: '10.4',
    payment_intent: s.paymentIntentId === undefined ? (typeof charge === 'string' ? rid('pi') : charge.payment_intent) : s.paymentIntentId,
    payment_method_details: {
      card: { brand: 'visa', case_type: status.startsWith('warning_') ? 'inquiry' : 'chargeback', network: 'visa', network_reason_code: '10.4' },
      type: s.methodType ?? 'card',
    },
    reason: s.reason ?? 'fraudulent',
    status,
  };
}

export type StripeTerminalEventType =
  | 'charge.succeeded'
  | 'charge.captured'
  | 'charge.refunded'
  | 'charge.refund.updated'
  | 'refund.updated'
  | 'refund.failed'
  | 'charge.dispute.created'
  | 'charge.dispute.closed'
  | 'payment_intent.succeeded'
  | 'payment_intent.payment_failed';

/**
 * An event as Stripe delivers it, on the API version of the stripe-node release the pack depends on (the version its
 * types, and so the objects above, describe).
 */
export function stripeEvent(type: StripeTerminalEventType | string, object: object, opts: { id?: string; created?: number; apiVersion?: string } = {}): Stripe.EventBase {
  return {
    id: opts.id ?? rid('evt'),
    object: 'event',
    // The version the event was rendered in: the endpoint's, else the account's (stripe-node's own by default).
    api_version: opts.apiVersion ?? Stripe.API_VERSION,
    created: opts.created ?? nowSeconds(),
    data: { object: object as Stripe.Event.Data.Object },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type: type as Stripe.Event.Type,
  };
}

/** A signed delivery, exactly as Stripe would POST it: raw JSON body and its Stripe-Signature header. */
export function signedDelivery(event: object, secret: string, timestamp?: number): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify(event, null, 2);
  const signature = Stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp });
  return { body, headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': signature } };
}
