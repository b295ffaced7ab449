import { createHmac, timingSafeEqual } from 'node:crypto';
import { LISTING_LAG_MS } from './listing-lag';
import { z } from 'zod/v4';
import type { PaymentEvent } from '../contracts/payment-event';
import { IgnoredEventError, InputError, SignatureError } from '../errors';
import { webUrlSetting } from '../http/web-url';
import { hmacKey } from './hmac-key';
import { sentAtOr } from './iso-time';
import { headerValue, type ListPage, type ListResult, type Source, type SourceContext, type VerifiedDelivery, type WebhookRequest } from './source';
import { fetchSumUpCheckoutTransactionIds, fetchSumUpMerchantCurrency, fetchSumUpTransaction, listSumUpHistory, SUMUP_BASE_URL, type SumUpApi } from './sumup-api';
import { cancelledNeedsMerchantCurrency, cancelledWithUnreadAmount, normalizeSumUpTransaction, SUMUP_EVENT_TYPES } from './sumup-transaction';
import { ledgerSalesFor } from './void-amount';
import { obj, trimmedStr, type Obj } from '../json/json-values';

export const SUMUP_HANDLED_EVENT_TYPES = Object.values(SUMUP_EVENT_TYPES);

/** SumUp's event signature (sumup-rs SDK, events_handler.rs): "v1=<hex HMAC-SHA256 of 'v1:<ts>:<body>'>". */
export const SUMUP_SIGNATURE_HEADER = 'X-SumUp-Webhook-Signature';
export const SUMUP_TIMESTAMP_HEADER = 'X-SumUp-Webhook-Timestamp';
/** The SDK's fixed clock skew: "enforces a fixed five-minute clock skew". */
export const SUMUP_SIGNATURE_TOLERANCE_SECONDS = 300;
/** SumUp's webhook guide ("Securing your endpoint"): an HMAC-SHA256 of the payload with the webhook secret. */
export const SUMUP_PAYLOAD_SIGNATURE_HEADER = 'X-Payload-Signature';

/** The notifications that name a transaction (directly or through a checkout). */
const READER_TRANSACTION = 'solo.transaction.updated';
const CHECKOUT_EVENTS = new Set(['CHECKOUT_STATUS_CHANGED', 'checkout.status.updated']);

const optionalText = z
  .string()
  .optional()
  .transform((v) => v?.trim() || undefined);

/**
 * The access token is required: SumUp's notifications are hints ("your application must always verify if the
 * event really took place, by calling a relevant SumUp's API"), so every one is checked against the transaction
 * itself. The signing secret is optional: with it, unsigned or wrongly signed deliveries are refused; without it a
 * forged hint can do no more than make the trigger fetch a real transaction.
 */
export const SumUpCredentialsSchema = z.object({
  accessToken: z
    .string({ error: 'no SumUp access token is configured; SumUp notifications only name a transaction, which is fetched with an API key or OAuth token' })
    .trim()
    .min(1, 'no SumUp access token is configured; SumUp notifications only name a transaction, which is fetched with an API key or OAuth token'),
  signingSecret: z
    .union([z.string(), z.array(z.string())], { error: 'the signing secret is text' })
    .optional()
    .transform((v) => (Array.isArray(v) ? v : (v ?? '').split(',')).map((s) => s.trim()).filter(Boolean)),
  merchantCode: optionalText,
  baseUrl: optionalText.pipe(webUrlSetting({ example: `use ${SUMUP_BASE_URL}` }).optional()),
});
export type SumUpCredentials = z.infer<typeof SumUpCredentialsSchema>;

const hmacHex = (secret: string, ...parts: (string | Buffer)[]) => {
  const h = createHmac('sha256', hmacKey(secret));
  for (const p of parts) h.update(p);
  return h.digest('hex');
};

/** The v1 event signature header value for a body (what SumUp sends; tests and the simulator sign with it). */
export function sumupEventSignature(secret: string, timestamp: number, body: string | Buffer): string {
  return `v1=${hmacHex(secret, `v1:${timestamp}:`, body)}`;
}

/** The X-Payload-Signature value for a body. */
export function sumupPayloadSignature(secret: string, body: string | Buffer): string {
  return hmacHex(secret, body);
}

function sameHex(expected: string, given: string): boolean {
  if (!/^[0-9a-f]{64}$/i.test(given)) return false;
  return timingSafeEqual(Buffer.from(expected, 'hex'), Buffer.from(given, 'hex'));
}

