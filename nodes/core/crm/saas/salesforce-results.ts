import type { HttpResponse } from '../../http/http-transport';
import type { CrmItemResult } from './crm-adapter';
import { CrmConfigError, CrmRateLimitError, CrmTransientError } from './crm-errors';
import { describeBody } from './call-crm';
import { SALESFORCE_ID } from './salesforce-records';
import type { SalesforceSettings } from './salesforce-settings';
import { isRecord } from '../../json/json-values';

const CRM = 'salesforce';

/** One error of an UpsertResult (REST API Developer Guide, "Upsert Records Using sObject Collections"). */
export interface SalesforceRecordError {
  statusCode: string;
  message: string;
  fields?: string[];
  /** DUPLICATES_DETECTED: the ids of the records the org's duplicate rules matched (duplicateResult.matchResults). */
  duplicates?: string[];
}

/** One element of the sObject Collections upsert answer, in request order. */
export interface SalesforceUpsertResult {
  id?: string;
  success: boolean;
  created?: boolean;
  errors: SalesforceRecordError[];
}

/** A whole request refused: `[{"message": "…", "errorCode": "…"}]` (REST API "Status Codes and Error Responses"). */
export function requestErrors(body: unknown): { errorCode: string; message: string }[] {
  if (!Array.isArray(body)) return [];
  return body
    .filter((e): e is Record<string, unknown> => !!e && typeof e === 'object')
    .map((e) => ({ errorCode: String(e.errorCode ?? ''), message: String(e.message ?? '') }));
}

/**
 * Salesforce answers its API limits with 403 REQUEST_LIMIT_EXCEEDED, not 429: "TotalRequests Limit exceeded." is
 * the org's rolling 24-hour allocation (stop: nothing helps until it frees, and an operator should know), while
 * "ConcurrentPerOrgLongTxn Limit exceeded." is too many long requests at once (wait a little).
 */
export function salesforceRateLimit(settings: SalesforceSettings) {
  return (res: HttpResponse): CrmRateLimitError | undefined => {
    if (res.status !== 403) return undefined;
    const limited = requestErrors(res.body).find((e) => e.errorCode === 'REQUEST_LIMIT_EXCEEDED');
    if (!limited) return undefined;
    const limitName = /^(\w+) Limit exceeded/.exec(limited.message)?.[1] ?? 'TotalRequests';
    if (limitName.startsWith('Concurrent')) {
      return new CrmRateLimitError(CRM, `${limited.message} (too many long-running requests at once)`, 10_000, 'wait', limitName);
    }
    return new CrmRateLimitError(
      CRM,
      `${limited.message} The org's 24-hour API allocation is used up; writes resume when it frees (Setup → Company Information shows API usage)`,
      settings.dailyLimitPauseMs,
      'stop',
      limitName,
    );
  };
}

/** Anything but the expected answer at this point is our setup (object, field, version) or a request we built wrong. */
export function wholeRequestError(res: HttpResponse, what: string): CrmConfigError {
  const errors = requestErrors(res.body);
  const first = errors[0];
  const detail = first ? `${first.errorCode}: ${first.message}` : `HTTP ${res.status} ${describeBody(res.body)}`;
  const fix =
    first && /INVALID_FIELD|INVALID_TYPE|NOT_FOUND|MALFORMED_QUERY/.test(first.errorCode)
      ? ' — check the object and field API names in the Salesforce settings (and that the integration user can see them)'
      : '';
  return new CrmConfigError(CRM, `${what} refused: ${detail}${fix}`);
}

export function upsertResults(body: unknown, expected: number): SalesforceUpsertResult[] {
  if (!Array.isArray(body) || body.length !== expected) {
    throw new CrmTransientError(CRM, `sObject Collections answered ${describeBody(body)} for ${expected} records`);
  }
  // An entry or error of another shape reads as what it says nothing of, so that record alone is retried.
  return body.map((entry: unknown) => {
    const r = isRecord(entry) ? entry : {};
    return {
      id: typeof r.id === 'string' ? r.id : undefined,
      success: r.success === true,
      created: typeof r.created === 'boolean' ? r.created : undefined,
      errors: Array.isArray(r.errors) ? r.errors.filter(isRecord).map(recordError) : [],
    };
  });
}

