import type { PaymentEvent } from '../contracts/payment-event';
import { IgnoredEventError, InputError } from '../errors';
import type { ListPage, ListResult, SourceContext } from './source';
import {
  completedRefundTotal, listsRefundIds, lookUpPayment, nextBegin, saysRefunded, searchedRefundTotal, squareErrorText, squareRequest, REFUND_SEARCH_MAX_PAGES, type RefundSearch,
} from './square-api';
import { squareMoney } from './square-card';
import { squareLivemode, type SquareCredentials } from './square-credentials';
import { acrossLocations } from './square-locations';
import { finish, isoTime, paymentDraft, paymentTime } from './square-payment';
import { obj, trimmedStr, type Obj } from '../json/json-values';
import { statusAfterRefunds } from './refund-status';
import { CredentialFieldError } from './credential-error';

/**
 * Where polling stands: the `updated_at` the current query starts from, Square's cursor within that query (it
 * continues only "the original query"), the latest `updated_at` seen, where the next query starts, and the payments
 * seen with a refund still PENDING, read again at the start of each query: Square does not say that a refund
 * completing changes its payment's `updated_at`, so the listing alone might never show it. `searches` holds, for
 * waiting payments whose refunds ListPaymentRefunds is still looking for, where that search got to (SearchState).
 * The cursor is kept in the store (sync_cursors), committed with the page's events: no process holds it.
 */
interface PollState {
  since: string | null;
  page: string | null;
  last: string | null;
  waiting?: string[];
  searches?: Record<string, SearchState>;
}

/**
 * Where the search for a waiting payment's refunds got to (searchedRefundTotal): the `begin_time` its next listing
 * starts at, the ids of its refunds found so far (read again by id), and when polling began looking for them.
 */
interface SearchState {
  from: string;
  ids: string[];
  since: string;
}

/** Payments with a pending refund kept in the cursor at most: the oldest give way (a webhook or reconcile finds them). */
const WAITING_MAX = 200;

/**
 * How long polling looks for the refunds of a payment that says it was refunded without listing them, once
 * ListPaymentRefunds has been read to its end: far longer than the listing's "several seconds" of delay. After it,
 * the payment leaves the waiting set and the poll's notes say so (a refund webhook or reconcile brings them).
 */
export const REFUND_SEARCH_PATIENCE_MS = 24 * 3_600_000;

/**
 * Polling through ListPayments (GET /v2/payments), oldest change first. Not the Events API: that one needs the
 * application's personal access token (no OAuth), sees only events that occurred after events were enabled for the
 * application, reaches back 28 days and is in beta — while ListPayments works with the seller's own token and
 * reaches back a year.
 *
 * The query runs over `updated_at` (sort_field UPDATED_AT), not `created_at`: a payment authorized at one poll and
 * completed at the next must be seen again. A payment is no event, so ids are derived from what makes each
 * observation distinct — `payment:<id>:COMPLETED`, `payment:<id>:FAILED`, and for refunds
 * `payment:<id>:refunded:<cumulative total>` — so polling the same payment twice yields the same ids (the inbox
 * drops them) and a webhook that brought the same sale is recognised downstream by its payment id.
 */
export function listSquarePayments(credentials: SquareCredentials, page: ListPage, ctx: SourceContext): Promise<ListResult> {
  return acrossLocations(credentials, ctx, page.cursor, (one, cursor) => listLocationPayments(one, { ...page, cursor }, ctx), requeried);
}

/**
 * Where polling stands, for the same listing asked with a location where it was asked without (acrossLocations):
 * Square's page cursor is dropped, and the query starts again at the last change seen (its pages so far came by
 * `updated_at` ascending, so none before it is left).
 */
function requeried(cursor: string): string {
  const state = readCursor(cursor)!;
  return JSON.stringify({ since: state.last ?? state.since, page: null, last: null, ...(state.waiting ? { waiting: state.waiting } : {}), ...(state.searches ? { searches: state.searches } : {}) });
}