export const sumupSource: Source<SumUpCredentials> = {
  name: 'sumup',
  label: 'SumUp',
  handledEventTypes: SUMUP_HANDLED_EVENT_TYPES,
  credentials: SumUpCredentialsSchema,
  env: { accessToken: 'SUMUP_ACCESS_TOKEN', signingSecret: 'SUMUP_WEBHOOK_SECRET', merchantCode: 'SUMUP_MERCHANT_CODE', baseUrl: 'SUMUP_BASE_URL' },

  async verify(request: WebhookRequest, credentials: SumUpCredentials): Promise<VerifiedDelivery> {
    let hint: Obj | undefined;
    try {
      hint = obj(JSON.parse(request.rawBody.toString('utf8')));
    } catch {
      hint = undefined;
    }
    if (!hint) throw new SignatureError('the body is not a SumUp notification (a JSON object)');
    if (credentials.signingSecret.length > 0) checkSignature(request, credentials.signingSecret);
    return { items: [hint], forged: [] };
  },

  async normalize(item: unknown, credentials: SumUpCredentials, ctx: SourceContext): Promise<PaymentEvent[]> {
    const hint = obj(item) ?? {};
    const type = trimmedStr(hint.event_type) ?? trimmedStr(hint.type) ?? 'unknown';
    const payload = obj(hint.payload) ?? {};
    if (type === READER_TRANSACTION) {
      const api = apiOf(credentials, ctx, trimmedStr(payload.merchant_code));
      const clientId = trimmedStr(payload.client_transaction_id);
      const legacyId = trimmedStr(payload.transaction_id);
      const transaction =
        (clientId ? await fetchSumUpTransaction(api, 'client_transaction_id', clientId) : undefined) ??
        (legacyId ? await fetchSumUpTransaction(api, 'id', legacyId) : undefined);
      if (!transaction) throw new IgnoredEventError(type, `SumUp has no transaction ${clientId ?? legacyId ?? '(none named)'}`);
      return readTransaction(transaction, sentAtOr(hint.timestamp, ctx), legacyId, ctx, api);
    }
    if (CHECKOUT_EVENTS.has(type)) {
      const checkoutId = type === 'CHECKOUT_STATUS_CHANGED' ? trimmedStr(hint.id) : trimmedStr(payload.checkout_id);
      if (!checkoutId) throw new InputError('id', 'the checkout notification names no checkout', 'pass the notification unchanged');
      const checkout = await fetchSumUpCheckoutTransactionIds(apiOf(credentials, ctx), checkoutId);
      if (!checkout || checkout.ids.length === 0) throw new IgnoredEventError(type, `checkout ${checkoutId} has no transaction (yet)`);
      const api = apiOf(credentials, ctx, checkout.merchantCode);
      const events: PaymentEvent[] = [];
      let ignored: IgnoredEventError | undefined;
      for (const id of checkout.ids) {
        const transaction = await fetchSumUpTransaction(api, 'id', id);
        try {
          if (transaction) events.push(...(await readTransaction(transaction, sentAtOr(hint.timestamp, ctx), id, ctx, api)));
        } catch (e) {
          if (!(e instanceof IgnoredEventError)) throw e;
          ignored = e;
        }
      }
      if (events.length === 0) throw ignored ?? new IgnoredEventError(type, `checkout ${checkoutId}'s transactions were not found`);
      return events;
    }
    throw new IgnoredEventError(type, `only ${READER_TRANSACTION} and checkout status notifications name a payment`);
  },

  async list(credentials: SumUpCredentials, page: ListPage, ctx: SourceContext): Promise<ListResult> {
    const api = apiOf(credentials, ctx);
    const at = readCursor(page.cursor);
    const sweep = at.sweep ?? ctx.now().toISOString();
    const since = at.since ?? page.since?.toISOString();
    const { items, nextRef } = await listSumUpHistory(api, { changesSince: since, oldestRef: at.ref, limit: Math.max(1, Math.floor(page.limit)) });
    // A history item is a summary (no card, no entry mode, no refund events): each transaction is read in full, once.
    // SumUp lists each payment, refund and chargeback as an item of its own (TransactionHistory.type PAYMENT,
    // REFUND, CHARGE_BACK), naming the transaction it is of (transaction_id, else id).
    const named = new Map<string, { types: Set<string>; labels: string[] }>();
    const notes: string[] = [];
    for (const item of items) {
      const type = trimmedStr(item.type) ?? 'PAYMENT';
      const id = trimmedStr(item.transaction_id) ?? trimmedStr(item.id);
      const label = `${type} ${trimmedStr(item.transaction_code) ?? id ?? '(no transaction_code)'}`;
      if (!id) {
        notes.push(`SumUp's transaction history lists ${label} naming no transaction (no transaction_id or id): there is nothing to read, so it is not counted`);
        continue;
      }
      const entry = named.get(id) ?? { types: new Set<string>(), labels: [] };
      entry.types.add(type);
      if (!entry.labels.includes(label)) entry.labels.push(label);
      named.set(id, entry);
    }
    const events: PaymentEvent[] = [];
    for (const [id, { types, labels }] of named) {
      const listed = `SumUp's transaction history lists ${labels.join(' and ')} (transaction ${id})`;
      const transaction = await fetchSumUpTransaction(api, 'id', id);
      if (!transaction) {
        notes.push(`${listed}, but SumUp has no transaction ${id} to read (404): it is not counted`);
        continue;
      }
      let read: PaymentEvent[];
      try {
        read = await readTransaction(transaction, ctx.now().toISOString(), id, ctx, api);
      } catch (e) {
        if (!(e instanceof IgnoredEventError)) throw e;
        notes.push(`${listed}, which is not counted: ${e.why}`);
        continue;
      }
      // An item listed only as a REFUND or CHARGE_BACK is never a sale of its own: the transaction it names counts
      // when its read holds the refund or chargeback (it is then the sale refunded, read as any read of it is, under
      // the same ids), and not at all otherwise.
      if (!types.has('PAYMENT') && !read.some((e) => e.kind === 'refund' || e.kind === 'dispute')) {
        notes.push(`${listed}, but the transaction read holds no refund or chargeback: nothing of it is counted, and it is not taken for a sale`);
        continue;
      }
      events.push(...read);
    }
    // While pages remain, keep the sweep's filter and follow SumUp's reference; at the end, the next sweep asks for
    // what changed since a margin before this one began: its start is this machine's clock, not SumUp's, and a change
    // SumUp's history shows a moment late would otherwise lie before it (a transaction read twice is one event: the
    // inbox keeps ids once).
    const cursor = nextRef ? { since, ref: nextRef, sweep } : { since: new Date(Date.parse(sweep) - LISTING_LAG_MS).toISOString() };
    return { events, cursor: JSON.stringify(cursor), more: !!nextRef, ...(notes.length ? { notes } : {}) };
  },
};

