import type { CustomerProfile } from '../../contracts/customer';
import type { CrmChangedCustomers, CrmRemoteCustomer } from './crm-adapter';
import { CrmConfigError } from './crm-errors';
import { hubspotRequest, type HubSpotCall } from './hubspot-batch';
import { asHubSpotError, CRM, reasonOf } from './hubspot-errors';
import { PROFILE_FIELDS } from './hubspot-settings';
import { idText, objectBody, recordsAt, unreadableAnswer, type Answer } from './answer-shape';
import { isRecord } from '../../json/json-values';
import { resumeFrom } from './change-overlap';

/**
 * The CRM search API's own limits (Search the CRM → Limits): 5 requests per second per account, separate from
 * the 190-per-10-s burst limit and without the X-HubSpot-RateLimit headers; at most 200 results a page (100 here,
 * the older documented maximum, which every account accepts); no query can page past 10,000 results (a 400); and
 * only one sorting rule can be applied to any search (Sort search results).
 */
export const SEARCH_MIN_INTERVAL_MS = 200;
export const SEARCH_PAGE_MAX = 100;
/**
 * How long a contact's change may take to reach search results after its lastmodifieddate. The search API reads an
 * index that catches up with writes after a while: integrators report changes taking "several seconds to propagate
 * to the search indexing" (Locoia's HubSpot connector notes) and that "the Search API is eventually consistent"
 * (Sequin, building a sync on HubSpot's API); HubSpot's reference states no bound. A caught-up listing keeps its
 * cursor this far before HubSpot's answer (change-overlap.ts), well beyond seconds.
 */
export const SEARCH_LAG_MS = 5 * 60_000;

