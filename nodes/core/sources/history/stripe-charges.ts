import Stripe from 'stripe';
import type { PaymentEvent } from '../../contracts/payment-event';
import { IgnoredEventError, InputError } from '../../errors';
import { STRIPE_MAX_PAGE, stripeGet, StripeUnavailableError } from '../stripe-list';
import type { StripeCredentials } from '../stripe-credentials';
import { failedRefundEventKey, normalizeStripeEvent, stripeTerminalSource } from '../stripe-terminal';
import type { HistoryContext, HistoryLister, HistoryPage, HistoryWindow, LookedUp } from './history-lister';
import { eventsListedInWindow, listedInWindow, listedUntil, offlineGraceMsOf } from './history-lister';
import { obj, safeInt, str, type Obj } from '../../json/json-values';

/**
 * How long after a reader stored a sale offline its charge may be created (forwarded) and still be listed by the
 * window the sale is dated in. Stripe documents no maximum for how long a reader or the Terminal SDK holds stored
 * payments before forwarding them (its "Accept offline payments" and "Collect card payments while offline" pages say
 * only that stored payments are forwarded automatically once connectivity is restored, and urge restoring it as soon
 * as possible, the merchant bearing the decline risk), so this is the pack's own default, not Stripe's: 72 hours, a
 * weekend's outage; an operator may set another (HistoryWindow.offlineGraceMs). Each window's listing reads this much
 * past its end, a bounded cost (a day's window lists four days of charges). A sale forwarded later than this belongs
 * to the window it was forwarded in (history-lister's datedAt).
 */
export const STRIPE_OFFLINE_GRACE_MS = 72 * 3600_000;

/**
 * Stripe's history through the Charges list (GET /v1/charges), not the Events API: events are kept 30 days, charges
 * for as long as the account exists. Charges come newest first; `created[gte]`/`created[lt]` bound the window (its
 * end plus the offline grace, STRIPE_OFFLINE_GRACE_MS unless the window sets one, for sales stored offline in it and
 * forwarded later) and `starting_after` (the
 * last charge of the page before) with `has_more` pages through it, so the cursor is that id.
 *
 * Each card-present charge is read as the webhook events it stands for: a sale (`charge.succeeded`) and, once
 * anything was refunded, a refund carrying the cumulative amount (`charge.refunded`), both normalized by the
 * source's own normalize, and each of its refunds that failed since as that refund reversed (the Refund read as
 * `refund.updated` reports it, by the same normalize as the webhook's refund events). Their ids are derived from the
 * charge and the refund (`charge:<id>:succeeded`, `charge:<id>:refunded:<total>`, `refund:<id>:failed`), so a second
 * read is a duplicate; the payment id is the PaymentIntent's, as the webhooks', so the ledger counts a payment that
 * came both ways once, and a failure the webhook told already is that event again (its id is the refund's,
 * failedRefundEventKey), a duplicate. Failed charges move no money and disputes need the dispute object: neither is read here.
 * A charge whose payment_method_details is null is read as the webhook reads it (the same normalize decides): no
 * sale, but its refund and its failed refunds, so a backfill and a webhook of the same charge agree.
 *
 * A charge that shows nothing refunded (amount_refunded 0, no refunds listed with it) normally has no refunds to
 * read. But whether Stripe's amount_refunded drops when a refund fails is not documented: should it drop to 0 once
 * every refund of the charge failed, the charge looks never refunded, while the ledger still counts what the webhook's
 * charge.refunded reported (its refund.failed lost). So once a page, the caller's store (ctx.ledger) is asked which
 * of those charges' payments it counts a refund for, and only theirs are read: their failed refunds come in as the
 * reversals above and the ledger's refund goes back to 0. Without a store (ctx.ledger absent) they are not read.
 */
export const stripeChargeHistory: HistoryLister = {
  source: 'stripe',
  label: 'Stripe (charges)',
  order: 'newest-first',
  credentialsOf: stripeTerminalSource as never,
  offlineGraceMs: STRIPE_OFFLINE_GRACE_MS,
  list: (credentials, window, ctx) => listStripeCharges(credentials as StripeCredentials, window, ctx),
  lookUp: (credentials, paymentIds, ctx) => lookUpStripePayments(credentials as StripeCredentials, paymentIds, ctx),
};

