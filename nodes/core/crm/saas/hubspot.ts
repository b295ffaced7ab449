import { axiosTransport } from '../../http/axios-transport';
import { requestOAuth2Token } from '../../http/oauth2-token';
import { TokenCache } from '../../http/token-cache';
import type { HttpTransport } from '../../http/http-transport';
import type { CrmAdapter, CrmAdapterContext } from './crm-adapter';
import { tokenFailure } from './crm-errors';
import { accountZone } from './hubspot-account-zone';
import { CRM, reportedLimits } from './hubspot-errors';
import { HUBSPOT_ASSOCIATIONS_PER_REQUEST, HUBSPOT_BATCH_SIZE, type HubSpotCall } from './hubspot-batch';
import { updateContactFields, upsertContacts } from './hubspot-contacts';
import { upsertPayments } from './hubspot-payments';
import { changedContacts, createSearchPacer, type Pacer } from './hubspot-search';
import { parseHubSpotSettings, type HubSpotSettings, type HubSpotSettingsInput } from './hubspot-settings';

export { parseHubSpotSettings, type HubSpotSettings, type HubSpotSettingsInput } from './hubspot-settings';
export { hubspotSettingsFromEnv, HUBSPOT_ENV } from './hubspot-env';

/**
 * HubSpot behind the CRM port: contacts by batch upsert on the pack's customer id, payments as deals (see
 * hubspot-settings.ts for why) keyed by the payment key and associated to the contact, segment and loyalty
 * fields as contact property updates, and changed contacts from the CRM search API.
 */
/** `accountKey`: names the account (crm-from-credentials.ts), so what is learnt of it serves every adapter of it. */
export function createHubSpotAdapter(ctx: CrmAdapterContext<HubSpotSettings | HubSpotSettingsInput> & { pacer?: Partial<Pacer>; accountKey?: string }): CrmAdapter {
  const settings = isParsed(ctx.settings) ? ctx.settings : parseHubSpotSettings(ctx.settings);
  const now = ctx.pacer?.now ?? Date.now;
  // The daily cap resets at the account's midnight: learnt before the first batch unless set (hubspot-account-zone.ts).
  const zone = accountZone({ http: ctx.http, settings, now }, ctx.accountKey);
  const call: HubSpotCall = { http: ctx.http, settings, now, dailyReset: zone.dailyReset };
  const pace = createSearchPacer({ now, sleep: ctx.pacer?.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))) });
  const zoneFirst = <A extends unknown[], R>(f: (...args: A) => Promise<R>) => async (...args: A): Promise<R> => {
    await zone.ready();
    return f(...args);
  };
  return {
    name: 'hubspot',
    // Private apps on Professional/Enterprise: 190 requests per rolling 10 s (plus a daily cap, reported as 'stop').
    // The search API has its own 5 per second, which changedCustomers keeps by itself.
    // New deals are created with their association (100 a request); the others go ten upsert batches to a call, so
    // one association request serves 1,000 of them (hubspot-payments.ts).
    limits: { batchSize: HUBSPOT_BATCH_SIZE, recordsPerCall: { payment: HUBSPOT_ASSOCIATIONS_PER_REQUEST }, requestsPerWindow: settings.requestsPerTenSeconds, windowMs: 10_000 },
    upsertCustomers: zoneFirst((batch) => upsertContacts(call, batch)),
    upsertPayments: zoneFirst((batch) => upsertPayments(call, batch)),
    updateFields: zoneFirst((batch) => updateContactFields(call, batch)),
    changedCustomers: zoneFirst((cursor, limit) => changedContacts(call, pace, cursor, limit)),
    // An account on a smaller plan, or a public OAuth app, is allowed less than the setting: its answers say how much.
    limitsFrom: reportedLimits,
  };
}

function isParsed(s: unknown): s is HubSpotSettings {
  const x = s as HubSpotSettings | undefined;
  return !!x && typeof x === 'object' && typeof x.contactFields === 'object' && typeof x.payments?.fields === 'object' && typeof x.payments?.stages === 'object';
}

/**
 * HTTP outside n8n. A private app token is sent as it is (it does not expire; a 401 means it was revoked, which
 * no refresh cures). An OAuth app's access token (30 minutes) is fetched with the refresh-token grant, cached
 * until shortly before it expires and shared by concurrent calls; a 401 renews it once.
 */
export function hubspotAxiosTransport(settings: HubSpotSettings, now: () => number = Date.now): HttpTransport {
  const base = { baseUrl: settings.baseUrl, timeoutMs: settings.timeoutMs };
  const auth = settings.auth;
  if (auth.type === 'privateApp') return axiosTransport({ ...base, auth: { header: 'authorization', value: `Bearer ${auth.accessToken}` } });
  // The date-versioned OAuth API: HubSpot retires /oauth/v1/token on 16 February 2027 (its migration guide).
  const tokenUrl = auth.tokenUrl ?? `${settings.baseUrl.replace(/\/+$/, '')}/oauth/2026-03/token`;
  const plain = axiosTransport({ timeoutMs: settings.timeoutMs });
  const grant = { grant: 'refresh_token', clientId: auth.clientId, clientSecret: auth.clientSecret, refreshToken: auth.refreshToken } as const;
  const tokens = new TokenCache(async () => {
    try {
      return await requestOAuth2Token(plain, tokenUrl, grant, now());
    } catch (e) {
      // A refused refresh token (uninstalled app, rotated secret) needs an operator, like any refused credential.
      throw tokenFailure(CRM, e, 'reconnect the HubSpot app and set a new refresh token (HUBSPOT_REFRESH_TOKEN)');
    }
  }, now);
  return axiosTransport({ ...base, auth: { tokens } });
}
