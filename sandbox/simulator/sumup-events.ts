import { randomBytes, randomUUID } from 'node:crypto';
import type { HttpRequest, HttpResponse, HttpTransport } from '../../nodes/core/http/http-transport';
import { sumupEventSignature } from '../../nodes/core/sources/sumup';

/**
 * SumUp deliveries shaped like the real ones: the Reader Checkout callback (ReaderCheckoutStatusChange in SumUp's
 * OpenAPI: {id, event_type: "solo.transaction.updated", payload: {client_transaction_id, merchant_code, status},
 * timestamp}) signed as SumUp's SDK verifies events (X-SumUp-Webhook-Signature "v1=<hex>" over
 * "v1:<timestamp>:<body>", X-SumUp-Webhook-Timestamp), and the transaction the API returns for it (TransactionFull).
 *
 * The callback only names the transaction: serve it with `sumupApiStub` (the sandbox) or an HTTP mock. SumUp has
 * no dispute resource; a chargeback is an event of the transaction ('chargeback').
 */
export type SumUpScenario = 'chip' | 'contactless' | 'apple_pay' | 'google_pay' | 'swipe' | 'fallback' | 'keyed' | 'decline' | 'partial_refund' | 'chargeback';

export interface SumUpDeliveryOptions {
  merchantCode?: string;
  /** Decimal major units as SumUp writes them, e.g. "12.50". */
  amount?: string;
  refundAmount?: string;
  currency?: string;
  cardType?: 'VISA' | 'MASTERCARD' | 'AMEX' | 'MAESTRO';
  last4?: string;
  at?: Date;
}

export interface SumUpDelivery {
  body: string;
  headers: Record<string, string>;
  merchantCode: string;
  clientTransactionId: string;
  /** What GET /v2.1/merchants/{merchantCode}/transactions?client_transaction_id=… answers. */
  transaction: Record<string, unknown>;
}

const ENTRY: Record<Exclude<SumUpScenario, 'decline' | 'partial_refund' | 'chargeback'>, string> = {
  chip: 'CHIP',
  contactless: 'CONTACTLESS',
  apple_pay: 'APPLE_PAY',
  google_pay: 'GOOGLE_PAY',
  swipe: 'MAGSTRIPE',
  fallback: 'MAGSTRIPE_FALLBACK',
  keyed: 'MANUAL_ENTRY',
};

const code = () => randomBytes(6).toString('base64url').toUpperCase().replace(/[^A-Z0-9]/g, 'X').slice(0, 10);
/** SumUp's transaction event ids are int64; kept below 2^53 so JSON keeps them exact. */
const eventId = () => 9_000_000_000 + (randomBytes(4).readUInt32BE() % 999_999_999);

export function sumupTransaction(scenario: SumUpScenario, o: SumUpDeliveryOptions & { clientTransactionId?: string } = {}): Record<string, unknown> {
  const at = o.at ?? new Date();
  const id = randomUUID();
  const amount = Number(o.amount ?? '12.50');
  const failed = scenario === 'decline';
  const entry = failed || scenario === 'partial_refund' || scenario === 'chargeback' ? 'CHIP' : ENTRY[scenario];
  const later = (minutes: number) => new Date(at.getTime() + minutes * 60_000).toISOString();
  const events: Record<string, unknown>[] = [];
  if (scenario === 'partial_refund') {
    events.push({ id: eventId(), transaction_id: id, type: 'REFUND', status: 'REFUNDED', amount: Number(o.refundAmount ?? (amount / 2).toFixed(2)), timestamp: later(30), fee_amount: 0, installment_number: 1, deducted_amount: 0, deducted_fee_amount: 0 });
  }
  if (scenario === 'chargeback') {
    events.push({ id: eventId(), transaction_id: id, type: 'CHARGE_BACK', status: 'PENDING', amount, timestamp: later(60 * 24), fee_amount: 0, installment_number: 1, deducted_amount: 0, deducted_fee_amount: 0 });
  }
  return {
    id,
    transaction_code: code(),
    amount,
    currency: o.currency ?? 'EUR',
    timestamp: at.toISOString(),
    status: failed ? 'FAILED' : 'SUCCESSFUL',
    payment_type: 'POS',
    installments_count: 1,
    merchant_code: o.merchantCode ?? 'MH4H92C7',
    vat_amount: 0,
    tip_amount: 0,
    entry_mode: entry,
    ...(failed ? {} : { auth_code: String(100000 + (randomBytes(2).readUInt16BE() % 900000)) }),
    client_transaction_id: o.clientTransactionId ?? randomUUID(),
    username: 'merchant@example.com',
    device_info: { name: 'Solo', system_name: 'Solo OS', model: 'SOLO', system_version: '3.3.39.0', uuid: 'c3a1e2f4-5b6d-4e7f-8a9b-0c1d2e3f4a5b' },
    simple_payment_type: entry === 'MANUAL_ENTRY' ? 'MANUAL_ENTRY' : 'EMV',
    verification_method: entry === 'CHIP' ? 'online PIN' : 'none',
    card: { last_4_digits: o.last4 ?? '3456', type: o.cardType ?? 'VISA' },
    process_as: 'CREDIT',
    simple_status: failed ? 'FAILED' : scenario === 'partial_refund' ? 'REFUNDED' : scenario === 'chargeback' ? 'CHARGEBACK' : 'SUCCESSFUL',
    events,
    transaction_events: [],
  };
}

