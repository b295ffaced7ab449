import type { HttpRequest, HttpResponse, HttpTransport } from '../../http/http-transport';
import { callCrm, describeBody } from './call-crm';
import type { CrmItemResult } from './crm-adapter';
import { CrmAuthError, CrmConfigError, CrmError, CrmTransientError } from './crm-errors';
import { readZohoRateLimit } from './zoho-rate-limit';
import { idText, unreadableAnswer } from './answer-shape';
import { isRecord } from '../../json/json-values';

/**
 * One Zoho request under the shared rules (401 → one refresh; 5xx transient) and Zoho's reading of 429. `refused`:
 * a 401/403 that is about this request, handed back instead of failing as the credential (call-crm.ts).
 */
export type ZohoCall = (req: HttpRequest, refused?: (res: HttpResponse) => boolean) => Promise<HttpResponse>;

export function zohoCaller(http: HttpTransport, now: () => number = Date.now): ZohoCall {
  return (req, refused) => callCrm('zoho', http, req, { rateLimit: (res) => readZohoRateLimit(res, now), ...(refused ? { refused } : {}) });
}

/** Insert/update/upsert take at most 100 records per call (v8 upsert reference, API limits). */
export const ZOHO_BATCH = 100;

/**
 * One entry of an upsert answer's `data[]`, in request order (v8 "Insert or Update Records (Upsert)"): `code`
 * SUCCESS with `action` insert/update and the record in `details`, or an error code (INVALID_DATA,
 * MANDATORY_NOT_FOUND, DUPLICATE_DATA…) with the offending field's `api_name` in `details`.
 */
export interface ZohoRecordResult {
  code?: string;
  status?: string;
  message?: string;
  action?: 'insert' | 'update';
  duplicate_field?: string | null;
  details?: { id?: string; api_name?: string; expected_data_type?: string; json_path?: string; duplicate_record?: { id?: string } } & Record<string, unknown>;
}

/** Zoho refusing a request for a scope the token was not granted (401 OAUTH_SCOPE_MISMATCH): no refresh mends it. */
export function zohoScopeMismatch(res: HttpResponse): boolean {
  return isRecord(res.body) && res.body.code === 'OAUTH_SCOPE_MISMATCH';
}

/** Zoho's error answer for a whole request: `{code, details, message, status: "error"}`. */
export function zohoReason(res: HttpResponse): string {
  const b = (res.body ?? {}) as { code?: unknown; message?: unknown };
  return typeof b.code === 'string' ? `${typeof b.message === 'string' ? b.message : 'error'} [${b.code}]` : `HTTP ${res.status}: ${describeBody(res.body)}`;
}

/** Per-record errors worth another try as they are (Zoho says the record, not the data, was the trouble). */
const PASSING = new Set(['INTERNAL_ERROR', 'RECORD_LOCKED', 'CANNOT_PROCESS']);

/**
 * A record in a blueprint takes changes to the blueprint's field (a deal's Stage) only through the blueprint's
 * transitions (Zoho's "Update Blueprint" API): sent again, it is refused again, so it is rejected with what a
 * person does.
 */
const BLUEPRINT_FIX =
  "the record is in a blueprint, whose transitions alone may change that field: move it through the transition in Zoho, or let the API user's profile edit the field outside the blueprint; then `terminal-crm reconcile --repair` queues it again";

export function recordResult(externalId: string, r: ZohoRecordResult | undefined): CrmItemResult {
  if (!r) return { externalId, status: 'retry', error: new CrmTransientError('zoho', `Zoho's answer had no result for record ${externalId}`) };
  const d = r.details ?? {};
  if (r.code === 'SUCCESS') {
    const id = idText(d.id);
    if (id) return { externalId, status: 'synced', crmId: id };
    // Written, but the answer does not say as what: sent again, the upsert finds it by its key and says.
    return { externalId, status: 'retry', error: new CrmTransientError('zoho', `Zoho answered SUCCESS for record ${externalId} without its id`) };
  }
  if (r.code === 'DUPLICATE_DATA') {
    const candidates = [d.id, d.duplicate_record?.id].filter((x): x is string => typeof x === 'string');
    return { externalId, status: 'ambiguous', reason: describeRecordError(r), candidates: [...new Set(candidates)] };
  }
  if (r.code && PASSING.has(r.code)) return { externalId, status: 'retry', error: new CrmTransientError('zoho', describeRecordError(r)) };
  const fix = r.code === 'RECORD_IN_BLUEPRINT' ? `: ${BLUEPRINT_FIX}` : '';
  return { externalId, status: 'rejected', reason: `${describeRecordError(r)}${fix}`, ...(d.api_name ? { field: d.api_name } : {}) };
}