async function listLocationPayments(credentials: SquareCredentials, page: ListPage, ctx: SourceContext): Promise<ListResult> {
  const state = readCursor(page.cursor) ?? { since: page.since?.toISOString() ?? null, page: null, last: null };
  const res = await squareRequest(credentials, ctx, '/v2/payments', {
    updated_at_begin_time: state.since ?? undefined,
    sort_field: 'UPDATED_AT',
    sort_order: 'ASC',
    limit: Math.min(Math.max(Math.trunc(page.limit), 1), 100),
    cursor: state.page ?? undefined,
    location_id: credentials.locationId,
  });
  if (res.status === 401 || res.status === 403) {
    throw new CredentialFieldError('accessToken', `Square refused the access token to list payments (${res.status} ${squareErrorText(res.body)})`, 'use an access token of this seller that may read payments (PAYMENTS_READ)');
  }
  if (res.status !== 200) {
    const problem = `Square answered ${res.status} to ListPayments: ${squareErrorText(res.body)}`;
    if (/INVALID_CURSOR/.test(squareErrorText(res.body))) throw new InputError('list', problem, 'clear the stored polling cursor to start again from "since"');
    throw new CredentialFieldError(['baseUrl', 'apiVersion', 'locationId'], problem, 'check the seller\'s API address, version and location');
  }
  const body = obj(res.body) ?? {};
  const payments = (Array.isArray(body.payments) ? body.payments : []).map(obj).filter((p): p is Obj => Boolean(p));
  const livemode = squareLivemode(credentials);
  const events: PaymentEvent[] = [];
  const notes: string[] = [];
  const waiting = new Set<string>();
  const searches = new Map(Object.entries(state.searches ?? {}));
  const listed = new Set(payments.map((p) => trimmedStr(p.id)).filter((id): id is string => Boolean(id)));
  if (state.page === null) {
    for (const id of state.waiting ?? []) {
      if (listed.has(id)) continue;
      const again = await lookUpPayment(credentials, ctx, id);
      if (!again.ok) {
        if (/answered 40[13]/.test(again.problem)) throw new CredentialFieldError('accessToken', `payment ${id}, whose refund was pending, could not be read again: ${again.problem}`, 'use an access token that may read payments and refunds (PAYMENTS_READ)');
        // Square refusing this one payment (404: no longer there) is no reason to stop the poll, but the operator
        // hears that its refunds are no longer looked for.
        notes.push(`payment ${id}, whose refunds polling was waiting for, could not be read again (${again.problem}): polling stops looking at it (a refund webhook or reconcile brings its refunds)`);
        continue;
      }
      events.push(...(await eventsOfPayment(again.value, credentials, ctx, livemode, waiting, notes, searches)));
    }
  } else {
    for (const id of state.waiting ?? []) waiting.add(id);
  }
  let last = state.last;
  for (const payment of payments) {
    const id = trimmedStr(payment.id);
    if (id) waiting.delete(id);
    events.push(...(await eventsOfPayment(payment, credentials, ctx, livemode, waiting, notes, searches)));
    const updated = isoTime(payment.updated_at);
    if (updated && (!last || updated > last)) last = updated;
  }
  const next = trimmedStr(body.cursor);
  const kept = [...waiting].slice(-WAITING_MAX);
  // A search is kept while its payment waits: one that left (found, given up, or one of the oldest past WAITING_MAX) ends.
  const searching = Object.fromEntries(kept.flatMap((id) => (searches.has(id) ? [[id, searches.get(id)!] as const] : [])));
  // The next query starts at the last change seen, inclusive: that payment comes again, under the same ids. ListPayments
  // is eventually consistent ("changes to payments might take several seconds to appear"): a payment changed just
  // before the last one seen may not have been listed yet, so the next query starts no later than the lag before now
  // (nextBegin), and what it lists again comes under the same ids.
  const resumeAt = last ? nextBegin(state.since ?? undefined, last, undefined, ctx.now()) : state.since;
  const cursor: PollState = next ? { since: state.since, page: next, last } : { since: resumeAt, page: null, last: null };
  if (kept.length) cursor.waiting = kept;
  if (Object.keys(searching).length) cursor.searches = searching;
  return { events, cursor: JSON.stringify(cursor), more: Boolean(next), ...(notes.length ? { notes } : {}) };
}

