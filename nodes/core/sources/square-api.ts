import { InputError } from '../errors';
import { LISTING_LAG_MS } from './listing-lag';
import type { HttpResponse } from '../http/http-transport';
import type { SourceContext } from './source';
import type { SquareCredentials } from './square-credentials';
import { obj, trimmedStr, type Obj } from '../json/json-values';
import { CredentialFieldError } from './credential-error';

/**
 * Square must be answered within 10 seconds (Webhooks → Troubleshooting), and a refund may need a few lookups:
 * each one gets a share of that, not the transport's default.
 */
const LOOKUP_TIMEOUT_MS = 3_000;

/** What a lookup found, or why it found nothing: a missing customer must not cost the payment it paid for. */
/** `status`: what Square answered a read it refused (a 4xx, or 200 without the object asked for). */
export type Lookup<T> = { ok: true; value: T } | { ok: false; problem: string; status: number };

/**
 * Square is down or throttling (5xx, 429): thrown, not swallowed, so the face answers 500 and Square delivers the
 * event again later (it retries for 72 hours) instead of the pack recording it without its customer. A timeout or a
 * refused connection (the transport's HttpNetworkError) goes the same way.
 */
export class SquareUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SquareUnavailableError';
  }
}

/** "CODE: detail" of Square's error body `{errors: [{category, code, detail, field}]}`. */
export function squareErrorText(body: unknown): string {
  const first = obj((obj(body)?.errors as unknown[] | undefined)?.[0]);
  if (!first) return typeof body === 'string' && body.length < 200 ? body : 'no error details';
  return [trimmedStr(first.code), trimmedStr(first.detail)].filter(Boolean).join(': ') || 'no error details';
}

/** Whether lookups can run at all: a token and an HTTP transport from the face. */
export function canLookUp(credentials: SquareCredentials, ctx: SourceContext): boolean {
  return Boolean(credentials.accessToken && ctx.http);
}

export async function squareRequest(
  credentials: SquareCredentials,
  ctx: SourceContext,
  path: string,
  qs?: Record<string, string | number | undefined>,
): Promise<HttpResponse> {
  if (!credentials.accessToken) throw new CredentialFieldError('accessToken', 'no Square access token is configured', 'use a token that may read payments and customers (PAYMENTS_READ, CUSTOMERS_READ)');
  if (!ctx.http) throw new InputError('http', 'this engine gave the Square source no HTTP client', 'run the trigger in an engine face that provides HTTP (n8n, Node-RED, the Temporal worker)');
  const res = await ctx.http.request({
    method: 'GET',
    url: `${credentials.baseUrl}${path}`,
    headers: { authorization: `Bearer ${credentials.accessToken}`, 'square-version': credentials.apiVersion, accept: 'application/json' },
    qs,
    timeoutMs: LOOKUP_TIMEOUT_MS,
  });
  if (res.status === 429 || res.status >= 500) {
    throw new SquareUnavailableError(`Square answered ${res.status} to GET ${path} (${squareErrorText(res.body)}); the delivery is answered 500 so Square sends it again`);
  }
  return res;
}

/** GET one object (`{customer: …}`, `{payment: …}`, `{refund: …}`); a 4xx becomes a reason, not an exception. */
async function getOne(credentials: SquareCredentials, ctx: SourceContext, path: string, key: string): Promise<Lookup<Obj>> {
  const res = await squareRequest(credentials, ctx, path);
  const found = obj(obj(res.body)?.[key]);
  if (res.status === 200 && found) return { ok: true, value: found };
  return refused(`GET ${path}`, res);
}

/** A read Square answered with a 4xx, as a reason naming the request (`what`) and, for 401 and 403, the token's fault. */
function refused(what: string, res: HttpResponse): { ok: false; problem: string; status: number } {
  const hint = res.status === 401 ? ' (the access token is wrong, expired or revoked)' : res.status === 403 ? ' (the access token lacks a permission)' : '';
  return { ok: false, problem: `${what} answered ${res.status}: ${squareErrorText(res.body)}${hint}`, status: res.status };
}

export interface SquareCustomerHints {
  name?: string;
  email?: string;
  phone?: string;
  postalCode?: string;
}

/** RetrieveCustomer (GET /v2/customers/{customer_id}) → what the match step can use. */
export async function lookUpCustomer(credentials: SquareCredentials, ctx: SourceContext, customerId: string): Promise<Lookup<SquareCustomerHints>> {
  const r = await getOne(credentials, ctx, `/v2/customers/${encodeURIComponent(customerId)}`, 'customer');
  if (!r.ok) return r;
  const c = r.value;
  const name = [trimmedStr(c.given_name), trimmedStr(c.family_name)].filter(Boolean).join(' ') || trimmedStr(c.company_name);
  return { ok: true, value: { name, email: trimmedStr(c.email_address), phone: trimmedStr(c.phone_number), postalCode: trimmedStr(obj(c.address)?.postal_code) } };
}

