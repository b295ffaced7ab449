import { isIanaTimeZone } from '../../config/time-zone';
import type { HttpResponse } from '../../http/http-transport';
import { isRecord } from '../../json/json-values';
import { CrmRateLimitError } from './crm-errors';
import { accountFact, learntByAccount } from './learnt-by-account';
import { LeaseLostError, PacingDeadlineError } from './paced-transport';
import { zohoReason, zohoScopeMismatch, type ZohoCall } from './zoho-api';
import { ZOHO_ENV, type ZohoSettings } from './zoho-settings';

export interface OrgZone {
  /**
   * Awaited before a payment batch. While the zone is neither set nor known, asks Zoho (one request at a time,
   * through the adapter's own call: paced, signed and read like every other). Throws only what the batch would
   * meet too: a rate limit, or the drain's pacing deadline.
   */
  ready(): Promise<void>;
  /** The zone Closing_Date is the day in, as known now: the set one, the org's, else UTC. */
  timeZone(): string;
  /** Why dates are UTC days although the org's zone may be another, for an operator; undefined when they are not. */
  note(): string | undefined;
}

/** The org's zone as learnt; `why` when it is UTC for want of the org's. */
export interface LearntZone {
  timeZone: string;
  why?: string;
}

const UTC_DAYS = "Closing_Date is the UTC day of each payment, which may not be the Zoho org's day";
const SET_IT =
  "set the org's time zone, e.g. America/Los_Angeles, in the Zoho account's Time Zone field (the n8n credential, Node-RED's CRM account), " +
  `or ${ZOHO_ENV.timeZone} for the worker and the CLI`;

/**
 * The time zone a payment's Closing_Date is the calendar day in. Zoho keeps the date without a time and files it
 * under the org's day, so a sale at 18:30 in Los Angeles (01:30Z) belongs to that day, not the UTC one. A zone set
 * in the settings is the operator's word and Zoho is not asked. Unset, it is the org's own (Organization API,
 * `GET /crm/{version}/org`, `org[0].time_zone`; scope ZohoCRM.org.READ), read once before the first payment batch.
 * Zoho may name it by an abbreviation (IST, PST), which stands for different zones in different places: only an
 * IANA name is taken. Whatever Zoho does not give (a token without the scope, an abbreviation) leaves UTC, with a
 * note saying why; the sync never fails over it. What Zoho said is kept for the account (`accountKey`) as long as the
 * process lives, so the adapters n8n builds per execution ask once between them.
 */
export function orgZone(call: ZohoCall, settings: Pick<ZohoSettings, 'apiVersion' | 'timeZone'>, now: () => number, accountKey?: string): OrgZone {
  const set = settings.timeZone;
  if (set !== undefined) return { ready: () => Promise.resolve(), timeZone: () => set, note: () => undefined };
  const path = `/crm/${settings.apiVersion}/org`;
  const zone = accountFact<LearntZone>({
    learnt,
    accountKey,
    now,
    ask: async () => {
      const res = await call({ method: 'GET', url: path }, refusedForThisCall);
      const said = res.status >= 200 && res.status < 300 ? zoneOfOrg(res.body) : { timeZone: 'UTC', why: refusal(path, res) };
      return said ?? { askAgain: `Zoho answered GET ${path} without an org (${res.status})` };
    },
    passOn: (e) => e instanceof CrmRateLimitError || e instanceof PacingDeadlineError || e instanceof LeaseLostError,
    failedWith: (e) => `reading the org's time zone failed (${e instanceof Error ? e.message : String(e)})`,
  });
  return {
    ready: () => zone.ready(),
    timeZone: () => zone.known()?.timeZone ?? 'UTC',
    note() {
      const known = zone.known();
      const failed = zone.failed();
      const why = known ? known.why : failed && `${failed.why}; it is asked again from ${new Date(failed.askAt).toISOString()}`;
      return why === undefined ? undefined : `${UTC_DAYS}: ${why}; ${SET_IT}`;
    },
  };
}

/** What this process has learnt, by account (learnt-by-account.ts). */
const learnt = learntByAccount<LearntZone>();

/**
 * The zone in the org's details, `{org: [{time_zone, …}]}`: an IANA name, else UTC with why. Undefined when the
 * answer holds no org (a proxy's page), which is read again later.
 */
export function zoneOfOrg(body: unknown): LearntZone | undefined {
  const org = isRecord(body) && Array.isArray(body.org) && isRecord(body.org[0]) ? body.org[0] : undefined;
  if (!org) return undefined;
  const name = typeof org.time_zone === 'string' ? org.time_zone.trim() : '';
  if (isIanaTimeZone(name)) return { timeZone: name };
  return { timeZone: 'UTC', why: name ? `Zoho names the org's time zone "${name}", not an IANA name (an abbreviation may stand for several zones)` : "Zoho names no time zone for the org" };
}

/** A token without ZohoCRM.org.READ (401 OAUTH_SCOPE_MISMATCH), or a user Zoho denies the org's details (403). */
function refusedForThisCall(res: HttpResponse): boolean {
  return res.status === 403 || zohoScopeMismatch(res);
}

function refusal(path: string, res: HttpResponse): string {
  const scope = zohoScopeMismatch(res) ? ' — the refresh token was not granted ZohoCRM.org.READ, which reading the org\'s zone needs' : '';
  return `Zoho refused GET ${path} (${res.status}: ${zohoReason(res)})${scope}`;
}