/**
 * A listed payment → its sale or decline, and its refunds so far as one cumulative refund event. `pending` gets the
 * payment's id when one of its refunds is still PENDING, or ListPaymentRefunds does not show them all yet. Its
 * refunds are those its `refund_ids` list, each read; a payment that says it was refunded (`refunded_money`) without
 * listing them has them found by ListPaymentRefunds (searchedRefundTotal), and `notes` says so, naming the payment,
 * when that listing shows none of them or was not read to its end. With `searches` (polling), such a payment's
 * search goes on at the next poll from where this one got (not from the payment's creation again), until its
 * refunds add up to `refunded_money` or, the listing read to its end, REFUND_SEARCH_PATIENCE_MS has passed since
 * polling began looking: then it leaves `pending`, and `notes` says so.
 */
export async function eventsOfPayment(
  payment: Obj,
  credentials: SquareCredentials,
  ctx: SourceContext,
  livemode: boolean,
  pending?: Set<string>,
  notes?: string[],
  searches?: Map<string, SearchState>,
): Promise<PaymentEvent[]> {
  let draft;
  try {
    draft = await paymentDraft('payment.updated', payment, credentials, ctx);
  } catch (e) {
    // Not card-present, or not final yet (an APPROVED payment is listed again once it changes).
    if (e instanceof IgnoredEventError) return [];
    throw e;
  }
  const id = draft.paymentId;
  const occurredAt = paymentTime(payment) ?? ctx.now().toISOString();
  const polled = { ...draft.metadata, square_polled: 'true' };
  const out = [finish(`payment:${id}:${payment.status}`, 'payment.updated', occurredAt, livemode, { ...draft, metadata: polled })];
  // Refunded when refunded_money says so, or when refund_ids lists any: the SDK lets Square leave refunded_money null.
  const listed = listsRefundIds(payment);
  if (draft.kind !== 'payment' || !(saysRefunded(payment) || listed)) return out;

  // Refunded without its refund ids (the SDK lets Square leave them out): ListPaymentRefunds finds them.
  const earlier = pending && !listed ? searches?.get(id) : undefined;
  // Kept again below only while the search goes on (a payment listing its refund_ids now needs none).
  searches?.delete(id);
  const total = listed ? await completedRefundTotal(credentials, ctx, payment) : await searchedRefundTotal(credentials, ctx, payment, earlier);
  if (!total.ok) throw new CredentialFieldError('accessToken', `the refunds of payment ${id} could not be read: ${total.problem}`, 'use an access token that may read payments and refunds (PAYMENTS_READ)');
  const { minor, otherTenders } = total.value;
  if (total.value.pending) pending?.add(id);
  const searched = total.value.searched;
  const stated = obj(payment.refunded_money)?.amount;
  // Square's refund listing is eventually consistent, and at a busy location longer than one poll reads: a payment
  // whose refunds it does not all show yet is read again by the next poll (with the payments whose refund is
  // pending), its search going on from where this one got, until they add up to what it says was refunded — or,
  // the listing read to its end, until polling has looked for a day.
  let search: SearchOutcome = 'once';
  if (pending && searched) {
    const since = earlier?.since ?? ctx.now().toISOString();
    const short = typeof stated === 'number' && minor < stated;
    const patient = !searched.complete || ctx.now().getTime() - Date.parse(since) < REFUND_SEARCH_PATIENCE_MS;
    if (short && patient) pending.add(id);
    search = !short ? 'found' : patient ? 'goes on' : 'given up';
    if (pending.has(id)) searches?.set(id, { from: searched.next, ids: searched.ids, since });
  }
  const note = searched && unlistedRefundsNote(id, { stated: `${stated} ${draft.amount.currency} minor units`, minor }, searched, search, earlier?.since);
  if (note) notes?.push(note);
  if (minor <= 0) return out;
  // A listed payment shows its refunds only as a total: the refund event carries that total as its amount too.
  const refundedTotal = squareMoney({ amount: minor, currency: draft.amount.currency }, 'refunded_money');
  out.push(
    finish(`payment:${id}:refunded:${minor}`, 'refund.updated', isoTime(payment.updated_at) ?? occurredAt, livemode, {
      ...draft,
      kind: 'refund',
      amount: refundedTotal,
      refundedTotal,
      // Some of it went back in cash or to a gift card (crossTenderOf, as for a refund delivered by webhook).
      ...(otherTenders.length > 0 ? { refund: { cumulative: true, toCard: false as const } } : {}),
      status: statusAfterRefunds(refundedTotal.minor, draft.amount.minor),
      metadata: {
        ...polled,
        refund_ids: (payment.refund_ids as string[] | undefined)?.join(',') ?? '',
        ...(otherTenders.length > 0 ? { refund_destination: otherTenders.join(',') } : {}),
      },
    }),
  );
  return out;
}

