import type { PaymentEvent } from '../../contracts/payment-event';
import { IgnoredEventError, InputError } from '../../errors';
import type { HttpResponse } from '../../http/http-transport';
import type { SourceContext } from '../source';
import { STRIPE_API_URL, STRIPE_MAX_PAGE, StripeUnavailableError } from '../stripe-list';
import type { StripeCredentials } from '../stripe-credentials';
import { normalizeStripeEvent, stripeTerminalSource } from '../stripe-terminal';
import type { HistoryLister, HistoryPage, HistoryWindow } from './history-lister';
import { eventsInWindow } from './history-lister';
import { obj, str, type Obj } from '../../json/json-values';
import { CredentialFieldError } from '../credential-error';

/**
 * Stripe's history through the Charges list (GET /v1/charges), not the Events API: events are kept 30 days, charges
 * for as long as the account exists. Charges come newest first; `created[gte]`/`created[lt]` bound the window and
 * `starting_after` (the last charge of the page before) with `has_more` pages through it, so the cursor is that id.
 *
 * Each card-present charge is read as the webhook events it stands for: a sale (`charge.succeeded`) and, once
 * anything was refunded, a refund carrying the cumulative amount (`charge.refunded`), both normalized by the
 * source's own normalize. Their ids are derived from the charge (`charge:<id>:succeeded`,
 * `charge:<id>:refunded:<total>`), so a second read is a duplicate; the payment id is the PaymentIntent's, as the
 * webhooks', so the ledger counts a payment that came both ways once. Failed charges move no money and disputes
 * need the dispute object: neither is read here.
 */
export const stripeChargeHistory: HistoryLister = {
  source: 'stripe',
  label: 'Stripe (charges)',
  order: 'newest-first',
  credentialsOf: stripeTerminalSource as never,
  list: (credentials, window, ctx) => listStripeCharges(credentials as StripeCredentials, window, ctx),
};

export async function listStripeCharges(credentials: StripeCredentials, window: HistoryWindow, ctx: SourceContext): Promise<HistoryPage> {
  if (window.cursor !== null && !/^ch_\w+$|^py_\w+$/.test(window.cursor)) {
    throw new InputError('cursor', 'the stored Stripe backfill position is not a charge id', 'start the backfill again with --restart');
  }
  const body = await getCharges(credentials, ctx, {
    limit: Math.min(Math.max(1, Math.trunc(window.limit) || 1), STRIPE_MAX_PAGE),
    'created[gte]': Math.floor(window.since.getTime() / 1000),
    'created[lt]': Math.ceil(window.until.getTime() / 1000),
    starting_after: window.cursor ?? undefined,
  });
  const charges = body.data;
  const events: PaymentEvent[] = [];
  for (const charge of charges) events.push(...eventsOfCharge(charge));
  return { events: eventsInWindow(events, window.since, window.until), cursor: str(charges.at(-1)?.id) ?? window.cursor, more: body.hasMore && charges.length > 0 };
}

function eventsOfCharge(charge: Obj): PaymentEvent[] {
  const id = str(charge.id);
  if (!id || charge.status !== 'succeeded') return [];
  const base = { object: 'event', created: charge.created, livemode: charge.livemode === true, data: { object: charge } };
  const out: PaymentEvent[] = [];
  try {
    out.push(normalizeStripeEvent({ ...base, id: `charge:${id}:succeeded`, type: 'charge.succeeded' }));
    const refunded = typeof charge.amount_refunded === 'number' ? charge.amount_refunded : 0;
    if (refunded > 0) out.push(normalizeStripeEvent({ ...base, id: `charge:${id}:refunded:${refunded}`, type: 'charge.refunded' }));
  } catch (e) {
    // Online charges are listed too: passed over.
    if (!(e instanceof IgnoredEventError)) throw e;
  }
  return out;
}

async function getCharges(credentials: StripeCredentials, ctx: SourceContext, qs: Record<string, string | number | undefined>): Promise<{ data: Obj[]; hasMore: boolean }> {
  if (!credentials.secretKey) {
    throw new CredentialFieldError('secretKey', 'reading Stripe history needs a secret API key', 'use a secret key, or a restricted key that may read Charges');
  }
  if (!ctx.http) throw new InputError('http', 'this engine gave the Stripe source no HTTP client', 'run the backfill from the CLI or the Temporal worker');
  let res: HttpResponse;
  try {
    res = await ctx.http.request({ method: 'GET', url: `${STRIPE_API_URL}/v1/charges`, headers: { authorization: `Bearer ${credentials.secretKey}`, accept: 'application/json' }, qs });
  } catch (e) {
    throw new StripeUnavailableError(`Stripe could not be reached to list charges: ${(e as Error).message}`);
  }
  const body = obj(res.body);
  const error = obj(body?.error);
  const reason = [str(error?.code), str(error?.message)].filter(Boolean).join(': ') || `HTTP ${res.status}`;
  if (res.status === 401) throw new CredentialFieldError('secretKey', `Stripe refused the secret key (${reason})`, 'use a current secret key, or a restricted key, of this Stripe account (Dashboard → Developers → API keys)');
  if (res.status === 403) throw new CredentialFieldError('secretKey', `the key may not read charges (${reason})`, 'give the restricted key read access to Charges, or use a secret key');
  if (res.status === 429 || res.status >= 500) throw new StripeUnavailableError(`Stripe answered ${res.status} to GET /v1/charges (${reason}); asked again on the retry`);
  if (res.status !== 200 || !body || !Array.isArray(body.data)) {
    if (str(error?.param) === 'starting_after') throw new InputError('cursor', `Stripe does not know the charge the backfill stopped at (${reason})`, 'start the backfill again with --restart');
    throw new InputError('list', `Stripe answered ${res.status} to GET /v1/charges: ${reason}`, 'check the Stripe credential');
  }
  return { data: body.data.map(obj).filter((c): c is Obj => !!c), hasMore: body.has_more === true };
}
