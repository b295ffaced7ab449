import type { HttpRequest, HttpResponse, HttpTransport } from '../../http/http-transport';
import { callCrm, describeBody } from './call-crm';
import { readPipedriveRateLimit } from './pipedrive-rate-limit';
import { listAt, objectBody, unreadableAnswer, type Answer } from './answer-shape';
import { isRecord } from '../../json/json-values';

/** One Pipedrive request under the shared rules (401 refresh, 5xx transient) and Pipedrive's reading of 429. */
export type PipedriveCall = (req: HttpRequest) => Promise<HttpResponse>;

export function pipedriveCaller(http: HttpTransport, now: () => number = Date.now): PipedriveCall {
  return (req) => callCrm('pipedrive', http, req, { rateLimit: (res) => readPipedriveRateLimit(res, now), recordForbidden });
}

/**
 * Pipedrive answers 403 on a write for reasons of that record or the plan, not the token: a deal in a pipeline the
 * API user cannot see, a visibility the user may not give, the plan's open-deals cap ("feature_capping_…"). Those
 * come back to the adapter with Pipedrive's sentence; a 403 on a read, or about the OAuth scope, is the credential.
 */
function recordForbidden(req: HttpRequest, res: HttpResponse): boolean {
  const e = envelopeOf<unknown>(res);
  return req.method !== 'GET' && e.success === false && typeof e.error === 'string' && !/scope/i.test(e.error);
}

/**
 * Every Pipedrive answer is this envelope (API reference, "Responses"): `success`, `data`, paging in
 * `additional_data`; an error puts its sentence in `error` (v2 adds a `code` such as ERR_SCHEMA_VALIDATION_FAILED).
 */
export interface PipedriveEnvelope<T> {
  success?: boolean;
  data?: T | null;
  additional_data?: { next_cursor?: string | null } | null;
  error?: string;
  error_info?: string;
  code?: string;
}

export function envelopeOf<T>(res: HttpResponse): PipedriveEnvelope<T> {
  return res.body && typeof res.body === 'object' ? (res.body as PipedriveEnvelope<T>) : {};
}

/** Pipedrive's own sentence for a refused request, for the operator. */
export function pipedriveReason(res: HttpResponse): string {
  const e = envelopeOf<unknown>(res);
  if (typeof e.error === 'string' && e.error) return e.code ? `${e.error} (${e.code})` : e.error;
  return `HTTP ${res.status}: ${describeBody(res.body)}`;
}

export const isOk = (res: HttpResponse) => res.status >= 200 && res.status < 300 && envelopeOf(res).success !== false;

/** A v2 person (GET /api/v2/persons, /persons/{id}): the fields this adapter reads. */
export interface PipedrivePerson {
  id: number;
  name?: string | null;
  first_name?: string | null;
  last_name?: string | null;
  emails?: { value?: string; primary?: boolean; label?: string }[] | null;
  phones?: { value?: string; primary?: boolean; label?: string }[] | null;
  add_time?: string;
  update_time?: string | null;
  is_deleted?: boolean;
  custom_fields?: Record<string, unknown> | null;
}

/** One hit of /api/v2/persons/search or /api/v2/deals/search (SDK: GetPersonSearchResponseAllOfDataItemsInner). */
export interface PipedriveSearchItem {
  result_score?: number;
  item?: { id?: number; type?: string; custom_fields?: string[]; emails?: string[] };
}

/** v1 itemSearch, which the v2 search endpoints wrap, documents exact_match only for terms of 30 characters or less. */
const EXACT_MATCH_MAX = 30;

/** What a search looks in: one custom field (by its key) or the email addresses. */
export type SearchField = { field: 'custom_fields'; key: string } | { field: 'email' };

/**
 * Ids of the items whose custom field (or email) holds exactly `term`. Search is fuzzy by nature, so a hit only
 * counts when the value it matched is the term itself; a term too long for exact_match is searched loosely and each
 * hit checked the same way (from the hit's own values, or by reading the record when the hit does not list them).
 */
export async function searchExact(call: PipedriveCall, entity: 'persons' | 'deals', where: SearchField, term: string): Promise<number[]> {
  const exact = term.length <= EXACT_MATCH_MAX;
  const same = (v: unknown) => typeof v === 'string' && (where.field === 'email' ? v.toLowerCase() === term.toLowerCase() : v === term);
  const ids: number[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 5; page++) {
    const req: HttpRequest = { method: 'GET', url: `/api/v2/${entity}/search`, qs: { term, fields: where.field, exact_match: exact, limit: 100, cursor } };
    const res = await call(req);
    if (!isOk(res)) throw new SearchRefused(pipedriveReason(res));
    // Read as documented or not at all: a search read as "nothing found" would create the record a second time.
    const answer: Answer = { crm: 'pipedrive', vendor: 'Pipedrive', req, res, then: 'the records are sent again' };
    objectBody(answer);
    const env = envelopeOf<{ items?: unknown }>(res);
    if (env.data !== undefined && env.data !== null && !isRecord(env.data)) throw unreadableAnswer(answer, 'with data that is not an object');
    const items = listAt(answer, env.data?.items, 'a data.items list');
    for (const hit of items.filter(isRecord) as PipedriveSearchItem[]) {
      const item = hit.item;
      if (typeof item?.id !== 'number') continue;
      const listed = where.field === 'email' ? item.emails : item.custom_fields;
      const values = listed === undefined || listed === null ? undefined : listAt(answer, listed, `a hit's ${where.field}`);
      if (values ? values.some(same) : exact || (where.field === 'custom_fields' && (await holds(call, entity, item.id, where.key, same)))) ids.push(item.id);
    }
    cursor = env.additional_data?.next_cursor ?? undefined;
    if (!cursor) break;
  }
  return [...new Set(ids)];
}

async function holds(call: PipedriveCall, entity: 'persons' | 'deals', id: number, key: string, same: (v: unknown) => boolean): Promise<boolean> {
  const res = await call({ method: 'GET', url: `/api/v2/${entity}/${id}`, qs: { custom_fields: key } });
  return isOk(res) && same(envelopeOf<{ custom_fields?: Record<string, unknown> }>(res).data?.custom_fields?.[key]);
}

export class SearchRefused extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'SearchRefused';
  }
}
