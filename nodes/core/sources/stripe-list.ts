import { z } from 'zod/v4';
import { parseSecrets } from '../config/settings';
import type { PaymentEvent } from '../contracts/payment-event';
import { IgnoredEventError, InputError } from '../errors';
import type { HttpResponse } from '../http/http-transport';
import type { ListPage, ListResult, SourceContext } from './source';
// Types only: stripe-terminal.ts imports this file, and a value import back would make the two load in a cycle.
import type { StripeCredentials } from './stripe-credentials';
import { obj, str, type Obj } from '../json/json-values';
import { CredentialFieldError } from './credential-error';

export const STRIPE_API_URL = 'https://api.stripe.com';
/** GET /v1/events takes 1–100 per page. */
export const STRIPE_MAX_PAGE = 100;

/**
 * What polling needs: the API key. The webhook signing secret is optional here, since an operator who polls
 * usually has no endpoint and so no "whsec_…" secret.
 */
export const StripePollCredentialsSchema = z.object({
  signingSecret: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((v) => (Array.isArray(v) ? v.map((s) => s.trim()).filter(Boolean) : parseSecrets(v))),
  secretKey: z
    .string({ error: 'polling Stripe needs a secret API key' })
    .trim()
    .min(1, 'polling Stripe needs a secret API key'),
});

/** Stripe answered 429 or 5xx, or did not answer: the next poll (or the activity's retry) asks again. */
export class StripeUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StripeUnavailableError';
  }
}

interface EventsPage {
  data: Obj[];
  hasMore: boolean;
}

/**
 * The Stripe source's polling half, made with the source's own normalize (passed in, so this file needs nothing
 * from stripe-terminal.ts at load time). `listCredentials` lets a poller go without a webhook secret.
 */
export function stripePolling(normalize: (event: unknown) => PaymentEvent, types: readonly string[]) {
  return {
    listCredentials: StripePollCredentialsSchema as z.ZodType<StripeCredentials>,
    list: (credentials: StripeCredentials, page: ListPage, ctx: SourceContext) => listStripeEvents(credentials, page, ctx, normalize, types),
  };
}

/**
 * Polling through the Events API (GET /v1/events), so a polled event carries the same id as the webhook that
 * delivers it ("stripe:evt_…") and the inbox keeps a payment that came both ways once.
 *
 * Stripe lists newest first. Oldest first is paging with `ending_before`: given an event, Stripe returns the
 * `limit` events just after it (still newest first, so each page is reversed) and `has_more` says whether newer
 * ones wait; the next page ends before the newest of this one. The cursor is the id of the last event read.
 *
 * With no cursor yet there is no event to page from, so the first poll walks down from the newest event to the
 * oldest created at or after `since` (`created[gte]`, `starting_after`), keeps only that last, oldest page and
 * starts from it: one request per page of events since `since`, once. Until an event turns up the cursor is that
 * first `since` ("since:<unix time>"), so a later poll, with a later `since` of its own, does not skip what happened
 * in between. Stripe keeps events for 30 days: `since` further back reaches no further, and a cursor older than
 * that is refused with the fix.
 */
export async function listStripeEvents(
  credentials: StripeCredentials,
  page: ListPage,
  ctx: SourceContext,
  normalize: (event: unknown) => PaymentEvent,
  types: readonly string[],
): Promise<ListResult> {
  const limit = Math.min(Math.max(Math.trunc(page.limit) || 1, 1), STRIPE_MAX_PAGE);
  const get = (qs: Record<string, string | number | undefined>) => listEvents(credentials, ctx, types, { limit, ...qs });

  const position = readCursor(page.cursor);
  const since = position.since ?? (page.since ? Math.floor(page.since.getTime() / 1000) : undefined);
  let newestFirst: Obj[];
  let more: boolean;
  if (position.after) {
    const next = await get({ ending_before: position.after });
    newestFirst = next.data;
    more = next.hasMore;
  } else {
    let current = await get({ 'created[gte]': since });
    let oldest = current;
    let newerPages = 0;
    while (current.hasMore && current.data.length > 0) {
      const after = str(current.data.at(-1)!.id);
      current = await get({ 'created[gte]': since, starting_after: after });
      if (current.data.length === 0) break;
      // A page that ends where the one before it ended would be asked for again and again: an answer Stripe does
      // not give (a proxy's cache, a stub), stopped here rather than polled forever.
      if (str(current.data.at(-1)!.id) === after) throw new StripeUnavailableError(`Stripe listed events after ${after ?? 'an event without an id'} ending with that same event again, with more to come`);
      oldest = current;
      newerPages++;
    }
    newestFirst = oldest.data;
    more = newerPages > 0;
  }

  const oldestFirst = [...newestFirst].reverse();
  const events: PaymentEvent[] = [];
  for (const event of oldestFirst) {
    try {
      events.push(normalize(event));
    } catch (e) {
      // Online payments and other types are listed too: passed over, the cursor moves past them all the same.
      if (!(e instanceof IgnoredEventError)) throw e;
    }
  }
  const last = str(oldestFirst.at(-1)?.id);
  return { events, cursor: last ?? position.after ?? (since === undefined ? null : `since:${since}`), more };
}