/** The Reader Checkout callback for a transaction, signed with the webhook secret, and the transaction it names. */
export function sumupDelivery(
  scenario: SumUpScenario, secret: string, options: SumUpDeliveryOptions & { transaction?: Record<string, unknown> } = {},
): SumUpDelivery {
  // A callback about a transaction made before (`transaction`, as it is now: refunded since, charged back…) names it.
  const given = options.transaction;
  const merchantCode = String(given?.merchant_code ?? options.merchantCode ?? 'MH4H92C7');
  const clientTransactionId = String(given?.client_transaction_id ?? randomUUID());
  const transaction = given ?? sumupTransaction(scenario, { ...options, merchantCode, clientTransactionId });
  const at = options.at ?? new Date();
  const body = JSON.stringify({
    id: randomUUID(),
    event_type: 'solo.transaction.updated',
    payload: { client_transaction_id: clientTransactionId, merchant_code: merchantCode, status: scenario === 'decline' ? 'failed' : 'successful', transaction_id: transaction.id },
    timestamp: at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
  });
  const ts = Math.floor(at.getTime() / 1000);
  return {
    body,
    headers: { 'content-type': 'application/json', 'x-sumup-webhook-signature': sumupEventSignature(secret, ts, body), 'x-sumup-webhook-timestamp': String(ts) },
    merchantCode,
    clientTransactionId,
    transaction,
  };
}

/**
 * The sandbox's merchants, each with its default currency (Merchant.default_currency): the one sumupTransaction
 * writes its transactions in unless told another.
 */
export const SUMUP_SANDBOX_MERCHANTS: Readonly<Record<string, string>> = { MH4H92C7: 'EUR' };

/**
 * SumUp's transactions API for the sandbox: answers GET /v2.1/merchants/{code}/transactions?client_transaction_id=…
 * or ?id=… with the transactions of the deliveries given, and GET /v1/merchants/{code} with the Merchant of one of
 * `merchants` (code → default currency); 404 otherwise, and keeps the requests it saw.
 */
export function sumupApiStub(
  deliveries: Iterable<Pick<SumUpDelivery, 'transaction'>> = [],
  merchants: Readonly<Record<string, string>> = SUMUP_SANDBOX_MERCHANTS,
): HttpTransport & { requests: HttpRequest[]; add(d: Pick<SumUpDelivery, 'transaction'>): void } {
  const transactions: Record<string, unknown>[] = [];
  const add = (d: Pick<SumUpDelivery, 'transaction'>) => void transactions.push(d.transaction);
  for (const d of deliveries) add(d);
  const requests: HttpRequest[] = [];
  const ok = (body: unknown): HttpResponse => ({ status: 200, headers: { 'content-type': 'application/json' }, body });
  return {
    requests,
    add,
    async request(req: HttpRequest): Promise<HttpResponse> {
      requests.push(req);
      const path = req.url.split('?')[0]!;
      const merchant = /\/v1\/merchants\/([^/]+)$/.exec(path);
      const code = merchant ? decodeURIComponent(merchant[1]!) : undefined;
      if (code && merchants[code]) {
        // Merchant as SumUp's OpenAPI lists its required fields.
        return ok({ merchant_code: code, country: 'DE', default_currency: merchants[code], default_locale: 'de-DE', created_at: '2024-01-15T09:00:00Z', updated_at: '2025-06-01T09:00:00Z' });
      }
      const m = /\/v2\.1\/merchants\/([^/]+)\/transactions$/.exec(path);
      const qs = req.qs ?? {};
      const found = m
        ? transactions.find((t) => t.merchant_code === decodeURIComponent(m[1]!) && ((qs.id && t.id === qs.id) || (qs.client_transaction_id && t.client_transaction_id === qs.client_transaction_id)))
        : undefined;
      return found
        ? ok(found)
        : { status: 404, headers: { 'content-type': 'application/json' }, body: { error_code: 'NOT_FOUND', message: 'Resource not found' } };
    },
  };
}