export async function listStripeCharges(credentials: StripeCredentials, window: HistoryWindow, ctx: HistoryContext): Promise<HistoryPage> {
  if (window.cursor !== null && !/^ch_\w+$|^py_\w+$/.test(window.cursor)) {
    throw new InputError('cursor', 'the stored Stripe backfill position is not a charge id', 'start the backfill again with --restart');
  }
  const grace = offlineGraceMsOf(stripeChargeHistory, window);
  const body = await getList(credentials, ctx, CHARGES, {
    limit: Math.min(Math.max(1, Math.trunc(window.limit) || 1), STRIPE_MAX_PAGE),
    'created[gte]': Math.floor(window.since.getTime() / 1000),
    // The grace past the window: the charges of sales stored offline inside it and forwarded after it ended.
    'created[lt]': Math.ceil(listedUntil(window, grace).getTime() / 1000),
    starting_after: window.cursor ?? undefined,
  });
  const charges = body.data;
  // Charges of the grace past the window whose sale belongs to a later window are left before their refunds are read
  // (eventsListedInWindow below would drop their events anyway).
  const listed = charges.map(listedOf).filter((c): c is ListedCharge => !!c && belongsHere(c, window, grace));
  const events = await eventsOfCharges(credentials, ctx, listed);
  // Each charge belongs to the window its sale is dated in (eventsListedInWindow): a sale a reader stored offline to
  // the one it was stored in (card_present.offline.stored_at), which lists it through the grace above though Stripe
  // created its charge on the forwarding, after the window.
  const createdAt = new Map(listed.flatMap((c) => {
    const created = createdOf(c.charge);
    return created ? [[c.paymentId, created] as const] : [];
  }));
  return {
    events: eventsListedInWindow(events, window, grace, (id) => createdAt.get(id)),
    cursor: str(charges.at(-1)?.id) ?? window.cursor,
    more: body.hasMore && charges.length > 0,
  };
}

/**
 * A charge that succeeded, read as the webhook reads it: its sale as charge.succeeded, when that is one; else, where
 * the webhook still passes the charge's charge.refunded on (payment_method_details null says neither card-present nor
 * online: no sale, but its refunds count against a sale the pack recorded), the payment that refund names. A charge
 * the webhook reads neither way (online) is passed over, its refunds never asked for.
 */
interface ListedCharge {
  charge: Obj;
  id: string;
  paymentId: string;
  sale?: PaymentEvent;
}

/** The charge's `created` (what `created[gte]`/`created[lt]` select on) as an ISO time, when it is one a Date holds. */
function createdOf(charge: Obj): string | undefined {
  const created = safeInt(charge.created);
  return created !== undefined && Math.abs(created) <= 8.64e12 ? new Date(created * 1000).toISOString() : undefined;
}

/** Whether a listed charge's payment belongs to the window (listedInWindow), its sale dated as eventsListedInWindow dates it. */
function belongsHere(c: ListedCharge, window: HistoryWindow, graceMs: number): boolean {
  const created = createdOf(c.charge);
  return !created || listedInWindow(window, graceMs, created, c.sale?.occurredAt);
}

/**
 * The events of these charges, their refunds read as refundsOf says. One question to the store for them all: of the
 * charges that show nothing refunded, which the ledger counts refunded.
 */
async function eventsOfCharges(credentials: StripeCredentials, ctx: HistoryContext, listed: readonly ListedCharge[]): Promise<PaymentEvent[]> {
  const unrefunded = listed.filter((c) => showsNoRefund(c.charge)).map((c) => c.paymentId);
  const counted = unrefunded.length > 0 && ctx.ledger ? await ctx.ledger.refunded(unrefunded) : new Set<string>();
  const events: PaymentEvent[] = [];
  for (const c of listed) events.push(...(await eventsOfCharge(c, (charge) => refundsOf(credentials, ctx, charge, counted.has(c.paymentId)))));
  return events;
}

/**
 * The payments of these ids as Stripe has them, whatever window lists them (HistoryLister.lookUp): a PaymentIntent's
 * charges from the Charges list filtered by it (GET /v1/charges?payment_intent=…, stripe-node's
 * ChargeListParams.payment_intent, "Only return charges that were created by the PaymentIntent specified"), a charge
 * without one (its own id is the payment's) by GET /v1/charges/{id}; read as the listing reads them. One Stripe does
 * not know (404, resource_missing: another account's) has no events.
 */
export async function lookUpStripePayments(credentials: StripeCredentials, paymentIds: readonly string[], ctx: HistoryContext): Promise<LookedUp> {
  const charges: Obj[] = [];
  for (const id of new Set(paymentIds)) {
    if (/^pi_\w+$/.test(id)) charges.push(...(await getList(credentials, ctx, CHARGES, { payment_intent: id, limit: STRIPE_MAX_PAGE }, true)).data);
    else if (/^(?:ch|py)_\w+$/.test(id)) charges.push(...(await getCharge(credentials, ctx, id)));
  }
  const asked = new Set(paymentIds);
  const listed = charges.map(listedOf).filter((c): c is ListedCharge => !!c && asked.has(c.paymentId));
  return { events: await eventsOfCharges(credentials, ctx, listed) };
}

