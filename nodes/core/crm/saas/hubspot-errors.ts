import type { HttpResponse } from '../../http/http-transport';
import type { CrmItemResult } from './crm-adapter';
import { CrmRateLimitError, CrmTransientError } from './crm-errors';
import { retryAfterMs } from '../../http/retry-after';
import { isRecord } from '../../json/json-values';
import { wallClock, zoneOffsetMinutes } from '../../format/zone-clock';

export const CRM = 'hubspot';

/**
 * HubSpot's error body (developers.hubspot.com/docs/api-reference/error-handling; SDK type `StandardError` in
 * HubSpot/hubspot-api-nodejs codegen/crm/contacts/models). Every field is optional in practice, as the docs warn.
 */
export interface HubSpotError {
  status?: string;
  message?: string;
  correlationId?: string;
  category?: string;
  subCategory?: unknown;
  context?: Record<string, string[] | undefined>;
  errors?: { message?: string; code?: string; in?: string; context?: Record<string, string[] | undefined> }[];
  /** 429 only: which limit was hit. */
  policyName?: string;
  errorType?: string;
}

export function asHubSpotError(body: unknown): HubSpotError {
  if (!isRecord(body)) return { message: typeof body === 'string' ? body.slice(0, 300) : undefined };
  // Read as documented, whatever came: a field of another type than HubSpot's is left out, never a TypeError.
  const e = body as HubSpotError;
  const text = (x: unknown) => (typeof x === 'string' ? x : undefined);
  return {
    ...e,
    message: text(e.message),
    category: text(e.category),
    policyName: text(e.policyName),
    context: isRecord(e.context) ? e.context : undefined,
    errors: Array.isArray(e.errors) ? e.errors.filter(isRecord).map((x) => ({ ...x, message: text(x.message), code: text(x.code), context: isRecord(x.context) ? (x.context as HubSpotError['context']) : undefined })) : undefined,
  };
}

/**
 * The burst limit HubSpot reports for the account on every answer but a search's (X-HubSpot-RateLimit-Max requests
 * per X-HubSpot-RateLimit-Interval-Milliseconds, for private and OAuth apps alike): 100 per 10 s on Free and
 * Starter, 110 for a public OAuth app, 190 on Professional and Enterprise.
 */
export function reportedLimits(res: HttpResponse): { requestsPerWindow: number; windowMs: number } | undefined {
  const max = Number(res.headers['x-hubspot-ratelimit-max']);
  const windowMs = Number(res.headers['x-hubspot-ratelimit-interval-milliseconds']);
  return Number.isInteger(max) && max > 0 && Number.isInteger(windowMs) && windowMs > 0 ? { requestsPerWindow: max, windowMs } : undefined;
}

/**
 * Where HubSpot's daily cap resets: at midnight in `timeZone`, an IANA zone or a fixed UTC offset (`-08:00`), and
 * `why` when that is not the account's own zone but a fallback (hubspot-account-zone.ts).
 */
export interface DailyReset {
  timeZone: string;
  why?: string;
}

/**
 * A 429's body names the limit (usage guidelines, "Error responses"): `DAILY` stops everything until midnight in the
 * account's time zone, so the outbox must stop and report rather than retry; `TEN_SECONDLY_ROLLING` and the
 * search API's `SECONDLY` pass within seconds. `reset` undefined: the account's zone is not known yet (HubSpot has
 * not said, or refused to for this same cap): the stop lasts to the next full hour, on which midnight falls in most
 * zones (at worst 45 minutes after it), rather than risk a day's wait in a wrong zone; one refused request an hour.
 */
