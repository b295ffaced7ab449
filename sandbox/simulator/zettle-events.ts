import { randomBytes, randomUUID } from 'node:crypto';
import { zettleSignature } from '../../nodes/core/sources/zettle';

/**
 * Zettle Pusher API deliveries shaped like the real ones (pusher-api/concept/event-payloads.md: the envelope with
 * the purchase as a JSON string in `payload`; card attributes as in purchase.adoc, IZETTLE_CARD), signed the way
 * create-subscriptions.md describes: hex HMAC-SHA256 of "<timestamp>.<payload>" in X-iZettle-Signature.
 *
 * Zettle has no declines (a purchase exists only once paid), no disputes on the Pusher API, no manual card entry
 * and no documented chip-fallback entry mode, and reports a wallet tap as CONTACTLESS_EMV like any other tap: those
 * scenarios do not exist here.
 */
export type ZettleScenario = 'chip' | 'contactless' | 'apple_pay' | 'google_pay' | 'swipe' | 'partial_refund' | 'cash' | 'test';

export interface ZettleDeliveryOptions {
  /** Minor units (what the card paid, or got back for a refund). */
  amount?: number;
  currency?: string;
  purchaseUuid?: string;
  /** For partial_refund: the sale refunded. */
  refundsPurchaseUuid?: string;
  cardType?: string;
  /** First six and last four; the middle is masked as Zettle does. */
  bin?: string;
  last4?: string;
  organizationUuid?: string;
  employee?: string;
  /** The till (Zettle's udid); default a new one. */
  udid?: string;
  at?: Date;
}

const ENTRY: Record<Exclude<ZettleScenario, 'cash' | 'test' | 'partial_refund'>, string> = {
  chip: 'EMV',
  contactless: 'CONTACTLESS_EMV',
  apple_pay: 'CONTACTLESS_EMV',
  google_pay: 'CONTACTLESS_EMV',
  swipe: 'MAGSTRIPE',
};

/** Zettle's purchase and message ids are version-1 UUIDs. */
export function uuidV1Like(): string {
  const u = randomUUID();
  return `${u.slice(0, 14)}1${u.slice(15)}`;
}

export function zettlePurchasePayload(scenario: Exclude<ZettleScenario, 'test'>, o: ZettleDeliveryOptions = {}) {
  const at = o.at ?? new Date();
  const refund = scenario === 'partial_refund';
  const minor = (o.amount ?? 1250) * (refund ? -1 : 1);
  const organizationUuid = o.organizationUuid ?? 'd3f03ffa-4a18-4282-bbfa-efd5f642ffb7';
  const payment =
    scenario === 'cash'
      ? { uuid: uuidV1Like(), amount: minor, type: 'IZETTLE_CASH', attributes: { changeAmount: 0, handedAmount: minor } }
      : {
          uuid: uuidV1Like(),
          amount: minor,
          gratuityAmount: 0,
          type: 'IZETTLE_CARD',
          ...(refund ? { references: { refundsPayment: uuidV1Like() } } : {}),
          attributes: {
            cardHolderVerificationMethod: scenario === 'swipe' ? 'Signature' : 'None',
            maskedPan: `${o.bin ?? '476173'}******${o.last4 ?? '0119'}`,
            cardPaymentEntryMode: refund ? 'CONTACTLESS_EMV' : ENTRY[scenario],
            referenceNumber: randomBytes(5).toString('hex').toUpperCase(),
            authorizationCode: String(100000 + (randomBytes(2).readUInt16BE() % 900000)),
            cardType: o.cardType ?? 'VISA',
            terminalVerificationResults: '0000008001',
            applicationIdentifier: 'A0000000031010',
            applicationName: 'VISA CREDIT',
          },
        };
  return {
    purchaseUuid: o.purchaseUuid ?? uuidV1Like(),
    source: 'POS',
    userUuid: '7a1abbf4-b5e2-4c70-8b21-f4ec5b00c463',
    currency: o.currency ?? 'GBP',
    country: 'GB',
    amount: minor,
    vatAmount: Math.round(minor / 6),
    timestamp: at.getTime(),
    created: at.toISOString().replace('Z', '+0000'),
    purchaseNumber: 1 + (at.getTime() % 100000),
    userDisplayName: o.employee ?? 'Sandbox Till',
    udid: o.udid ?? randomBytes(20).toString('hex').replace(/\d/g, (d) => 'abcdefghij'[Number(d)]!),
    organizationUuid,
    products: [{ id: '0', name: refund ? 'Refund' : 'Flat white', quantity: refund ? '-1' : '1', unitPrice: Math.abs(minor), vatPercentage: 20, type: 'CUSTOM_AMOUNT', details: {} }],
    discounts: [],
    payments: [payment],
    references: { checkoutUUID: uuidV1Like() },
    taxationMode: 'INCLUSIVE',
    taxationType: 'VAT',
    ...(refund ? { refund: true, refundsPurchaseUuid: o.refundsPurchaseUuid ?? uuidV1Like() } : {}),
  };
}

/** A signed Pusher delivery, as Zettle would POST it. A test message is unsigned, as Zettle sends it. */
export function zettleDelivery(scenario: ZettleScenario, signingKey: string, options: ZettleDeliveryOptions = {}): { body: string; headers: Record<string, string> } {
  const organizationUuid = options.organizationUuid ?? 'd3f03ffa-4a18-4282-bbfa-efd5f642ffb7';
  if (scenario === 'test') {
    const body = JSON.stringify({ eventName: 'TestMessage', organizationUuid, messageId: uuidV1Like(), payload: { data: 'payload' } });
    return { body, headers: { 'content-type': 'application/json' } };
  }
  const payload = JSON.stringify(zettlePurchasePayload(scenario, { ...options, organizationUuid }));
  const timestamp = (options.at ?? new Date()).toISOString();
  const body = JSON.stringify({ organizationUuid, messageUuid: uuidV1Like(), eventName: 'PurchaseCreated', messageId: randomUUID(), payload, timestamp });
  return { body, headers: { 'content-type': 'application/json', 'x-izettle-signature': zettleSignature(timestamp, payload, signingKey) } };
}