export interface Pacer {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

/**
 * The cursor is a time, not a page, so no query ever pages: each starts at its first result, and HubSpot's
 * 10,000-results cap is never reached.
 *
 * - `hs1:<since>`: contacts with lastmodifieddate at or after `since` (ms), by lastmodifieddate. Each page restarts
 *   at the last time seen, so a contact edited between two pages (it moves to a later time) is read there, and
 *   those at that time come again, which the local copy takes as the same update.
 * - `hs2:<since>:<id>`: a whole page fell within one millisecond (a bulk import touching thousands at once), which
 *   restarting by time cannot get past. Within that millisecond the contacts are read by id instead
 *   (lastmodifieddate GTE and LTE `since` AND hs_object_id GT `id`, sorted by hs_object_id: one sorting rule, as
 *   HubSpot allows), as many as there are, then on by time from `since` + 1. A contact edited meanwhile leaves that
 *   millisecond for a later one and is read there.
 * - Caught up, the cursor is `hs1:` the newest change read, but never later than SEARCH_LAG_MS before HubSpot
 *   answered: the next listing reads that window again, so a contact the index showed late is read then.
 * - `hs1:<since>:<after>`, written by earlier versions (HubSpot's offset within that millisecond), resumes as
 *   `hs2:<since>:0`: that millisecond read again by id, from its first contact.
 */
interface Cursor {
  since: number;
  /** Set while reading one millisecond by id: the last contact id read ("0" before the first). */
  afterId?: string;
}

export function encodeCursor(c: Cursor): string {
  return c.afterId !== undefined ? `hs2:${c.since}:${c.afterId}` : `hs1:${c.since}`;
}

export function decodeCursor(cursor: string | null): Cursor {
  if (cursor === null || cursor === '') return { since: 0 };
  const byId = /^hs2:(\d+):(\d+)$/.exec(cursor);
  if (byId) return { since: Number(byId[1]), afterId: byId[2]! };
  // An offset from earlier versions (HubSpot's `paging.next.after`, a number or an opaque token) cannot be turned
  // into an id: the millisecond it stepped through is read again by id, from its start.
  const m = /^hs1:(\d+)(?::(.+))?$/.exec(cursor);
  if (!m) throw new CrmConfigError(CRM, `"${cursor}" is not a HubSpot change cursor; start again from null`);
  return m[2] ? { since: Number(m[1]), afterId: '0' } : { since: Number(m[1]) };
}

export function createSearchPacer(p: Pacer): () => Promise<void> {
  let last = -Infinity;
  return async () => {
    const wait = last + SEARCH_MIN_INTERVAL_MS - p.now();
    if (wait > 0) await p.sleep(wait);
    last = p.now();
  };
}

interface SearchResult {
  id: string;
  properties?: Record<string, string | null>;
  updatedAt?: string;
}

/**
 * One page of contacts changed since the cursor, oldest change first. `more` is false when HubSpot has no further
 * page now; `next` is then where the next listing starts (the lag window before HubSpot's answer comes again).
 */
export async function changedContacts(call: HubSpotCall, pace: () => Promise<void>, cursor: string | null, limit: number): Promise<CrmChangedCustomers> {
  const s = call.settings;
  const c = decodeCursor(cursor);
  const pageSize = Math.max(1, Math.min(SEARCH_PAGE_MAX, Math.floor(limit) || SEARCH_PAGE_MAX));
  const mapped = PROFILE_FIELDS.map((f) => [f, s.contactFields[f]] as const).filter((x): x is readonly [(typeof PROFILE_FIELDS)[number], string] => !!x[1]);
  const properties = [...new Set([...mapped.map(([, p]) => p), ...(s.contactIdProperty === 'email' ? [] : [s.contactIdProperty]), 'lastmodifieddate'])];
  const byId = c.afterId !== undefined;
  await pace();
  const res = await hubspotRequest(call, {
    method: 'POST',
    url: '/crm/v3/objects/contacts/search',
    body: {
      filterGroups: [{
        // That one millisecond as GTE and LTE: the comparisons the time filter already relies on, both inclusive.
        filters: byId
          ? [
              { propertyName: 'lastmodifieddate', operator: 'GTE', value: String(c.since) },
              { propertyName: 'lastmodifieddate', operator: 'LTE', value: String(c.since) },
              { propertyName: 'hs_object_id', operator: 'GT', value: c.afterId },
            ]
          : [{ propertyName: 'lastmodifieddate', operator: 'GTE', value: String(c.since) }],
      }],
      sorts: [{ propertyName: byId ? 'hs_object_id' : 'lastmodifieddate', direction: 'ASCENDING' }],
      properties,
      limit: pageSize,
      // Required by HubSpot's spec (PublicObjectSearchRequest); "0" is the first result, and every query starts there.
      after: '0',
    },
  });
  if (res.status !== 200) {
    throw new CrmConfigError(CRM, `contact search answered ${res.status}: ${reasonOf(asHubSpotError(res.body))}`);
  }
  const answer: Answer = { crm: CRM, vendor: 'HubSpot', req: { method: 'POST', url: '/crm/v3/objects/contacts/search' }, res, then: 'the same page is asked for again' };
  const body = objectBody(answer) as { results?: unknown; paging?: { next?: { after?: string } } };
  const results = recordsAt(answer, body.results, 'a results list') as unknown as SearchResult[];
  const customers = results.map((r): CrmRemoteCustomer => {
    const crmId = idText(r.id);
    if (!crmId) throw unreadableAnswer(answer, 'with a contact without an id');
    const p = isRecord(r.properties) ? r.properties : {};
    const profile: CustomerProfile = {};
    for (const [field, property] of mapped) {
      const value = p[property];
      if (value !== null && value !== undefined && value !== '') profile[field] = value;
    }
    const externalId = s.contactIdProperty === 'email' ? undefined : p[s.contactIdProperty] || undefined;
    const updatedAt = p.lastmodifieddate ?? r.updatedAt ?? new Date(0).toISOString();
    return externalId ? { crmId, externalId, profile, updatedAt } : { crmId, profile, updatedAt };
  });
  const more = !!body.paging?.next?.after && results.length > 0;
  if (byId) {
    // That millisecond read to its last contact: on by time from the next one.
    if (!more) return { customers, next: encodeCursor({ since: c.since + 1 }), more: true };
    // hs_object_id is a number: the GT filter compares it as one.
    const lastId = customers[customers.length - 1]!.crmId;
    if (!/^\d+$/.test(lastId)) throw unreadableAnswer(answer, `with a contact id "${lastId}" that is not a number`);
    return { customers, next: encodeCursor({ since: c.since, afterId: lastId }), more: true };
  }
  if (!more) {
    const newest = customers.reduce((at, r) => Math.max(at, Date.parse(r.updatedAt) || 0), c.since);
    return { customers, next: encodeCursor({ since: Math.max(0, resumeFrom(newest, res, SEARCH_LAG_MS)) }), more: false };
  }
  const firstSeen = Date.parse(customers[0]!.updatedAt);
  const lastSeen = Date.parse(customers[customers.length - 1]!.updatedAt);
  if (lastSeen > firstSeen) return { customers, next: encodeCursor({ since: lastSeen }), more: true };
  // A whole page within one millisecond, and nothing changed between `since` and it: that millisecond is read by id
  // from its first contact (this page's, in no order HubSpot documents for equal times, come again).
  return { customers, next: encodeCursor({ since: Number.isFinite(lastSeen) ? lastSeen : c.since, afterId: '0' }), more: true };
}