/** The cursor: "evt_…", the last event read, or "since:<unix time>" while no event has been read yet. */
function readCursor(cursor: string | null): { after?: string; since?: number } {
  if (!cursor) return {};
  if (/^evt_\w+$/.test(cursor)) return { after: cursor };
  const since = /^since:(\d{1,12})$/.exec(cursor);
  if (since) return { since: Number(since[1]) };
  throw new InputError('cursor', 'the stored Stripe polling cursor is not one this source wrote', 'clear the stored cursor to start again from "since"');
}

/** What reading Stripe's Events API needs of the key. */
export const EVENTS_READ = { reads: 'events', readFix: 'give the restricted key read access to Events, or use a secret key' } as const;

async function listEvents(credentials: StripeCredentials, ctx: SourceContext, types: readonly string[], qs: Record<string, string | number | undefined>): Promise<EventsPage> {
  // Stripe's form encoding of an array parameter: types[0]=…&types[1]=…
  const typeParams = Object.fromEntries(types.map((t, i) => [`types[${i}]`, t]));
  const { status, body, error, reason } = await stripeGet(credentials, ctx, '/v1/events', { ...qs, ...typeParams }, {
    ...EVENTS_READ,
    purpose: 'polling Stripe',
    doing: 'list events',
    again: 'the next poll asks again',
    noHttpFix: 'poll from an engine face that provides HTTP (n8n, Node-RED, the Temporal worker)',
  });
  if (status !== 200 || !body || !Array.isArray(body.data)) {
    if (str(error?.param) === 'ending_before' || str(error?.code) === 'resource_missing') {
      throw new InputError('cursor', `Stripe no longer has the event the polling cursor points at (${reason}); it keeps events for 30 days`, 'clear the stored cursor to start again from "since"');
    }
    throw new InputError('list', `Stripe answered ${status} to GET /v1/events: ${reason}`, 'check the Stripe credential');
  }
  return { data: body.data.map(obj).filter((e): e is Obj => !!e), hasMore: body.has_more === true };
}

/** What a GET of Stripe's API answered, once a refused key, throttling and outages are dealt with. */
export interface StripeAnswer {
  status: number;
  body: Obj | undefined;
  error: Obj | undefined;
  /** Stripe's error code and message, or the HTTP status. */
  reason: string;
}

/** How a caller of stripeGet names what it does, for the errors it throws. */
export interface StripeGetWords {
  /** "polling Stripe": what needs the secret key. */
  purpose: string;
  /** "list events": what could not be done when Stripe is out of reach. */
  doing: string;
  /** What happens after a throttled or failed answer: "the next poll asks again". */
  again: string;
  noHttpFix: string;
  /** What the key must be allowed to read ("events"), and the fix when it may not. */
  reads: string;
  readFix: string;
  keyFix?: string;
  headers?: Record<string, string>;
}

/**
 * One GET of Stripe's API with the secret key: polling's (/v1/events), a thin event notification's (/v1/events/{id})
 * and history's (charges, refunds). A missing or refused key is the operator's to fix (CredentialFieldError, named
 * for `purpose`); Stripe throttling, down or out of reach is asked again later (StripeUnavailableError, saying
 * `again`); any other answer is the caller's to read.
 */
export async function stripeGet(
  credentials: StripeCredentials,
  ctx: Pick<SourceContext, 'http'>,
  path: string,
  qs: Record<string, string | number | undefined> | undefined,
  words: StripeGetWords,
): Promise<StripeAnswer> {
  if (!credentials.secretKey) {
    throw new CredentialFieldError('secretKey', `${words.purpose} needs a secret API key`, words.keyFix ?? `use a secret key, or a restricted key that may read ${words.reads}`);
  }
  if (!ctx.http) throw new InputError('http', 'this engine gave the Stripe source no HTTP client', words.noHttpFix);
  let res: HttpResponse;
  try {
    res = await ctx.http.request({
      method: 'GET',
      url: `${STRIPE_API_URL}${path}`,
      headers: { ...words.headers, authorization: `Bearer ${credentials.secretKey}`, accept: 'application/json' },
      qs,
    });
  } catch (e) {
    throw new StripeUnavailableError(`Stripe could not be reached to ${words.doing}: ${(e as Error).message}`);
  }
  const body = obj(res.body);
  const error = obj(body?.error);
  const reason = [str(error?.code), str(error?.message)].filter(Boolean).join(': ') || `HTTP ${res.status}`;
  if (res.status === 401) throw new CredentialFieldError('secretKey', `Stripe refused the secret key (${reason})`, 'use a current secret key, or a restricted key, of this Stripe account (Dashboard → Developers → API keys)');
  if (res.status === 403) throw new CredentialFieldError('secretKey', `the key may not read ${words.reads} (${reason})`, words.readFix);
  if (res.status === 429 || res.status >= 500) throw new StripeUnavailableError(`Stripe answered ${res.status} to GET ${path} (${reason}); ${words.again}`);
  return { status: res.status, body, error, reason };
}
