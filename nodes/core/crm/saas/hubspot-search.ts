import type { CustomerProfile } from '../../contracts/customer';
import type { CrmChangedCustomers, CrmRemoteCustomer } from './crm-adapter';
import { CrmConfigError } from './crm-errors';
import { hubspotRequest, type HubSpotCall } from './hubspot-batch';
import { asHubSpotError, CRM, reasonOf } from './hubspot-errors';
import { PROFILE_FIELDS } from './hubspot-settings';
import { idText, objectBody, recordsAt, unreadableAnswer, type Answer } from './answer-shape';
import { isRecord } from '../../json/json-values';

/**
 * The CRM search API's own limits (Search the CRM → Limitations): 5 requests per second per account, separate from
 * the 190-per-10-s burst limit and without the X-HubSpot-RateLimit headers; at most 200 results a page (100 here,
 * the older documented maximum, which every account accepts); and no query can page past 10,000 results.
 */
export const SEARCH_MIN_INTERVAL_MS = 200;
export const SEARCH_PAGE_MAX = 100;
export const SEARCH_RESULT_CAP = 10_000;

export interface Pacer {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

/**
 * The cursor is a time, not a page: `since` (lastmodifieddate, ms) and, only while stepping through records that
 * all share that same millisecond, HubSpot's `after` offset. Paging by offset alone would skip a contact edited
 * between two pages (it moves to the end and shifts everything behind it) and stops dead at 10,000 results;
 * restarting each page at the last timestamp seen does neither. Records at that timestamp come again, which the
 * local copy takes as the same update.
 */
interface Cursor {
  since: number;
  after?: string;
}

export function encodeCursor(c: Cursor): string {
  return c.after ? `hs1:${c.since}:${c.after}` : `hs1:${c.since}`;
}

export function decodeCursor(cursor: string | null): Cursor {
  if (cursor === null || cursor === '') return { since: 0 };
  // HubSpot's `paging.next.after` is an opaque token (its spec's example: "NTI1Cg%3D%3D"), handed back as it is.
  const m = /^hs1:(\d+)(?::(.+))?$/.exec(cursor);
  if (!m) throw new CrmConfigError(CRM, `"${cursor}" is not a HubSpot change cursor; start again from null`);
  return m[2] ? { since: Number(m[1]), after: m[2] } : { since: Number(m[1]) };
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
 * One page of contacts changed since the cursor, oldest change first. `next` is null when HubSpot has no further
 * page now; the caller keeps the last cursor it was given and resumes from it (at most one page comes again).
 */
export async function changedContacts(call: HubSpotCall, pace: () => Promise<void>, cursor: string | null, limit: number): Promise<CrmChangedCustomers> {
  const s = call.settings;
  const c = decodeCursor(cursor);
  const pageSize = Math.max(1, Math.min(SEARCH_PAGE_MAX, Math.floor(limit) || SEARCH_PAGE_MAX));
  const mapped = PROFILE_FIELDS.map((f) => [f, s.contactFields[f]] as const).filter((x): x is readonly [(typeof PROFILE_FIELDS)[number], string] => !!x[1]);
  const properties = [...new Set([...mapped.map(([, p]) => p), ...(s.contactIdProperty === 'email' ? [] : [s.contactIdProperty]), 'lastmodifieddate'])];
  await pace();
  const res = await hubspotRequest(call, {
    method: 'POST',
    url: '/crm/v3/objects/contacts/search',
    body: {
      filterGroups: [{ filters: [{ propertyName: 'lastmodifieddate', operator: 'GTE', value: String(c.since) }] }],
      sorts: [{ propertyName: 'lastmodifieddate', direction: 'ASCENDING' }],
      properties,
      limit: pageSize,
      // Required by HubSpot's spec (PublicObjectSearchRequest); "0" is the first result.
      after: c.after ?? '0',
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
  const after = body.paging?.next?.after;
  if (!after || results.length === 0) return { customers, next: null, more: false };
  const lastSeen = Date.parse(customers[customers.length - 1]!.updatedAt);
  if (Number.isFinite(lastSeen) && lastSeen > c.since) return { customers, next: encodeCursor({ since: lastSeen }), more: true };
  // A whole page within one millisecond (a bulk import): step by offset, and past the 10,000 cap move on by 1 ms.
  // An offset HubSpot gives as a number is checked against the cap; an opaque token is followed as it is.
  if (/^\d+$/.test(after) && Number(after) + pageSize > SEARCH_RESULT_CAP) return { customers, next: encodeCursor({ since: c.since + 1 }), more: true };
  return { customers, next: encodeCursor({ since: c.since, after }), more: true };
}