function recordError(e: Record<string, unknown>): SalesforceRecordError {
  const fields = Array.isArray(e.fields) ? e.fields.filter((f): f is string => typeof f === 'string') : undefined;
  const duplicates = duplicatesOf(e.duplicateResult);
  return { statusCode: String(e.statusCode ?? ''), message: String(e.message ?? ''), ...(fields ? { fields } : {}), ...(duplicates.length ? { duplicates } : {}) };
}

/** DuplicateResult → MatchResult[] → MatchRecord[] → record.Id (the Apex and SOAP DuplicateResult types, as REST returns them). */
function duplicatesOf(result: unknown): string[] {
  if (!isRecord(result) || !Array.isArray(result.matchResults)) return [];
  const ids = result.matchResults.flatMap((m) => (isRecord(m) && Array.isArray(m.matchRecords) ? m.matchRecords : [])).map((r) => (isRecord(r) && isRecord(r.record) ? r.record.Id : undefined));
  return [...new Set(ids.filter((id): id is string => typeof id === 'string' && SALESFORCE_ID.test(id)))];
}

/** Several records carry this external id (a non-unique External ID field, or data loaded around the pack). */
export function isSeveralMatches(r: SalesforceUpsertResult): boolean {
  return r.errors.some((e) => e.statusCode === 'DUPLICATE_EXTERNAL_ID' && /more than one record/i.test(e.message));
}

/** "…: more than one record found for external id field: [003A…, 003B…]" → the ids. */
export function candidatesFromMessage(r: SalesforceUpsertResult): string[] {
  const inBrackets = r.errors.map((e) => /\[([^\]]*)\]/.exec(e.message)?.[1] ?? '').join(',');
  return inBrackets.split(/[\s,]+/).filter((id) => SALESFORCE_ID.test(id));
}

/** The 300 Multiple Choices body: the matching records' URLs, whose last segment is the id. */
export function candidatesFromChoices(body: unknown): string[] {
  const urls = Array.isArray(body) ? body : [];
  return urls.map((u) => String(u).split('/').pop() ?? '').filter((id) => SALESFORCE_ID.test(id));
}

/** The record does not exist yet, so a field update has nothing to update: LastName is what an insert would need. */
export function isMissingLastName(r: SalesforceUpsertResult, lastNameField: string): boolean {
  return r.errors.some((e) => e.statusCode === 'REQUIRED_FIELD_MISSING' && (e.fields ?? []).some((f) => f.toLowerCase() === lastNameField.toLowerCase()));
}

/** The payment names a Contact (by the pack's id) that Salesforce does not have yet: the customer upsert is behind. */
export function isMissingParent(r: SalesforceUpsertResult): boolean {
  return r.errors.some((e) => /Foreign key external ID: .* not found/i.test(e.message));
}

/** Row lock contention and similar: the same write succeeds a moment later. */
const PASSING = new Set(['UNABLE_TO_LOCK_ROW', 'SERVER_UNAVAILABLE', 'UNKNOWN_EXCEPTION']);

export function recordResult(externalId: string, r: SalesforceUpsertResult): CrmItemResult {
  if (r.success && typeof r.id === 'string' && SALESFORCE_ID.test(r.id)) return { externalId, status: 'synced', crmId: r.id };
  if (r.success) return { externalId, status: 'retry', error: new CrmTransientError(CRM, `Salesforce answered success for this record without a record id (${describeBody(r.id).slice(0, 40)})`) };
  const e = r.errors[0];
  if (!e) return { externalId, status: 'retry', error: new CrmTransientError(CRM, 'Salesforce answered neither success nor an error for this record') };
  if (PASSING.has(e.statusCode)) return { externalId, status: 'retry', error: new CrmTransientError(CRM, `${e.statusCode}: ${e.message}`) };
  const field = e.fields?.[0];
  return { externalId, status: 'rejected', reason: `${e.statusCode}: ${e.message}`, ...(field ? { field } : {}) };
}