function listedOf(charge: Obj): ListedCharge | null {
  const id = str(charge.id);
  if (!id || charge.status !== 'succeeded') return null;
  const sale = asWebhookEvent(charge, 'charge.succeeded', `charge:${id}:succeeded`);
  const paymentId = sale?.paymentId ?? asWebhookEvent(charge, 'charge.refunded', `charge:${id}:refunded`)?.paymentId;
  return paymentId ? { charge, id, paymentId, sale } : null;
}

/** The charge as the webhook event `type` of it normalizes, or undefined where the webhook's normalize ignores it. */
function asWebhookEvent(charge: Obj, type: string, id: string): PaymentEvent | undefined {
  try {
    return normalizeStripeEvent({ object: 'event', created: charge.created, livemode: charge.livemode === true, data: { object: charge }, id, type });
  } catch (e) {
    if (e instanceof IgnoredEventError) return undefined;
    throw e;
  }
}

/** Nothing refunded by the running total, and no refund listed with the charge (or no list: API versions from 2022-11-15). */
function showsNoRefund(charge: Obj): boolean {
  const embedded = obj(charge.refunds);
  const listed = embedded && Array.isArray(embedded.data) && (embedded.data.length > 0 || embedded.has_more === true);
  return (safeInt(charge.amount_refunded) ?? 0) <= 0 && !listed;
}

async function eventsOfCharge({ charge, id, sale }: ListedCharge, readRefunds: (charge: Obj) => Promise<Obj[]>): Promise<PaymentEvent[]> {
  const base = { object: 'event', created: charge.created, livemode: charge.livemode === true, data: { object: charge } };
  const out = sale ? [sale] : [];
  const refunds = await readRefunds(charge);
  // The running total, with every refund not canceled — a failed one too: whether Stripe's amount_refunded still
  // counts a refund once it failed is not documented, and its reversal below takes it out of the total once.
  const inTotal = refunds.filter((r) => r.status !== 'canceled');
  const listed = inTotal.reduce((sum, r) => sum + (safeInt(r.amount) ?? 0), 0);
  const refunded = Math.max(safeInt(charge.amount_refunded) ?? 0, listed);
  if (refunded > 0) {
    // Dated when the total reached this figure, its latest refund's creation, as the webhook's charge.refunded is: the
    // ledger orders a payment's refund reports by time, and a refund in full closes the CRM's deal at it.
    const reachedAt = inTotal.reduce<number | undefined>((latest, r) => {
      const created = safeInt(r.created);
      return created !== undefined && (latest === undefined || created > latest) ? created : latest;
    }, undefined);
    out.push(normalizeStripeEvent({ ...base, created: reachedAt ?? charge.created, id: `charge:${id}:refunded:${refunded}`, type: 'charge.refunded', data: { object: { ...charge, amount_refunded: refunded } } }));
  }
  for (const refund of refunds) {
    const refundId = str(refund.id);
    if (!refundId) continue;
    try {
      out.push(normalizeStripeEvent({
        object: 'event',
        // Only a failed refund is read (fromFailedRefund), under the id its webhook events get too.
        id: failedRefundEventKey(refundId),
        type: 'refund.updated',
        created: refund.created,
        livemode: charge.livemode === true,
        // A refund listed with its charge names that charge and its PaymentIntent; should it not, they are these.
        data: { object: { ...refund, charge: refund.charge ?? id, payment_intent: refund.payment_intent ?? charge.payment_intent } },
      }));
    } catch (e) {
      // A refund that stands: charge.refunded above counts it.
      if (!(e instanceof IgnoredEventError)) throw e;
    }
  }
  return out;
}

/**
 * A charge's refunds, failed ones with their status. On API versions before 2022-11-15 Stripe lists a charge with its
 * 10 most recent refunds (`refunds`, a list with `has_more`), as it does when they are expanded; otherwise, or past
 * those, they are read from the Refunds list (GET /v1/refunds?charge=…, newest first, 100 a page, `starting_after`
 * the last refund read). A charge that lists none and has nothing refunded is not asked about unless `counted` (the
 * ledger counts a refund of its payment, listStripeCharges): one request per refunded card-present charge at most, in
 * the usual case.
 */