/** GetPayment (GET /v2/payments/{payment_id}). */
export function lookUpPayment(credentials: SquareCredentials, ctx: SourceContext, paymentId: string): Promise<Lookup<Obj>> {
  return getOne(credentials, ctx, `/v2/payments/${encodeURIComponent(paymentId)}`, 'payment');
}

/**
 * Where a refund's money went when not back to the card the sale was paid with: Square's `destination_type`
 * (CASH, SQUARE_ACCOUNT for a gift card…) when it is not CARD — a cross-tender refund. The one reading of it, for
 * refunds delivered by webhook and refunds read while polling.
 */
export function crossTenderOf(refund: Obj): string | undefined {
  const destination = trimmedStr(refund.destination_type);
  return destination !== undefined && destination !== 'CARD' ? destination : undefined;
}

/** The payment's `refund_ids` name at least one refund. */
export function listsRefundIds(payment: Obj): boolean {
  return Array.isArray(payment.refund_ids) && payment.refund_ids.some((id) => typeof id === 'string' && id.length > 0);
}

/** The payment says some of it was refunded (`refunded_money` above zero); the SDK lets Square leave it null. */
export function saysRefunded(payment: Obj): boolean {
  const refunded = obj(payment.refunded_money)?.amount;
  return typeof refunded === 'number' && refunded > 0;
}

/** A payment's COMPLETED refunds: their total in Square's minor units, and the tenders other than the card they went to. */
export interface CompletedRefunds {
  minor: number;
  /** crossTenderOf each counted refund read here, once each (the refund being delivered is not read). */
  otherTenders: string[];
  /** A refund read here is still PENDING (awaiting approval): its completion may not change the payment. */
  pending: boolean;
  /** Found by ListPaymentRefunds (searchedRefundTotal): which refunds of the payment, and how far the listing got. */
  searched?: RefundSearch;
}

/**
 * The total of the payment's COMPLETED refunds in Square's minor units (GetPaymentRefund for each of the
 * payment's `refund_ids`). Not `refunded_money`: Square does not say whether that counts refunds still PENDING,
 * which may yet be REJECTED. `current` is the refund being delivered, counted even if the payment does not list
 * it yet.
 */
export async function completedRefundTotal(
  credentials: SquareCredentials,
  ctx: SourceContext,
  payment: Obj,
  current?: { id: string; amount: number },
): Promise<Lookup<CompletedRefunds>> {
  const ids = (Array.isArray(payment.refund_ids) ? payment.refund_ids : []).filter((id): id is string => typeof id === 'string');
  const refunds: Obj[] = [];
  for (const id of ids) {
    if (current && id === current.id) continue;
    const r = await getOne(credentials, ctx, `/v2/refunds/${encodeURIComponent(id)}`, 'refund');
    if (!r.ok) return r;
    refunds.push(r.value);
  }
  return { ok: true, value: completedOf(refunds, current?.amount ?? 0) };
}

/** What a payment's refunds, as read, add up to (CompletedRefunds), with `plus` (the refund being delivered) on top. */
function completedOf(refunds: readonly Obj[], plus = 0): CompletedRefunds {
  let total = 0;
  let pending = false;
  const otherTenders = new Set<string>();
  for (const refund of refunds) {
    const amount = obj(refund.amount_money)?.amount;
    if (refund.status === 'PENDING') pending = true;
    if (refund.status !== 'COMPLETED' || typeof amount !== 'number') continue;
    total += amount;
    const tender = crossTenderOf(refund);
    if (tender) otherTenders.add(tender);
  }
  return { minor: total + plus, otherTenders: [...otherTenders], pending };
}

/** What one ListPaymentRefunds search for a payment found, and where the next one starts. */
export interface RefundSearch {
  /** How many refunds of the payment are known: those found by earlier searches (read again by id) and by this one. */
  found: number;
  /** Their ids, for the next search to read again (GetPaymentRefund): a PENDING one may have completed since. */
  ids: string[];
  /** Whether this listing was read to its end (Square gave no further `cursor`). */
  complete: boolean;
  /** The `begin_time` this listing started at. */
  from: string;
  /** The `begin_time` the next search starts at (nextBegin). */
  next: string;
}

/** Where a payment's search got to, as an earlier poll left it (RefundSearch's `next` and `ids`). */
export interface RefundSearchFrom {
  from: string;
  ids: readonly string[];
}

/** Pages of ListPaymentRefunds read at most for one payment (100 refunds each): a poll must not stall on one sale. */
export const REFUND_SEARCH_MAX_PAGES = 10;

