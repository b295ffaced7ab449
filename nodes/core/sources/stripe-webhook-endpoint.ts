import Stripe from 'stripe';
import { InputError } from '../errors';
import { CredentialFieldError } from './credential-error';

/**
 * Registering a webhook endpoint in the operator's Stripe account, for triggers that hold a secret API key.
 * Stripe shows an endpoint's signing secret only in the answer to its creation, so the caller must keep it.
 */
export interface RegisteredStripeEndpoint {
  id: string;
  url: string;
  secret: string;
  events: string[];
}

/** Marks the endpoints this pack created, so it only ever deletes its own. */
export const ENDPOINT_MARKER = { created_by: 'terminal-crm' } as const;

export interface StripeClientOptions {
  /** For tests and proxies; the default is Stripe's own API host. */
  host?: string;
  port?: number;
  protocol?: 'http' | 'https';
}

function client(apiKey: string, options: StripeClientOptions = {}): Stripe {
  if (!apiKey.trim()) {
    throw new CredentialFieldError('secretKey', 'no Stripe secret API key is set', 'paste a secret key (sk_…) or restricted key (rk_…)');
  }
  return new Stripe(apiKey.trim(), { maxNetworkRetries: 1, timeout: 20_000, appInfo: { name: 'terminal-crm' }, ...options });
}

/** Stripe's errors name the HTTP status; turn the ones an operator can fix into InputErrors. */
function explain(error: unknown, doing: string): never {
  const e = error as { type?: string; statusCode?: number; message?: string };
  if (e?.type === 'StripeAuthenticationError' || e?.statusCode === 401) {
    throw new CredentialFieldError('secretKey', `Stripe refused the API key while ${doing}`, 'paste a valid secret key (sk_live_…/sk_test_…) from Stripe Dashboard → Developers → API keys');
  }
  if (e?.type === 'StripePermissionError' || e?.statusCode === 403) {
    throw new CredentialFieldError('secretKey', `the API key may not manage webhook endpoints (${doing})`, 'use a secret key, or a restricted key with "Webhook Endpoints: Write" permission');
  }
  throw error;
}

const sameEvents = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));

/**
 * Creates an endpoint for `url` listening to `events`. Endpoints this pack created earlier for the same URL are
 * deleted first: their signing secrets are lost, so they could only deliver events that fail verification.
 */
export async function registerStripeEndpoint(
  apiKey: string,
  url: string,
  events: readonly string[],
  description: string,
  options: StripeClientOptions = {},
): Promise<RegisteredStripeEndpoint> {
  if (events.length === 0) {
    throw new InputError('events', 'no event type is selected', 'select at least one event type in the trigger');
  }
  const stripe = client(apiKey, options);
  try {
    for await (const old of stripe.webhookEndpoints.list({ limit: 100 })) {
      if (old.url === url && old.metadata?.created_by === ENDPOINT_MARKER.created_by) await stripe.webhookEndpoints.del(old.id);
    }
    const created = await stripe.webhookEndpoints.create({ url, enabled_events: [...events] as Stripe.WebhookEndpointCreateParams.EnabledEvent[], description, metadata: { ...ENDPOINT_MARKER } });
    if (!created.secret) throw new Error(`Stripe created webhook endpoint ${created.id} but returned no signing secret`);
    return { id: created.id, url: created.url, secret: created.secret, events: created.enabled_events };
  } catch (e) {
    explain(e, 'registering the webhook endpoint');
  }
}

/** True when the endpoint still exists, is enabled, points at `url` and listens to exactly `events`. */
export async function stripeEndpointIsCurrent(
  apiKey: string,
  id: string,
  url: string,
  events: readonly string[],
  options: StripeClientOptions = {},
): Promise<boolean> {
  const stripe = client(apiKey, options);
  try {
    const endpoint = await stripe.webhookEndpoints.retrieve(id);
    return endpoint.url === url && endpoint.status === 'enabled' && sameEvents(endpoint.enabled_events, events);
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode === 404) return false;
    explain(e, 'checking the webhook endpoint');
  }
}

/** Deletes the endpoint; an endpoint someone already deleted in the Dashboard counts as done. */
export async function deleteStripeEndpoint(apiKey: string, id: string, options: StripeClientOptions = {}): Promise<'deleted' | 'already-gone'> {
  const stripe = client(apiKey, options);
  try {
    await stripe.webhookEndpoints.del(id);
    return 'deleted';
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode === 404) return 'already-gone';
    explain(e, 'deleting the webhook endpoint');
  }
}