export function readRateLimit(res: HttpResponse, reset: DailyReset | undefined, now: () => number): CrmRateLimitError | undefined {
  if (res.status !== 429) return undefined;
  const body = asHubSpotError(res.body);
  const policy = (body.policyName ?? '').toUpperCase();
  const message = body.message ?? 'rate limit reached';
  if (policy === 'DAILY' && !reset) {
    const text = `${message} The daily request cap resets at midnight in the HubSpot account's time zone, which HubSpot has not said yet; nothing more goes out until the next full hour, when it is asked again. Fix: set the account's time zone (HUBSPOT_ACCOUNT_TIME_ZONE, or accountTimeZone in the advanced settings) to wait exactly until its midnight.`;
    return new CrmRateLimitError(CRM, text, msUntilNextHour(now()), 'stop', policy);
  }
  if (policy === 'DAILY' && reset) {
    const zone = reset.why ? `${reset.timeZone}: ${reset.why}` : reset.timeZone;
    return new CrmRateLimitError(CRM, `${message} The daily request cap resets at midnight (${zone}); nothing more goes out until then.`, msUntilNextMidnight(now(), reset.timeZone), 'stop', policy);
  }
  // A rolling window frees a slot within about a second; HubSpot may say exactly when in Retry-After.
  const waitMs = retryAfterMs(res.headers, policy === 'TEN_SECONDLY_ROLLING' || policy === 'SECONDLY' ? 1_000 : 10_000, now());
  return new CrmRateLimitError(CRM, message, waitMs, 'wait', policy || undefined);
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** A fixed offset from UTC, as the account's zone when its name is unknown here: `+05:30`, `-08:00`. */
const UTC_OFFSET = /^([+-])(\d{2}):(\d{2})$/;

/**
 * Milliseconds from `at` to the next local midnight in `timeZone` (DST-safe: re-checks the offset at the target). A
 * fixed offset (`-08:00`) is worked out here, since not every Node version's Intl takes one.
 */
export function msUntilNextMidnight(at: number, timeZone: string): number {
  const fixed = UTC_OFFSET.exec(timeZone);
  if (fixed) {
    const local = at + (fixed[1] === '-' ? -1 : 1) * (Number(fixed[2]) * 60 + Number(fixed[3])) * 60_000;
    return Math.max(1_000, (Math.floor(local / DAY_MS) + 1) * DAY_MS - local);
  }
  // The next midnight as wall time, then the instant it is: the offset is asked again at that instant, since the
  // day may change its offset (daylight saving) before midnight.
  const local = wallClock(at, timeZone);
  const target = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() + 1);
  let utc = target - zoneOffsetMinutes(timeZone, target) * 60_000;
  utc = target - zoneOffsetMinutes(timeZone, utc) * 60_000;
  return Math.max(1_000, utc - at);
}

function msUntilNextHour(at: number): number {
  return Math.max(1_000, (Math.floor(at / HOUR_MS) + 1) * HOUR_MS - at);
}

/**
 * "Property values were not valid: [{…"name":"email"…}]" carries the offending property inside a JSON string; the
 * newer `errors[].context.propertyName` carries it too. Either names the field for the operator.
 */
export function propertyNamed(err: HubSpotError): string | undefined {
  for (const e of err.errors ?? []) {
    const name = e.context?.propertyName?.[0];
    if (name) return name;
  }
  const embedded = /Property values were not valid: (\[.*\])\s*$/s.exec(err.message ?? '');
  if (embedded) {
    try {
      const list = JSON.parse(embedded[1]!) as { name?: string }[];
      return list.find((x) => x.name)?.name;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** The property-level codes inside a validation error (PROPERTY_DOESNT_EXIST, INVALID_EMAIL, …). */
export function errorCodes(err: HubSpotError): string[] {
  const codes = (err.errors ?? []).map((e) => e.code).filter((c): c is string => !!c);
  const embedded = /Property values were not valid: (\[.*\])\s*$/s.exec(err.message ?? '');
  if (embedded) {
    try {
      for (const x of JSON.parse(embedded[1]!) as { error?: string }[]) if (x.error) codes.push(x.error);
    } catch {
      /* the message was cut or is not JSON: the codes from `errors` stay */
    }
  }
  return codes;
}

/** A readable reason: the innermost message HubSpot gives, which names the value and the rule it broke. */
export function reasonOf(err: HubSpotError): string {
  const embedded = /Property values were not valid: (\[.*\])\s*$/s.exec(err.message ?? '');
  if (embedded) {
    try {
      const list = JSON.parse(embedded[1]!) as { message?: string; localizedErrorMessage?: string }[];
      const messages = list.map((x) => x.message ?? x.localizedErrorMessage).filter(Boolean);
      if (messages.length > 0) return messages.join('; ');
    } catch {
      /* fall through to the outer message */
    }
  }
  return err.errors?.find((e) => e.message)?.message ?? err.message ?? `HubSpot answered ${err.category ?? 'an error'}`;
}

/**
 * One record's error as a per-item result. A CONFLICT names the contact that already holds this email ("Contact
 * already exists. Existing ID: 123"): linking the two is a person's decision, so it is `ambiguous`, not rejected.
 * A record HubSpot could not find (the customer is not synced yet) is worth retrying; content errors are not.
 */
export function itemResultFor(externalId: string, err: HubSpotError): CrmItemResult {
  const category = (err.category ?? '').toUpperCase();
  if (category === 'CONFLICT') {
    const existing = /Existing ID:\s*(\d+)/i.exec(err.message ?? '')?.[1];
    return { externalId, status: 'ambiguous', reason: reasonOf(err), candidates: existing ? [existing] : [] };
  }
  if (category === 'OBJECT_NOT_FOUND') {
    return { externalId, status: 'retry', error: new CrmTransientError(CRM, `${externalId}: ${reasonOf(err)} — it is retried once the record exists in HubSpot`) };
  }
  if (category === 'VALIDATION_ERROR' || category === 'INVALID_PARAMS' || category === '') {
    const field = propertyNamed(err);
    const reason = reasonOf(err);
    return field ? { externalId, status: 'rejected', reason, field } : { externalId, status: 'rejected', reason };
  }
  return { externalId, status: 'retry', error: new CrmTransientError(CRM, `${externalId}: ${err.category}: ${reasonOf(err)}`) };
}