/**
 * What became of a search for a payment's refunds: `once` (backfill, reconcile: not read again), `found` (they add
 * up to refunded_money), `goes on` (the next poll reads on), `given up` (read to the end for a day without finding them all).
 */
type SearchOutcome = 'once' | 'found' | 'goes on' | 'given up';

/** What the operator hears of a payment refunded without refund_ids whose refunds the search did not all find. */
function unlistedRefundsNote(id: string, refunded: { stated: string; minor: number }, found: RefundSearch, search: SearchOutcome, since?: string): string | undefined {
  const said = `payment ${id} says it was refunded (refunded_money ${refunded.stated}) but lists no refund_ids`;
  if (search === 'found') return undefined;
  if (search === 'given up') {
    return `${said}, and ListPaymentRefunds, read from the payment's creation at its location to its end, shows only ${found.found} of its refunds (${refunded.minor} minor units) though polling has looked for them since ${since ?? 'this poll'}: polling stops looking for the rest (a refund webhook or reconcile brings them)`;
  }
  if (!found.complete && search === 'goes on') {
    return `${said}; ListPaymentRefunds was read for ${REFUND_SEARCH_MAX_PAGES} pages from ${found.from} at its location without reaching the end, so only the ${found.found} of its refunds found so far count for now: the next poll reads on from ${found.next}`;
  }
  if (!found.complete) {
    return `${said}; ListPaymentRefunds was read for ${REFUND_SEARCH_MAX_PAGES} pages from the payment's creation at its location without reaching the end, so only the ${found.found} of its refunds found there count for now (a refund webhook or reconcile brings the rest)`;
  }
  if (found.found === 0) {
    const until = search === 'goes on' ? 'the next poll reads the payment again, or a refund webhook brings them' : 'a refund webhook, the next poll or the payment\'s next change brings them';
    return `${said}, and ListPaymentRefunds shows none of its refunds yet (Square's listing is eventually consistent): none is recorded until ${until}`;
  }
  return undefined;
}

function readCursor(cursor: string | null): PollState | null {
  if (!cursor) return null;
  try {
    const c = obj(JSON.parse(cursor));
    if (c) {
      const waiting = Array.isArray(c.waiting) ? c.waiting.filter((id): id is string => typeof id === 'string' && id.length > 0) : [];
      const searches = searchesIn(c.searches);
      return {
        since: trimmedStr(c.since) ?? null, page: trimmedStr(c.page) ?? null, last: trimmedStr(c.last) ?? null,
        ...(waiting.length ? { waiting } : {}), ...(searches ? { searches } : {}),
      };
    }
  } catch {
    // Reported below.
  }
  throw new InputError('cursor', 'the stored Square polling cursor is not one this source wrote', 'clear the stored cursor to start again from "since"');
}

/** The searches a cursor holds (SearchState); one not as written here is left out, and starts again from its payment's creation. */
function searchesIn(raw: unknown): Record<string, SearchState> | undefined {
  const out: Record<string, SearchState> = {};
  for (const [id, v] of Object.entries(obj(raw) ?? {})) {
    const s = obj(v);
    const from = trimmedStr(s?.from);
    const since = trimmedStr(s?.since);
    if (!s || !from || !since || !Number.isFinite(Date.parse(from)) || !Number.isFinite(Date.parse(since)) || !Array.isArray(s.ids)) continue;
    out[id] = { from, since, ids: s.ids.filter((r): r is string => typeof r === 'string' && r.length > 0) };
  }
  return Object.keys(out).length ? out : undefined;
}