/** "invalid data [INVALID_DATA] — field Email, expected email": Zoho's words, plus where. */
function describeRecordError(r: ZohoRecordResult): string {
  const d = r.details ?? {};
  return [
    `${r.message ?? 'error'}${r.code ? ` [${r.code}]` : ''}`,
    d.api_name ? ` — field ${d.api_name}` : '',
    d.expected_data_type ? `, expected ${d.expected_data_type}` : '',
  ].join('');
}

/**
 * Upserts one record per row into `module`, 100 per call, matching on `duplicateCheckFields` in order, and reads
 * Zoho's per-record results back in request order. Zoho answers 200 (all fine), 207 (mixed) or 400 (none) with the
 * same `data[]`; only an answer without it fails the call. A limit or outage on the first call fails the whole
 * batch; on a later call, what went through stays and the rest comes back `retry`.
 */
export async function upsertRecords(
  call: ZohoCall,
  apiVersion: string,
  module: string,
  rows: readonly { externalId: string; record: Record<string, unknown> }[],
  duplicateCheckFields: readonly string[],
  resultOf: (externalId: string, r: ZohoRecordResult | undefined) => CrmItemResult = recordResult,
): Promise<CrmItemResult[]> {
  const out: CrmItemResult[] = [];
  /** An outage from the call at `start` on: the first call fails the batch, a later one leaves what went through. */
  const outageFrom = (start: number, e: CrmError): CrmItemResult[] => {
    if (start === 0) throw e;
    for (const r of rows.slice(start)) out.push({ externalId: r.externalId, status: 'retry', error: e });
    return out;
  };
  for (let start = 0; start < rows.length; start += ZOHO_BATCH) {
    const chunk = rows.slice(start, start + ZOHO_BATCH);
    let res: HttpResponse;
    try {
      res = await call({
        method: 'POST',
        url: `/crm/${apiVersion}/${module}/upsert`,
        body: { data: chunk.map((r) => r.record), duplicate_check_fields: duplicateCheckFields },
      });
    } catch (e) {
      if (!(e instanceof CrmError) || e instanceof CrmAuthError || e instanceof CrmConfigError) throw e;
      return outageFrom(start, e);
    }
    const data = (res.body as { data?: ZohoRecordResult[] } | undefined)?.data;
    if (!Array.isArray(data) && res.status >= 200 && res.status < 300) {
      // Zoho's success always lists the records; a success without them is an answer of another shape, not our setup.
      return outageFrom(start, unreadableAnswer({ crm: 'zoho', vendor: 'Zoho', req: { method: 'POST', url: `/crm/${apiVersion}/${module}/upsert` }, res, then: 'the records are sent again' }, 'without a data list'));
    }
    if (!Array.isArray(data)) {
      throw new CrmConfigError('zoho', `Zoho refused the upsert into ${module}: ${zohoReason(res)} — check the module and field API names in the Zoho settings`);
    }
    // An entry that is not an object says nothing of its record, which is then retried like one left out.
    chunk.forEach((r, i) => out.push(resultOf(r.externalId, isRecord(data[i]) ? (data[i] as ZohoRecordResult) : undefined)));
  }
  return out;
}

/** Zoho's record listing answers (GET records, search): `data[]` and paging in `info`; 204 when nothing matched. */
export interface ZohoPage<T> {
  data?: T[];
  info?: { per_page?: number; count?: number; page?: number; more_records?: boolean; next_page_token?: string | null };
}