/**
 * A transaction read → its events, pushed or polled alike; for one read CANCELLED whose amount cannot be read (no
 * amount, or no currency), with what the caller's ledger holds of its sale, and, naming no currency of a sale the
 * ledger does not hold, the merchant's default currency (each asked only then; void-amount.ts).
 */
async function readTransaction(transaction: Obj, readAt: string, knownId: string | undefined, ctx: SourceContext, api: SumUpApi): Promise<PaymentEvent[]> {
  const ledgerSales = await ledgerSalesFor(cancelledWithUnreadAmount(transaction, knownId), ctx);
  const merchantCurrency = cancelledNeedsMerchantCurrency(transaction, knownId, ledgerSales)
    ? await fetchSumUpMerchantCurrency(api, api.merchantCode ?? trimmedStr(transaction.merchant_code))
    : undefined;
  return normalizeSumUpTransaction(transaction, readAt, knownId, ledgerSales, merchantCurrency);
}

function checkSignature(request: WebhookRequest, secrets: string[]): void {
  const v1 = headerValue(request.headers, SUMUP_SIGNATURE_HEADER)?.trim();
  if (v1) {
    const tsText = headerValue(request.headers, SUMUP_TIMESTAMP_HEADER)?.trim();
    if (!tsText) throw new SignatureError(`the ${SUMUP_TIMESTAMP_HEADER} header is missing`);
    if (!/^\d{1,12}$/.test(tsText)) throw new SignatureError(`the ${SUMUP_TIMESTAMP_HEADER} header is not a Unix time`);
    const ts = Number(tsText);
    const skew = Math.abs(Math.floor(request.receivedAt.getTime() / 1000) - ts);
    if (skew > SUMUP_SIGNATURE_TOLERANCE_SECONDS) {
      throw new SignatureError(`the signature's timestamp is ${skew} s away from now, outside the ${SUMUP_SIGNATURE_TOLERANCE_SECONDS} s tolerance`);
    }
    const m = /^v1=([0-9a-fA-F]+)$/.exec(v1);
    if (!m) throw new SignatureError(`the ${SUMUP_SIGNATURE_HEADER} header is not "v1=<hex>"`);
    if (!secrets.some((s) => sameHex(hmacHex(s, `v1:${ts}:`, request.rawBody), m[1]!))) {
      throw new SignatureError(`the ${SUMUP_SIGNATURE_HEADER} does not match the body signed with the configured secret`);
    }
    return;
  }
  const plain = headerValue(request.headers, SUMUP_PAYLOAD_SIGNATURE_HEADER)?.trim();
  if (plain) {
    if (!secrets.some((s) => sameHex(hmacHex(s, request.rawBody), plain))) {
      throw new SignatureError(`the ${SUMUP_PAYLOAD_SIGNATURE_HEADER} does not match the body signed with the configured secret`);
    }
    return;
  }
  throw new SignatureError(`the delivery is unsigned (no ${SUMUP_SIGNATURE_HEADER} or ${SUMUP_PAYLOAD_SIGNATURE_HEADER}) but a signing secret is configured`);
}

function apiOf(credentials: SumUpCredentials, ctx: SourceContext, merchantCode?: string): SumUpApi {
  if (!ctx.http) throw new Error('SumUp notifications only name a transaction, and this engine gave the source no HTTP transport (SourceContext.http) to fetch it');
  return { http: ctx.http, baseUrl: credentials.baseUrl ?? SUMUP_BASE_URL, accessToken: credentials.accessToken, merchantCode: merchantCode ?? credentials.merchantCode };
}

interface Cursor {
  since?: string;
  ref?: string;
  sweep?: string;
}

function readCursor(cursor: string | null): Cursor {
  if (!cursor) return {};
  try {
    const c = obj(JSON.parse(cursor)) ?? {};
    return { since: trimmedStr(c.since), ref: trimmedStr(c.ref), sweep: trimmedStr(c.sweep) };
  } catch {
    throw new InputError('cursor', 'the SumUp polling position is not one this source wrote', 'clear the stored cursor to start again from "since"');
  }
}
