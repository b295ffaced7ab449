import type { PaymentEvent } from '../../contracts/payment-event';
import { InputError } from '../../errors';
import type { SourceContext } from '../source';
import { lookUpPayment, squareErrorText, squareRequest } from '../square-api';
import { squareLivemode, type SquareCredentials } from '../square-credentials';
import { eventsOfPayment } from '../square-list';
import { acrossLocations, squareLocationIds } from '../square-locations';
import { isoTime, paymentTime } from '../square-payment';
import { squareSource } from '../square';
import type { HistoryLister, HistoryPage, HistoryWindow, LookedUp } from './history-lister';
import { eventsListedInWindow, listedInWindow, listedUntil, offlineGraceMsOf } from './history-lister';
import { obj, trimmedStr } from '../../json/json-values';
import { CredentialFieldError } from '../credential-error';

/**
 * How long after a reader took a payment offline Square may create it (on the upload) and the window the payment is
 * dated in still list it. Square documents the limit: a Square Terminal takes payments offline for up to 24 hours,
 * and they are declined if it does not reconnect within 24 hours of the first offline payment ("Payment APIs and
 * SDKs"); through the Point of Sale API, offline payments not processed within 24 hours may be declined ("Offline
 * mode"). Each window's listing reads this much past its end (a day's window lists two days of payments), unless an
 * operator sets another grace (HistoryWindow.offlineGraceMs). A payment created later than this belongs to the window
 * it was created in (history-lister's datedAt).
 */
export const SQUARE_OFFLINE_GRACE_MS = 24 * 3600_000;

/**
 * Square's history through ListPayments by creation time (`begin_time`/`end_time`, oldest first; to the window's end
 * plus the offline grace, SQUARE_OFFLINE_GRACE_MS unless the window sets one, for payments taken offline in it and
 * uploaded later), where polling asks by change
 * time. Square's `cursor` continues "the original query", which stays the same for the whole
 * window, so it is the backfill's position as it is. Each payment becomes the events polling makes of it
 * (square-list.ts), under the same ids: a payment that came by polling or backfill first is a duplicate here.
 */
export const squarePaymentHistory: HistoryLister = {
  source: 'square',
  label: 'Square (payments)',
  order: 'oldest-first',
  credentialsOf: squareSource as never,
  offlineGraceMs: SQUARE_OFFLINE_GRACE_MS,
  list: (credentials, window, ctx) => listSquareHistory(credentials as SquareCredentials, window, ctx),
  lookUp: (credentials, paymentIds, ctx) => lookUpSquarePayments(credentials as SquareCredentials, paymentIds, ctx),
};

export function listSquareHistory(credentials: SquareCredentials, window: HistoryWindow, ctx: SourceContext): Promise<HistoryPage> {
  // A page cursor of the window asked without a location continues no other query: that location's window starts
  // again (the ledger knows the payments it lists twice).
  return acrossLocations(credentials, ctx, window.cursor ?? null, (one, cursor) => listLocationHistory(one, { ...window, cursor }, ctx), () => null);
}

async function listLocationHistory(credentials: SquareCredentials, window: HistoryWindow, ctx: SourceContext): Promise<HistoryPage> {
  const grace = offlineGraceMsOf(squarePaymentHistory, window);
  const res = await squareRequest(credentials, ctx, '/v2/payments', {
    begin_time: window.since.toISOString(),
    // The grace past the window: payments taken offline inside it and uploaded (created) after it ended.
    end_time: listedUntil(window, grace).toISOString(),
    sort_order: 'ASC',
    limit: Math.min(Math.max(Math.trunc(window.limit), 1), 100),
    cursor: window.cursor ?? undefined,
    location_id: credentials.locationId,
  });
  if (res.status === 401 || res.status === 403) {
    throw new CredentialFieldError('accessToken', `Square refused the access token to list payments (${res.status} ${squareErrorText(res.body)})`, 'use an access token of this seller that may read payments (PAYMENTS_READ)');
  }
  if (res.status !== 200) {
    const problem = `Square answered ${res.status} to ListPayments: ${squareErrorText(res.body)}`;
    if (/INVALID_CURSOR/.test(squareErrorText(res.body))) throw new InputError('list', problem, 'start the backfill again with --restart');
    throw new CredentialFieldError(['baseUrl', 'apiVersion', 'locationId'], problem, 'check the seller\'s API address, version and location');
  }
  const body = obj(res.body) ?? {};
  // Each payment belongs to the window it is dated in (eventsListedInWindow): one taken offline to the window its
  // reader took it in (offline_payment_details.client_created_at), which lists it through the grace above though
  // Square created it on the upload, after the window. Those of other windows are left before their refunds and
  // buyer are read.
  const createdAt = new Map<string, string>();
  const payments = (Array.isArray(body.payments) ? body.payments : []).map(obj).filter((p): p is Record<string, unknown> => {
    if (!p) return false;
    const id = trimmedStr(p.id);
    const created = isoTime(p.created_at);
    if (id && created) createdAt.set(id, created);
    return !created || listedInWindow(window, grace, created, paymentTime(p));
  });
  const livemode = squareLivemode(credentials);
  const events: PaymentEvent[] = [];
  const notes: string[] = [];
  for (const payment of payments) events.push(...(await eventsOfPayment(payment, credentials, ctx, livemode, undefined, notes)));
  const next = trimmedStr(body.cursor);
  return { events: eventsListedInWindow(events, window, grace, (id) => createdAt.get(id)), cursor: next ?? null, more: Boolean(next), ...(notes.length ? { notes } : {}) };
}

/**
 * The payments of these ids as Square has them, whatever window lists them (HistoryLister.lookUp): GetPayment (GET
 * /v2/payments/{payment_id}) each, read as the listing reads them. One Square does not know (404) has no events, nor
 * one of a location the listing does not read (Location IDs names others).
 */
export async function lookUpSquarePayments(credentials: SquareCredentials, paymentIds: readonly string[], ctx: SourceContext): Promise<LookedUp> {
  const locations = squareLocationIds(credentials);
  const livemode = squareLivemode(credentials);
  const events: PaymentEvent[] = [];
  const notes: string[] = [];
  for (const id of new Set(paymentIds)) {
    const read = await lookUpPayment(credentials, ctx, id);
    if (!read.ok && read.status === 404) continue;
    if (!read.ok && (read.status === 401 || read.status === 403)) {
      throw new CredentialFieldError('accessToken', `Square refused the access token to read payment ${id} (${read.problem})`, 'use an access token of this seller that may read payments (PAYMENTS_READ)');
    }
    if (!read.ok) throw new CredentialFieldError(['baseUrl', 'apiVersion'], `Square could not give payment ${id}: ${read.problem}`, 'check the seller\'s API address and version');
    const payment = read.value;
    if (locations.length > 0 && !locations.includes(trimmedStr(payment.location_id) ?? '')) continue;
    events.push(...(await eventsOfPayment(payment, credentials, ctx, livemode, undefined, notes)));
  }
  return { events: events.filter((e) => paymentIds.includes(e.paymentId)), ...(notes.length ? { notes } : {}) };
}