/**
 * The refunds of a payment that says it was refunded (`refunded_money`) but lists no `refund_ids` (the SDK lets
 * Square leave them null or out). Square has no GetPayment-side list then, nor a payment filter on ListPaymentRefunds
 * (GET /v2/refunds): its documented filters narrow the listing to where this payment's refunds can be — created no
 * earlier than the payment (`begin_time`, inclusive, on the refunds' `created_at`), at its location (`location_id`),
 * of card payments (`source_type` CARD), oldest first (`sort_order` ASC, by `created_at`) — and each refund names its
 * `payment_id`, which picks this payment's out. Pages follow Square's `cursor` ("the next set of results for the
 * original query"), 100 a page, up to REFUND_SEARCH_MAX_PAGES; `searched.complete` is false when more were left.
 *
 * `resume` (polling, a payment still waiting) continues an earlier search instead of starting again at the
 * payment's creation: its refunds found so far are read again by id, and the listing starts at `resume.from`, so at a
 * location with more refunds since the payment than 10 pages hold, each poll reads the next pages, not the same ones.
 * Square's cursor is not kept between polls: "a page of retrieved records has a limited lifespan", while a
 * `begin_time` stays a valid query. Where the next search starts: nextBegin.
 */
export async function searchedRefundTotal(
  credentials: SquareCredentials,
  ctx: SourceContext,
  payment: Obj,
  resume?: RefundSearchFrom,
): Promise<Lookup<CompletedRefunds>> {
  const paymentId = trimmedStr(payment.id);
  const created = trimmedStr(payment.created_at);
  const from = resume?.from ?? created;
  const ours = new Map<string, Obj>();
  for (const id of resume?.ids ?? []) {
    const r = await getOne(credentials, ctx, `/v2/refunds/${encodeURIComponent(id)}`, 'refund');
    if (!r.ok) return r;
    ours.set(id, r.value);
  }
  const query = { begin_time: from, location_id: trimmedStr(payment.location_id), source_type: 'CARD', sort_order: 'ASC', limit: 100 };
  let lastRead: string | undefined;
  let cursor: string | undefined;
  let complete = false;
  for (let page = 0; page < REFUND_SEARCH_MAX_PAGES && !complete; page++) {
    const res = await squareRequest(credentials, ctx, '/v2/refunds', { ...query, cursor });
    const body = obj(res.body);
    if (res.status !== 200) return refused('GET /v2/refunds (ListPaymentRefunds)', res);
    for (const r of Array.isArray(body?.refunds) ? body.refunds : []) {
      const refund = obj(r);
      if (!refund) continue;
      lastRead = trimmedStr(refund.created_at) ?? lastRead;
      const id = trimmedStr(refund.id);
      // A refund read again (the first of a resumed listing is the last one read before) counts once.
      if (id && paymentId && trimmedStr(refund.payment_id) === paymentId) ours.set(id, refund);
    }
    cursor = trimmedStr(body?.cursor);
    complete = !cursor;
  }
  const searched: RefundSearch = {
    found: ours.size,
    ids: [...ours.keys()],
    complete,
    from: from ?? '',
    next: nextBegin(from, lastRead, created, ctx.now()),
  };
  return { ok: true, value: { ...completedOf([...ours.values()]), searched } };
}

/**
 * Where the next listing by time starts (ListPaymentRefunds' `begin_time` for a payment's refunds, ListPayments'
 * `updated_at_begin_time` for polling): at the last item this listing read, so the pages read are not read again
 * (only that item, the begin time being inclusive: items sharing its time are not skipped) — but never later than
 * LISTING_LAG_MS before now. The listing is eventually consistent: an item created or changed a few seconds
 * before a page was read may not be on it yet, though later ones are, and the listing goes by that time, so one
 * listed late lies before where the reading got. Every item older than the lag before a page was read was on it;
 * going back the lag from now (at least as far as the pages read recently) reads again only what may have been
 * missed — at a busy location's backlog, long past, the last item read is the earlier, and the listing moves on by
 * whole pages. Never before `floor` (a payment's creation, for its refunds); when this listing read nothing, where
 * it began.
 */
export function nextBegin(from: string | undefined, lastRead: string | undefined, floor: string | undefined, now: Date): string {
  const settled = now.getTime() - LISTING_LAG_MS;
  const last = lastRead ?? from;
  const lastMs = last ? Date.parse(last) : NaN;
  let next = last !== undefined && Number.isFinite(lastMs) && lastMs <= settled ? last : new Date(settled).toISOString();
  const floorMs = floor ? Date.parse(floor) : NaN;
  if (floor && Number.isFinite(floorMs) && Date.parse(next) < floorMs) next = floor;
  return next;
}
