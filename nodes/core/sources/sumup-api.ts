import type { HttpResponse, HttpTransport } from '../http/http-transport';
import { bearerGet } from './bearer-get';
import { obj, trimmedStr, type Obj } from '../json/json-values';
import { CredentialFieldError } from './credential-error';

export const SUMUP_BASE_URL = 'https://api.sumup.com';

export interface SumUpApi {
  http: HttpTransport;
  baseUrl: string;
  accessToken: string;
  /**
   * The merchant whose transactions are read: /v2.1/merchants/{merchant_code}/… With none, the deprecated
   * /v0.1/me/… endpoints (removed from SumUp's OpenAPI in 2026, still named in older integrations) are used.
   */
  merchantCode?: string;
}

/** An answer from SumUp that is neither the resource nor a "not found": for a retry. */
export class SumUpApiError extends Error {
  constructor(
    readonly status: number,
    what: string,
    detail?: string,
  ) {
    super(`SumUp answered ${status} ${what}${detail ? `: ${detail}` : ''}${status === 429 ? ' (rate limited; retry later)' : ''}`);
    this.name = 'SumUpApiError';
  }
}

function get(api: SumUpApi, path: string, what: string, qs?: Record<string, string | number | undefined>): Promise<HttpResponse> {
  return bearerGet(api.http, `${api.baseUrl.replace(/\/+$/, '')}${path}`, api.accessToken, qs, (status) =>
    new CredentialFieldError('accessToken', `SumUp refused the access token (HTTP ${status}) when ${what}`, 'use an API key or OAuth token with the transactions.history scope'),
  );
}

/** SumUp's error bodies: {"error_code","message"} (Error) or Problem Details {"title","detail"}. */
const detailOf = (body: unknown) => trimmedStr(obj(body)?.message) ?? trimmedStr(obj(body)?.detail);

const transactionsPath = (api: SumUpApi, tail = '') =>
  api.merchantCode ? `/v2.1/merchants/${encodeURIComponent(api.merchantCode)}/transactions${tail}` : `/v0.1/me/transactions${tail}`;

/** Which one of SumUp's transaction identifiers to look a transaction up by. */
export type SumUpTransactionKey = 'id' | 'transaction_code' | 'client_transaction_id' | 'foreign_transaction_id';

/** GET …/transactions?{key}={value} (TransactionFull); undefined when SumUp has no such transaction. */
export async function fetchSumUpTransaction(api: SumUpApi, key: SumUpTransactionKey, value: string): Promise<Obj | undefined> {
  const what = `fetching transaction ${key}=${value}`;
  const res = await get(api, transactionsPath(api), what, { [key]: value });
  if (res.status === 404) return undefined;
  const body = obj(res.body);
  if (res.status !== 200 || !body) throw new SumUpApiError(res.status, what, detailOf(res.body));
  return body;
}

/** GET /v0.1/checkouts/{id}: the transactions a checkout led to. */
export async function fetchSumUpCheckoutTransactionIds(api: SumUpApi, checkoutId: string): Promise<{ ids: string[]; merchantCode?: string } | undefined> {
  const what = `fetching checkout ${checkoutId}`;
  const res = await get(api, `/v0.1/checkouts/${encodeURIComponent(checkoutId)}`, what);
  if (res.status === 404) return undefined;
  const body = obj(res.body);
  if (res.status !== 200 || !body) throw new SumUpApiError(res.status, what, detailOf(res.body));
  const ids = new Set<string>();
  if (trimmedStr(body.transaction_id)) ids.add(trimmedStr(body.transaction_id)!);
  for (const t of Array.isArray(body.transactions) ? body.transactions : []) if (trimmedStr(obj(t)?.id)) ids.add(trimmedStr(obj(t)?.id)!);
  return { ids: [...ids], merchantCode: trimmedStr(body.merchant_code) };
}

/**
 * GET /v1/merchants/{merchant_code} ("Retrieve a Merchant"): the merchant's `default_currency`, "the default currency
 * for the account" (required in SumUp's Merchant), or why it is not known. Asked only for a transaction read CANCELLED
 * naming no currency whose sale the ledger does not hold (its 0 is written in it until the sale arrives): no merchant
 * code to ask about, SumUp having no such merchant (404), or refusing the token for it (401, 403: a lookup the pack
 * can do without, so it goes with the reason rather than failing the delivery). Any other answer is for a retry.
 */
export async function fetchSumUpMerchantCurrency(api: SumUpApi, merchantCode: string | undefined): Promise<{ currency: string } | { why: string }> {
  if (!merchantCode) return { why: 'no merchant code is known (SUMUP_MERCHANT_CODE, or one the notification or transaction names) to read the merchant\'s default currency' };
  const what = `fetching merchant ${merchantCode}`;
  let res: HttpResponse;
  try {
    res = await get(api, `/v1/merchants/${encodeURIComponent(merchantCode)}`, what);
  } catch (e) {
    if (!(e instanceof CredentialFieldError)) throw e;
    // e.problem: "SumUp refused the access token (HTTP 403) when fetching merchant …".
    return { why: `${e.problem}, so its default currency is not known` };
  }
  if (res.status === 404) return { why: `SumUp has no merchant ${merchantCode} to read the default currency of (404)` };
  const body = obj(res.body);
  if (res.status !== 200 || !body) throw new SumUpApiError(res.status, what, detailOf(res.body));
  const currency = trimmedStr(body.default_currency)?.toUpperCase();
  return currency && /^[A-Z]{3}$/.test(currency) ? { currency } : { why: `merchant ${merchantCode} names no default_currency` };
}

export interface SumUpHistoryPage {
  items: Obj[];
  /** `oldest_ref` of the `next` link, when SumUp says there is a next page. */
  nextRef?: string;
}

/**
 * GET …/transactions/history, oldest first (`order=ascending`), card-present only (`payment_types[]=POS`).
 * `changes_since` catches refunds and chargebacks of older sales too; the `next` link's `oldest_ref` pages on.
 */
export async function listSumUpHistory(api: SumUpApi, page: { changesSince?: string; oldestRef?: string; limit: number }): Promise<SumUpHistoryPage> {
  const what = 'listing transactions';
  const res = await get(api, transactionsPath(api, '/history'), what, {
    order: 'ascending',
    limit: page.limit,
    'payment_types[]': 'POS',
    changes_since: page.changesSince,
    oldest_ref: page.oldestRef,
  });
  const body = obj(res.body);
  if (res.status !== 200 || !body) throw new SumUpApiError(res.status, what, detailOf(res.body));
  const items = Array.isArray(body.items) ? body.items.map(obj).filter((x): x is Obj => !!x) : [];
  const next = (Array.isArray(body.links) ? body.links : []).map(obj).find((l) => l?.rel === 'next');
  const href = trimmedStr(next?.href);
  // SumUp writes the link as a bare query string ("limit=10&oldest_ref=…&order=ascending"); a full URL works too.
  const nextRef = href ? (new URLSearchParams(href.includes('?') ? href.slice(href.indexOf('?') + 1) : href).get('oldest_ref') ?? undefined) : undefined;
  return { items, nextRef };
}
