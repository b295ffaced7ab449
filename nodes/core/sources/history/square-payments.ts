import type { PaymentEvent } from '../../contracts/payment-event';
import { InputError } from '../../errors';
import type { SourceContext } from '../source';
import { squareErrorText, squareRequest } from '../square-api';
import { squareLivemode, type SquareCredentials } from '../square-credentials';
import { eventsOfPayment } from '../square-list';
import { acrossLocations } from '../square-locations';
import { isoTime } from '../square-payment';
import { squareSource } from '../square';
import type { HistoryLister, HistoryPage, HistoryWindow } from './history-lister';
import { eventsInWindow } from './history-lister';
import { obj, trimmedStr } from '../../json/json-values';
import { CredentialFieldError } from '../credential-error';

/**
 * Square's history through ListPayments by creation time (`begin_time`/`end_time`, oldest first), where polling
 * asks by change time. Square's `cursor` continues "the original query", which stays the same for the whole
 * window, so it is the backfill's position as it is. Each payment becomes the events polling makes of it
 * (square-list.ts), under the same ids: a payment that came by polling or backfill first is a duplicate here.
 */
export const squarePaymentHistory: HistoryLister = {
  source: 'square',
  label: 'Square (payments)',
  order: 'oldest-first',
  credentialsOf: squareSource as never,
  list: (credentials, window, ctx) => listSquareHistory(credentials as SquareCredentials, window, ctx),
};

export function listSquareHistory(credentials: SquareCredentials, window: HistoryWindow, ctx: SourceContext): Promise<HistoryPage> {
  // A page cursor of the window asked without a location continues no other query: that location's window starts
  // again (the ledger knows the payments it lists twice).
  return acrossLocations(credentials, ctx, window.cursor ?? null, (one, cursor) => listLocationHistory(one, { ...window, cursor }, ctx), () => null);
}

async function listLocationHistory(credentials: SquareCredentials, window: HistoryWindow, ctx: SourceContext): Promise<HistoryPage> {
  const res = await squareRequest(credentials, ctx, '/v2/payments', {
    begin_time: window.since.toISOString(),
    end_time: window.until.toISOString(),
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
  const payments = (Array.isArray(body.payments) ? body.payments : []).map(obj).filter((p): p is Record<string, unknown> => Boolean(p));
  const livemode = squareLivemode(credentials);
  const events: PaymentEvent[] = [];
  const notes: string[] = [];
  for (const payment of payments) events.push(...(await eventsOfPayment(payment, credentials, ctx, livemode, undefined, notes)));
  const next = trimmedStr(body.cursor);
  // Kept by created_at, what begin_time/end_time select on, not by occurredAt: an offline payment's occurredAt is its
  // reader's clock (client_created_at), up to days before the upload that created it, and by that time it would be
  // dropped here and never listed by the window it falls in.
  const createdAt = new Map(payments.map((p) => [trimmedStr(p.id), isoTime(p.created_at)]));
  return { events: eventsInWindow(events, window.since, window.until, (id) => createdAt.get(id)), cursor: next ?? null, more: Boolean(next), ...(notes.length ? { notes } : {}) };
}
