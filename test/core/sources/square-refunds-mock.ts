import type nockApi from 'nock' with { 'resolution-mode': 'import' };
import { serialization } from 'square';
import { sdkJson, type RefundRaw } from './square-sdk-bodies';

type Scope = ReturnType<typeof nockApi>;

/** What a ListPaymentRefunds mock saw: each query asked (cursor included) and the id of each refund it answered with. */
export interface RefundListing {
  asked: Record<string, string>[];
  served: string[];
  /** Refunds created but not listed yet (Square's listing is eventually consistent): left out until taken out of here. */
  unlisted: Set<string>;
}

/**
 * ListPaymentRefunds (GET /v2/refunds) as Square's reference describes it, over `refunds` (every one a card
 * payment's): `begin_time` and `end_time` select on each refund's `created_at` (begin inclusive; end by default the
 * current time, `now()`), `location_id` narrows to a location, `sort_order` orders by `created_at` (DESC unless ASC),
 * `limit` is at most and by default 100, and a `cursor` continues only "the original query" it came from (another
 * query with it is refused, INVALID_CURSOR). Answers are written by the SDK (ListPaymentRefundsResponse). Persists on
 * `scope` until the test's scopes are cleared.
 */
export function serveSquareRefunds(scope: Scope, refunds: readonly RefundRaw[], now: () => Date): RefundListing {
  const listing: RefundListing = { asked: [], served: [], unlisted: new Set() };
  scope.persist().get('/v2/refunds').query(true).reply((request: Request) => {
    const q = Object.fromEntries(new URL(request.url).searchParams);
    listing.asked.push(q);
    const { cursor, ...query } = q;
    const key = JSON.stringify(Object.entries(query).sort());
    let offset = 0;
    if (cursor !== undefined) {
      const c = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as { key: string; offset: number };
      if (c.key !== key) return [400, { errors: [{ category: 'INVALID_REQUEST_ERROR', code: 'INVALID_CURSOR', detail: 'The cursor does not continue this query.' }] }];
      offset = c.offset;
    }
    const begin = query.begin_time ? Date.parse(query.begin_time) : now().getTime() - 365 * 86_400_000;
    const end = query.end_time ? Date.parse(query.end_time) : now().getTime();
    const limit = Math.min(Number(query.limit ?? 100) || 100, 100);
    const selected = refunds
      .filter((r) => !listing.unlisted.has(r.id))
      .filter((r) => Date.parse(r.created_at!) >= begin && Date.parse(r.created_at!) <= end)
      .filter((r) => query.location_id === undefined || r.location_id === query.location_id)
      .sort((a, b) => (Date.parse(a.created_at!) - Date.parse(b.created_at!)) * (query.sort_order === 'ASC' ? 1 : -1));
    const page = selected.slice(offset, offset + limit);
    listing.served.push(...page.map((r) => r.id));
    const more = offset + limit < selected.length;
    const next = more ? Buffer.from(JSON.stringify({ key, offset: offset + limit })).toString('base64url') : null;
    return [200, sdkJson(serialization.ListPaymentRefundsResponse, { errors: null, refunds: page, cursor: next } satisfies serialization.ListPaymentRefundsResponse.Raw)];
  });
  return listing;
}
