import { hash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod/v4';
import { CURRENCY_PATTERN } from '../contracts/money';
import type { PaymentEvent } from '../contracts/payment-event';
import { IgnoredEventError, InputError, SignatureError } from '../errors';
import { webUrlSetting } from '../http/web-url';
import {
  CLOVER_BASE_URL,
  CLOVER_MAX_PAGE,
  cloverTokenFor,
  fetchCloverPayment,
  listCloverPayments,
  parseCloverTokens,
  type CloverApi,
  type CloverTokens,
} from './clover-api';
import { CLOVER_EVENT_TYPES, normalizeCloverPayment, voidedNamingNoAmount } from './clover-payment';
import { sentAtOr } from './iso-time';
import { ledgerSalesFor } from './void-amount';
import { headerValue, type ListPage, type ListResult, type Source, type SourceContext, type VerifiedDelivery, type WebhookRequest } from './source';
import { obj, type Obj } from '../json/json-values';
import { CredentialFieldError, credentialFieldIssue } from './credential-error';

export const CLOVER_HANDLED_EVENT_TYPES = Object.values(CLOVER_EVENT_TYPES);
export const CLOVER_AUTH_HEADER = 'X-Clover-Auth';

const optionalText = z
  .string()
  .optional()
  .transform((v) => v?.trim() || undefined);

/**
 * `authCode` may be missing, but only until the webhook URL is verified: Clover shows the auth code after the
 * verification-code handshake, which arrives without it. Notifications are refused until it is set. The API
 * token is needed from the start: a notification names a payment and nothing else.
 */
export const CloverCredentialsSchema = z.object({
  authCode: z
    .union([z.string(), z.array(z.string())], { error: 'the auth code is text' })
    .optional()
    .transform((v) => (Array.isArray(v) ? v : (v ?? '').split(',')).map((s) => s.trim()).filter(Boolean)),
  apiToken: z
    .union([z.string(), z.record(z.string(), z.string())], { error: 'no Clover API token is configured; Clover notifications only name a payment, which is fetched with a merchant API token (Setup → API Tokens)' })
    .transform((v, ctx) => {
      const tokens = parseCloverTokens(v);
      if (!tokens || (!tokens.fallback && Object.keys(tokens.byMerchant).length === 0)) {
        ctx.issues.push({ code: 'custom', input: v, message: 'no usable Clover API token: give one token, mId:token,mId2:token2, or a JSON map {"mId": "token"}' });
        return z.NEVER;
      }
      return tokens;
    }),
  merchantId: optionalText,
  baseUrl: optionalText.pipe(webUrlSetting({ example: `use ${CLOVER_BASE_URL}, or https://apisandbox.dev.clover.com for the sandbox` }).optional()),
  /**
   * Clover's payment has no currency of its own; the order's is used, else this. Three letters (CURRENCY_PATTERN, which
   * the Node-RED dialog marks Currency by through resources/editor-core.js).
   */
  currency: optionalText.pipe(z.string().regex(CURRENCY_PATTERN, 'a three-letter ISO 4217 code such as USD').optional()),
});
export type CloverCredentials = z.infer<typeof CloverCredentialsSchema>;

/** The merchants a poll reads: each one with a token of its own, and the merchant ID given with a single token. */
export function cloverPollMerchants(credentials: Pick<CloverCredentials, 'apiToken' | 'merchantId'>): string[] {
  const tokens: CloverTokens = credentials.apiToken;
  const merchants = new Set(Object.keys(tokens.byMerchant));
  if (tokens.fallback && credentials.merchantId) merchants.add(credentials.merchantId);
  return [...merchants];
}

/**
 * Polling (and backfill) lists payments per merchant, so it must know whose: a single API token needs the merchant
 * ID beside it. Checked here, where the worker checks a polled source's variables at start, not at the first poll.
 */
export const CloverPollCredentialsSchema = CloverCredentialsSchema.superRefine((c, ctx) => {
  if (cloverPollMerchants(c).length === 0) {
    ctx.addIssue(credentialFieldIssue(['merchantId'], 'polling Clover needs to know whose payments to read', 'name the merchant, or give the API tokens as mId:token'));
  }
});

/** One update of a notification: Clover batches several merchants' updates in one POST, all under one auth code. */
export interface CloverUpdate {
  appId?: string;
  merchantId: string;
  objectId: string;
  type: string;
  ts?: number;
}

const digest = (s: string) => hash('sha256', s, 'buffer');
// The configured codes' digests, made once per code rather than once per notification.
const codeDigests = new Map<string, Buffer>();
function codeDigest(code: string): Buffer {
  let d = codeDigests.get(code);
  if (!d) {
    if (codeDigests.size >= 64) codeDigests.clear();
    d = digest(code);
    codeDigests.set(code, d);
  }
  return d;
}

export const cloverSource: Source<CloverCredentials> = {
  name: 'clover',
  label: 'Clover',
  handledEventTypes: CLOVER_HANDLED_EVENT_TYPES,
  credentials: CloverCredentialsSchema,
  // Read by the poller and backfill (pipeline/poll-source.ts, history): polling needs to know whose payments to read.
  listCredentials: CloverPollCredentialsSchema,
  env: { authCode: 'CLOVER_AUTH_CODE', apiToken: 'CLOVER_API_TOKEN', merchantId: 'CLOVER_MERCHANT_ID', baseUrl: 'CLOVER_BASE_URL', currency: 'CLOVER_CURRENCY' },

  async verify(request: WebhookRequest, credentials: CloverCredentials): Promise<VerifiedDelivery> {
    let body: Obj | undefined;
    try {
      body = obj(JSON.parse(request.rawBody.toString('utf8')));
    } catch {
      body = undefined;
    }
    if (!body) throw new SignatureError('the body is not a Clover notification (a JSON object)');
    if (typeof body.verificationCode === 'string' && !('merchants' in body)) {
      const code = body.verificationCode.trim();
      if (!/^[A-Za-z0-9-]{1,100}$/.test(code)) throw new SignatureError('the verification code is not one Clover sends (letters, digits and dashes)');
      return { items: [], forged: [], control: { kind: 'handshake', note: `Clover verification code: ${code}; paste it in the Clover developer dashboard (App Settings → Webhooks → Verify)` } };
    }
    if (credentials.authCode.length === 0) {
      throw new CredentialFieldError('authCode', 'no Clover auth code is configured, so notifications cannot be authenticated', 'paste the Clover Auth Code shown under App Settings → Webhooks once the URL is verified');
    }
    const given = headerValue(request.headers, CLOVER_AUTH_HEADER)?.trim();
    if (!given) throw new SignatureError(`the ${CLOVER_AUTH_HEADER} header is missing`);
    // Compared as digests: equal lengths for timingSafeEqual, and the code's length does not leak either.
    const givenDigest = digest(given);
    if (!credentials.authCode.some((code) => timingSafeEqual(codeDigest(code), givenDigest))) {
      throw new SignatureError(`the ${CLOVER_AUTH_HEADER} header is not the configured auth code`);
    }
    const merchants = obj(body.merchants);
    if (!merchants) throw new InputError('merchants', 'the notification has no merchants map', 'Clover sends {"appId", "merchants": {"<mId>": [updates]}}; pass the body unchanged');
    const appId = typeof body.appId === 'string' ? body.appId : undefined;
    const items: CloverUpdate[] = [];
    for (const [merchantId, updates] of Object.entries(merchants)) {
      for (const u of Array.isArray(updates) ? updates : []) {
        const update = obj(u);
        if (update && typeof update.objectId === 'string' && typeof update.type === 'string') {
          items.push({ appId, merchantId, objectId: update.objectId, type: update.type, ts: typeof update.ts === 'number' ? update.ts : undefined });
        }
      }
    }
    return { items, forged: [] };
  },

  async normalize(item: unknown, credentials: CloverCredentials, ctx: SourceContext): Promise<PaymentEvent[]> {
    const update = item as CloverUpdate;
    const [prefix, id] = splitObjectId(update.objectId);
    const type = `${prefix}:${update.type}`;
    if (prefix !== 'P' || !id) throw new IgnoredEventError(type, 'only payment notifications (P:…) are processed');
    if (update.type === 'DELETE') throw new IgnoredEventError(type, `payment ${id} was deleted; there is nothing to fetch`);
    const api = apiFor(credentials, ctx, update.merchantId);
    const payment = await fetchCloverPayment(api, id);
    if (!payment) throw new IgnoredEventError(type, `Clover has no payment ${id} for merchant ${update.merchantId}`);
    const readAt = sentAtOr(update.ts, ctx);
    return normalizeCloverPayment(payment, { ...paymentOptions(credentials, update.merchantId), readAt, ledgerSales: await ledgerSalesFor(voidedNamingNoAmount(payment), ctx) });
  },

  async list(credentials: CloverCredentials, page: ListPage, ctx: SourceContext): Promise<ListResult> {
    const merchants = cloverPollMerchants(credentials);
    // CloverPollCredentialsSchema asks for a merchant: credentials without one were not parsed for polling.
    if (merchants.length === 0) throw new Error('Clover polling was given credentials not parsed by cloverSource.listCredentials (no merchant to poll)');
    const positions = readCursor(page.cursor);
    const limit = Math.min(Math.max(1, Math.floor(page.limit)), CLOVER_MAX_PAGE);
    const events: PaymentEvent[] = [];
    let more = false;
    for (const merchantId of merchants) {
      const at = positions[merchantId] ?? { t: page.since?.getTime() ?? 0, o: 0 };
      const payments = await listCloverPayments(apiFor(credentials, ctx, merchantId), { modifiedSince: at.t, offset: at.o, limit });
      for (const payment of payments) {
        try {
          events.push(...normalizeCloverPayment(payment, { ...paymentOptions(credentials, merchantId), readAt: ctx.now().toISOString(), ledgerSales: await ledgerSalesFor(voidedNamingNoAmount(payment), ctx) }));
        } catch (e) {
          if (!(e instanceof IgnoredEventError)) throw e;
        }
      }
      const next = advance(at, payments);
      // A short page asked from further back than Clover lists says nothing of what changed after that span, so the
      // next page is asked at once: from where the span ends when nothing read reaches it, else from the last read.
      const spanEnd = at.t + CLOVER_LISTED_SPAN_MS;
      const behind = payments.length < limit && spanEnd < ctx.now().getTime();
      positions[merchantId] = behind && next.t < spanEnd ? { t: spanEnd, o: 0 } : next;
      if (payments.length >= limit || behind) more = true;
    }
    return { events, cursor: JSON.stringify(positions), more };
  },
};

function splitObjectId(objectId: string): [string, string | undefined] {
  const at = objectId.indexOf(':');
  return at < 0 ? [objectId, undefined] : [objectId.slice(0, at), objectId.slice(at + 1) || undefined];
}

function paymentOptions(credentials: CloverCredentials, merchantId: string) {
  const baseUrl = credentials.baseUrl ?? CLOVER_BASE_URL;
  return { merchantId, livemode: !/sandbox|\.dev\./i.test(baseUrl), currency: (credentials.currency ?? 'USD').toUpperCase() };
}

function apiFor(credentials: CloverCredentials, ctx: SourceContext, merchantId: string): CloverApi {
  const token = cloverTokenFor(credentials.apiToken, merchantId);
  if (!token) {
    throw new CredentialFieldError('apiToken', `no API token is configured for Clover merchant ${merchantId}`, `add it as ${merchantId}:<token>`);
  }
  if (!ctx.http) throw new Error('Clover notifications only name a payment, and this engine gave the source no HTTP transport (SourceContext.http) to fetch it');
  return { http: ctx.http, baseUrl: credentials.baseUrl ?? CLOVER_BASE_URL, token, merchantId };
}

/**
 * How far past its `modifiedTime>=` bound one listing is sure to reach. Clover answers a Get all payments query with at
 * most 90 days of payments ("90-day restrictions on payment data request results", docs.clover.com Get all payments: a
 * single-date query ">= Date 1" returns Date 1 + 90 days, for the merchants it is rolled out to so far), so a poll whose
 * position is older than that, after a quiet season or a backfill from further back, would otherwise be answered with
 * nothing for ever. A day short of 90, so no rounding of Clover's leaves a payment out.
 */
export const CLOVER_LISTED_SPAN_MS = 89 * 86_400_000;

/** Per merchant: the modifiedTime reached and how many payments of exactly that time were already read. */
type Positions = Record<string, { t: number; o: number }>;

function readCursor(cursor: string | null): Positions {
  if (!cursor) return {};
  try {
    const parsed = obj(JSON.parse(cursor)) ?? {};
    const out: Positions = {};
    for (const [m, v] of Object.entries(parsed)) {
      const p = obj(v);
      if (p && Number.isSafeInteger(p.t) && Number.isSafeInteger(p.o)) out[m] = { t: p.t as number, o: p.o as number };
    }
    return out;
  } catch {
    throw new InputError('cursor', 'the Clover polling position is not one this source wrote', 'clear the stored cursor to start again from "since"');
  }
}

/**
 * The next position after a page sorted by modifiedTime: the last time seen, skipping the payments of that very
 * time already read (offset), so a page boundary inside one millisecond neither repeats nor loses a payment.
 */
function advance(at: { t: number; o: number }, payments: Obj[]): { t: number; o: number } {
  if (payments.length === 0) return at;
  const times = payments.map((p) => (typeof p.modifiedTime === 'number' ? p.modifiedTime : typeof p.createdTime === 'number' ? p.createdTime : at.t));
  const last = times[times.length - 1]!;
  const sameAsLast = times.filter((t) => t === last).length;
  return last === at.t ? { t: at.t, o: at.o + sameAsLast } : { t: last, o: sameAsLast };
}
