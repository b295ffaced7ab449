import type { HttpResponse, HttpTransport } from '../http/http-transport';
import { bearerGet } from './bearer-get';
import { moneyFromProcessor } from './processor-money';
import { canonicalPurchaseUuid, countedMinorOf, isRefund, purchaseTimeOf, purchaseUuidOf, refundedPurchaseUuidOf, ZETTLE_EXPONENTS, type RefundContext } from './zettle-purchase';
import { obj, type Obj } from '../json/json-values';
import { CredentialFieldError } from './credential-error';
import { ZettleApiError, type ZettleAuth } from './zettle-auth';

export { ZettleApiError } from './zettle-auth';

export const ZETTLE_PURCHASE_BASE_URL = 'https://purchase.izettle.com';

/** The Purchase API's page size range ("Value range 1–1000", purchase.adoc). */
export const ZETTLE_MAX_PAGE = 1000;

export interface ZettleApi {
  http: HttpTransport;
  auth: ZettleAuth;
  baseUrl: string;
}

function get(api: ZettleApi, path: string, what: string, qs?: Record<string, string | number | boolean | undefined>): Promise<HttpResponse> {
  return bearerGet(api.http, `${api.baseUrl.replace(/\/+$/, '')}${path}`, api.auth, qs, (status) =>
    api.auth.field === 'apiKey'
      ? new CredentialFieldError('apiKey', `Zettle refused the access token its API key gave (HTTP ${status}) when ${what}`, 'ask the merchant for an API key with the READ:PURCHASE scope')
      : new CredentialFieldError('accessToken', `Zettle refused the access token (HTTP ${status}) when ${what}`, 'use a current OAuth access token with the READ:PURCHASE scope, or an API key and client ID, which never go stale'),
  );
}

/** GET /purchase/v2/{purchaseUuid}; undefined when Zettle has no such purchase. */
export async function fetchZettlePurchase(api: ZettleApi, uuid: string): Promise<Obj | undefined> {
  const res = await get(api, `/purchase/v2/${encodeURIComponent(uuid)}`, `fetching purchase ${uuid}`);
  if (res.status === 404) return undefined;
  if (res.status !== 200 || !obj(res.body)) throw new ZettleApiError(res.status, `fetching purchase ${uuid}`);
  return obj(res.body);
}

export interface ZettlePurchasePage {
  purchases: Obj[];
  lastPurchaseHash?: string;
}

/**
 * GET /purchases/v2, oldest first. Paging as purchase.adoc describes: pass the previous page's `lastPurchaseHash`
 * and repeat "until the response is empty".
 */
export async function listZettlePurchases(api: ZettleApi, page: { startDate?: Date; lastPurchaseHash?: string; limit: number }): Promise<ZettlePurchasePage> {
  const res = await get(api, '/purchases/v2', 'listing purchases', {
    startDate: page.startDate?.toISOString(),
    lastPurchaseHash: page.lastPurchaseHash,
    limit: Math.min(Math.max(1, Math.floor(page.limit)), ZETTLE_MAX_PAGE),
    descending: false,
  });
  const body = obj(res.body);
  if (res.status !== 200 || !body) throw new ZettleApiError(res.status, 'listing purchases');
  const purchases = Array.isArray(body.purchases) ? body.purchases.map(obj).filter((x): x is Obj => !!x) : [];
  return { purchases, lastPurchaseHash: typeof body.lastPurchaseHash === 'string' ? body.lastPurchaseHash : undefined };
}

/**
 * A Zettle refund names the sale it refunds but not what was refunded before. The sale lists its refunds
 * (`refundedByPurchaseUUIDs1`, in no documented order), so the cumulative amount up to this refund — what the ledger
 * counts — is this refund and those made before it, by their own time (each read once); a sale refunded once needs
 * one request. The sale comes back too: it says
 * whether what a refund paid back in cash or to a gift card is what a card paid (zettle-purchase.ts
 * countedPayments), and each refund counts what that rule counts of it (countedMinorOf), card and cash parts alike.
 */
export async function zettleRefundContext(api: ZettleApi, refund: Obj, readAt?: string): Promise<{ sale: Obj; context: RefundContext } | undefined> {
  const saleId = refundedPurchaseUuidOf(refund);
  const refundId = purchaseUuidOf(refund);
  const currency = typeof refund.currency === 'string' ? refund.currency : undefined;
  if (!saleId || !refundId || !currency || !isRefund(refund)) return undefined;
  const sale = await fetchZettlePurchase(api, saleId);
  if (!sale) return undefined;
  const refundIds = (Array.isArray(sale.refundedByPurchaseUUIDs1) ? sale.refundedByPurchaseUUIDs1 : Array.isArray(sale.refundedByPurchaseUUIDs) ? sale.refundedByPurchaseUUIDs : [])
    .map(canonicalPurchaseUuid)
    .filter((x): x is string => !!x);
  // A refund of no time of its own (neither `timestamp` nor `created`) is taken at the time it was read.
  const madeAt = purchaseTimeOf(refund, readAt);
  let total = countedMinorOf(refund, sale);
  for (const id of new Set(refundIds.filter((x) => x !== refundId))) {
    const other = await fetchZettlePurchase(api, id);
    if (!other) continue;
    const at = purchaseTimeOf(other, readAt);
    if (at < madeAt || (at === madeAt && id < refundId)) total += countedMinorOf(other, sale);
  }
  const saleMinor = countedMinorOf(sale);
  return {
    sale,
    context: {
      refundedTotal: moneyFromProcessor(total, currency, ZETTLE_EXPONENTS, 'refundedTotal'),
      fullyRefunded: saleMinor > 0 && total >= saleMinor,
    },
  };
}
