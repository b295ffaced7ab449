import type { HttpResponse, HttpTransport } from '../http/http-transport';
import { bearerGet } from './bearer-get';
import { obj, trimmedStr, type Obj } from '../json/json-values';
import { CredentialFieldError } from './credential-error';

export const CLOVER_BASE_URL = 'https://api.clover.com';
export const CLOVER_SANDBOX_BASE_URL = 'https://apisandbox.dev.clover.com';

/** What a fetched payment must carry for the pack: its card, tender, refunds and order (for the currency). */
export const CLOVER_PAYMENT_EXPAND = 'cardTransaction,tender,refunds,order';

/** Clover's REST API pages hold at most 1000 elements. */
export const CLOVER_MAX_PAGE = 1000;

export interface CloverTokens {
  /** A token for any merchant (one merchant, or an app token). */
  fallback?: string;
  byMerchant: Record<string, string>;
}

/**
 * The API token credential: one token, `mId:token,mId2:token2`, or a JSON map {"mId": "token"} — every merchant's
 * own token when several merchants send notifications to one URL. Undefined when the text is none of these.
 */
export function parseCloverTokens(value: string | Record<string, string>): CloverTokens | undefined {
  if (typeof value !== 'string') return { byMerchant: cleanMap(value) };
  const text = value.trim();
  if (text.startsWith('{')) {
    try {
      const map = obj(JSON.parse(text));
      if (!map || !Object.values(map).every((v) => typeof v === 'string')) return undefined;
      return { byMerchant: cleanMap(map as Record<string, string>) };
    } catch {
      return undefined;
    }
  }
  const out: CloverTokens = { byMerchant: {} };
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const at = part.indexOf(':');
    if (at < 0) {
      if (out.fallback) return undefined;
      out.fallback = part;
    } else {
      const [m, t] = [part.slice(0, at).trim(), part.slice(at + 1).trim()];
      if (!m || !t) return undefined;
      out.byMerchant[m] = t;
    }
  }
  return out;
}

function cleanMap(map: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(map).map(([k, v]) => [k.trim(), v.trim()]).filter(([k, v]) => k && v));
}

export function cloverTokenFor(tokens: CloverTokens, merchantId: string): string | undefined {
  return tokens.byMerchant[merchantId] ?? tokens.fallback;
}

/** An answer from Clover that is neither the payment nor a "no such payment": retried by the processor or the poller. */
export class CloverApiError extends Error {
  constructor(
    readonly status: number,
    what: string,
    detail?: string,
  ) {
    super(`Clover answered ${status} ${what}${detail ? `: ${detail}` : ''}${status === 429 ? ' (rate limited; retry later)' : ''}`);
    this.name = 'CloverApiError';
  }
}

export interface CloverApi {
  http: HttpTransport;
  baseUrl: string;
  token: string;
  merchantId: string;
}

function get(api: CloverApi, path: string, what: string, qs?: Record<string, string | number | undefined>): Promise<HttpResponse> {
  return bearerGet(api.http, `${api.baseUrl.replace(/\/+$/, '')}/v3/merchants/${encodeURIComponent(api.merchantId)}${path}`, api.token, qs, (status) =>
    new CredentialFieldError('apiToken', `Clover refused the API token of merchant ${api.merchantId} (HTTP ${status}) when ${what}`, 'use a merchant API token allowed to read payments (Setup → API Tokens, "Payments" read), as mId:token for several merchants'),
  );
}

/** GET /v3/merchants/{mId}/payments/{id}, expanded; undefined when Clover has no such payment (deleted, or a made-up id). */
export async function fetchCloverPayment(api: CloverApi, paymentId: string): Promise<Obj | undefined> {
  const what = `fetching payment ${paymentId}`;
  const res = await get(api, `/payments/${encodeURIComponent(paymentId)}`, what, { expand: CLOVER_PAYMENT_EXPAND });
  if (res.status === 404) return undefined;
  const body = obj(res.body);
  if (res.status !== 200 || !body) throw new CloverApiError(res.status, what, trimmedStr(obj(res.body)?.message));
  return body;
}

/**
 * GET /v3/merchants/{mId}/payments, oldest change first: `filter=modifiedTime>=…`, `orderBy=modifiedTime ASC`,
 * `limit`/`offset` paging. The answer is {"elements": [...]}.
 */
export async function listCloverPayments(api: CloverApi, page: { modifiedSince: number; offset: number; limit: number }): Promise<Obj[]> {
  const what = 'listing payments';
  const res = await get(api, '/payments', what, {
    filter: `modifiedTime>=${page.modifiedSince}`,
    orderBy: 'modifiedTime ASC',
    limit: page.limit,
    offset: page.offset || undefined,
    expand: CLOVER_PAYMENT_EXPAND,
  });
  const body = obj(res.body);
  if (res.status !== 200 || !body) throw new CloverApiError(res.status, what, trimmedStr(obj(res.body)?.message));
  return Array.isArray(body.elements) ? body.elements.map(obj).filter((x): x is Obj => !!x) : [];
}

