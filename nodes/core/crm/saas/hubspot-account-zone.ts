import { isTimeZone } from '../../config/time-zone';
import { isRecord } from '../../json/json-values';
import { callCrm, describeBody } from './call-crm';
import { CrmRateLimitError } from './crm-errors';
import type { HubSpotCall } from './hubspot-batch';
import { asHubSpotError, CRM, readRateLimit, reasonOf, type DailyReset } from './hubspot-errors';
import { accountFact, learntByAccount } from './learnt-by-account';
import { LeaseLostError, PacingDeadlineError } from './paced-transport';

/**
 * HubSpot's account details: `timeZone` (the account's setting, e.g. "US/Eastern"), `utcOffsetMilliseconds`,
 * `portalId`, `companyCurrency`… (Account information API, "Retrieve account details"). Its documented scope is
 * `oauth`, which the pack's n8n OAuth2 credential asks for; an app without it is answered 403 MISSING_SCOPES.
 */
export const ACCOUNT_INFO_PATH = '/account-info/v3/details';

export { ASK_AGAIN_AFTER_MS } from './learnt-by-account';

export interface AccountZone {
  /**
   * Awaited before each adapter call. While the zone is not known, asks HubSpot (one request at a time, through the
   * adapter's own transport, so it is paced and authenticated like every other). Throws only what the batch would
   * meet too: a rate limit (the daily cap stops the batch before it goes out) or the drain's pacing deadline.
   */
  ready(): Promise<void>;
  /** Where the daily cap resets, as known now; undefined while HubSpot has not said (see readRateLimit). */
  dailyReset(): DailyReset | undefined;
}

/**
 * The time zone HubSpot's daily cap resets in. A zone set in the settings is the operator's word and is used as it
 * is. Unset, it is HubSpot's own account setting, read once before the adapter's first batch: after the first DAILY
 * 429 would be too late, since HubSpot then refuses this request too. A reading HubSpot refuses for good (a 403, a
 * 404 at a proxy) falls back to UTC, and says so in the DAILY stop's message; the sync never fails over it.
 */
export function accountZone(call: Omit<HubSpotCall, 'dailyReset'>, accountKey?: string): AccountZone {
  const set = call.settings.accountTimeZone;
  if (set !== undefined) {
    const reset = { timeZone: set };
    return { ready: () => Promise.resolve(), dailyReset: () => reset };
  }
  const zone = accountFact<DailyReset>({
    learnt,
    accountKey,
    now: call.now,
    ask: async () => {
      // A 403 (a scope the app lacks) comes back to be read here: it is about this call, not the credential.
      const res = await callCrm(CRM, call.http, { method: 'GET', url: ACCOUNT_INFO_PATH, timeoutMs: call.settings.timeoutMs }, {
        rateLimit: (r) => readRateLimit(r, undefined, call.now),
        recordForbidden: (_req, r) => r.status === 403,
      });
      if (res.status >= 200 && res.status < 300) return zoneOf(res.body);
      if (res.status === 423 || res.status === 477) return { askAgain: `HubSpot answered ${res.status} on GET ${ACCOUNT_INFO_PATH}` };
      return { timeZone: 'UTC', why: `HubSpot did not give the account's time zone (${res.status} on GET ${ACCOUNT_INFO_PATH}: ${refusal(res.body)}); set it (HUBSPOT_ACCOUNT_TIME_ZONE, or accountTimeZone) if the account's is another` };
    },
    passOn: (e) => e instanceof CrmRateLimitError || e instanceof PacingDeadlineError || e instanceof LeaseLostError,
    failedWith: (e) => (e instanceof Error ? e.message : String(e)),
  });
  return { ready: () => zone.ready(), dailyReset: () => zone.known() };
}

/** What this process has learnt, by account (learnt-by-account.ts). */
const learnt = learntByAccount<DailyReset>();

/**
 * The zone in HubSpot's answer. A name this runtime's Intl does not know is replaced by the offset HubSpot gives
 * with it (right until the account's next daylight-saving change), and with neither by UTC; `why` says which.
 */
export function zoneOf(body: unknown): DailyReset {
  const details = isRecord(body) ? body : {};
  const name = typeof details.timeZone === 'string' ? details.timeZone.trim() : '';
  if (name && isTimeZone(name)) return { timeZone: name };
  const offset = details.utcOffsetMilliseconds;
  const named = name ? `HubSpot's time zone "${name}" is unknown to this runtime` : 'HubSpot named no time zone';
  if (typeof offset === 'number' && Number.isInteger(offset) && offset % 60_000 === 0 && Math.abs(offset) <= 14 * 3_600_000) {
    return { timeZone: offsetText(offset), why: `${named}; its UTC offset, which moves with daylight saving, as HubSpot gave it` };
  }
  return { timeZone: 'UTC', why: `${named}, nor a UTC offset; set it (HUBSPOT_ACCOUNT_TIME_ZONE, or accountTimeZone)` };
}

/** -28800000 → "-08:00". */
function offsetText(ms: number): string {
  const minutes = Math.abs(ms) / 60_000;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${ms < 0 ? '-' : '+'}${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}

/** HubSpot's reason, with the scopes a MISSING_SCOPES answer names (`errors[].context.requiredScopes`). */
function refusal(body: unknown): string {
  const err = asHubSpotError(body);
  if (!err.category && !err.message) return describeBody(body);
  const scopes = (err.errors ?? []).flatMap((e) => [...(e.context?.requiredScopes ?? []), ...(e.context?.requiredGranularScopes ?? [])]);
  return `${err.category ? `${err.category}: ` : ''}${err.message ?? reasonOf(err)}${scopes.length ? ` (scopes: ${scopes.join(', ')})` : ''}`.slice(0, 400);
}