async function refundsOf(credentials: StripeCredentials, ctx: HistoryContext, charge: Obj, counted: boolean): Promise<Obj[]> {
  const id = str(charge.id)!;
  const embedded = obj(charge.refunds);
  const refunds: Obj[] = [];
  let more: boolean;
  if (embedded && Array.isArray(embedded.data)) {
    refunds.push(...embedded.data.map(obj).filter((r): r is Obj => !!r));
    more = embedded.has_more === true;
  } else {
    more = (safeInt(charge.amount_refunded) ?? 0) > 0;
  }
  // Nothing refunded and nothing listed (showsNoRefund, which `counted` implies), where the ledger counts a refund:
  // every refund may have failed since.
  more ||= counted;
  while (more) {
    const after = str(refunds.at(-1)?.id);
    const page = await getList(credentials, ctx, REFUNDS, { charge: id, limit: STRIPE_MAX_PAGE, starting_after: after });
    if (page.data.length === 0) break;
    // A page that ends where the one before it ended would be asked for again and again (a proxy's cache, a stub).
    if (after !== undefined && str(page.data.at(-1)!.id) === after) throw new StripeUnavailableError(`Stripe listed the refunds of ${id} after ${after} ending with that same refund again, with more to come`);
    refunds.push(...page.data);
    more = page.hasMore;
  }
  return refunds;
}

interface Listed {
  path: string;
  /** What the key must be allowed to read. */
  what: string;
}
/**
 * The API version the lists are read at: the one the installed stripe-node is written for, whose types the normalize
 * follows. Unpinned, Stripe renders a listed charge at the account's default version, which a listed object does not
 * name (an event names its own in `api_version`); an account still on a version before 2025-03-31.basil would then
 * count the part a partial capture released in `amount_refunded`, and the backfill would record it as a refund.
 */
export const STRIPE_HISTORY_API_VERSION: string = Stripe.API_VERSION;

const CHARGES: Listed = { path: '/v1/charges', what: 'Charges' };
const REFUNDS: Listed = { path: '/v1/refunds', what: 'Refunds' };

const historyGet = (credentials: StripeCredentials, ctx: HistoryContext, path: string, what: string, qs?: Record<string, string | number | undefined>) =>
  stripeGet(credentials, ctx, path, qs, {
    purpose: 'reading Stripe history',
    doing: `list ${what}`,
    again: 'asked again on the retry',
    noHttpFix: 'run the backfill from the CLI or the Temporal worker',
    reads: what,
    readFix: 'give the restricted key read access to Charges and Refunds, or use a secret key',
    keyFix: 'use a secret key, or a restricted key that may read Charges and Refunds',
    headers: { 'stripe-version': STRIPE_HISTORY_API_VERSION },
  });

/** Stripe does not know the object asked for (another account's, or none): a lookup finds nothing, not an error. */
const unknownTo = (status: number, error: Obj | undefined) => status === 404 || str(error?.code) === 'resource_missing';

/** GET /v1/charges/{id}: the charge, or none when Stripe does not know it. */
async function getCharge(credentials: StripeCredentials, ctx: HistoryContext, id: string): Promise<Obj[]> {
  const path = `${CHARGES.path}/${encodeURIComponent(id)}`;
  const { status, body, error, reason } = await historyGet(credentials, ctx, path, 'charges');
  if (status === 200 && body) return [body];
  if (unknownTo(status, error)) return [];
  throw new InputError('list', `Stripe answered ${status} to GET ${path}: ${reason}`, 'check the Stripe credential');
}

/** `lookup`: a listing filtered by an id, which Stripe not knowing that id leaves empty. */
async function getList(credentials: StripeCredentials, ctx: HistoryContext, list: Listed, qs: Record<string, string | number | undefined>, lookup = false): Promise<{ data: Obj[]; hasMore: boolean }> {
  const { status, body, error, reason } = await historyGet(credentials, ctx, list.path, list.what.toLowerCase(), qs);
  if (status !== 200 || !body || !Array.isArray(body.data)) {
    if (lookup && unknownTo(status, error)) return { data: [], hasMore: false };
    if (list === CHARGES && str(error?.param) === 'starting_after') throw new InputError('cursor', `Stripe does not know the charge the backfill stopped at (${reason})`, 'start the backfill again with --restart');
    throw new InputError('list', `Stripe answered ${status} to GET ${list.path}: ${reason}`, 'check the Stripe credential');
  }
  return { data: body.data.map(obj).filter((c): c is Obj => !!c), hasMore: body.has_more === true };
}
