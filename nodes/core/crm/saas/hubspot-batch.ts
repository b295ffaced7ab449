import type { HttpRequest, HttpResponse, HttpTransport } from '../../http/http-transport';
import type { CrmItemResult } from './crm-adapter';
import { CrmConfigError, CrmRateLimitError, CrmTransientError, type CrmError } from './crm-errors';
import { callCrm, describeBody } from './call-crm';
import { retryAfterMs } from '../../http/retry-after';
import { asHubSpotError, CRM, errorCodes, itemResultFor, propertyNamed, readRateLimit, type DailyReset, type HubSpotError } from './hubspot-errors';
import { idText, listAt, type Answer } from './answer-shape';
import type { HubSpotSettings } from './hubspot-settings';
import { isRecord } from '../../json/json-values';

/** "Object API batch endpoints are limited to 100 inputs per request" (Using Object APIs → Limits). */
export const HUBSPOT_BATCH_SIZE = 100;

/**
 * Inputs per associations v4 batch request. HubSpot caps the associations batch read at 1,000 ids (changelog,
 * 10 Feb 2025); batch create is held to the same here, so one request associates ten upsert batches of deals.
 */
export const HUBSPOT_ASSOCIATIONS_PER_REQUEST = 1000;

export interface HubSpotCall {
  http: HttpTransport;
  settings: HubSpotSettings;
  now: () => number;
  /** Where the daily cap resets, as known now: the setting, or what HubSpot said (hubspot-account-zone.ts). */
  dailyReset: () => DailyReset | undefined;
}

/**
 * Every HubSpot request goes through callCrm, with HubSpot's own reading of a 429. A 477 (the account is moving
 * to another data centre, "typically up to 24 hours") and a 423 (too much being synced at once: "a delay of at
 * least 2 seconds") are waits, with the Retry-After HubSpot sends, not a setup or record problem.
 */
export async function hubspotRequest(call: HubSpotCall, req: HttpRequest): Promise<HttpResponse> {
  const res = await callCrm(CRM, call.http, { timeoutMs: call.settings.timeoutMs, ...req }, { rateLimit: (r) => readRateLimit(r, call.dailyReset(), call.now) });
  if (res.status === 477) {
    throw new CrmTransientError(CRM, `477 Migration in Progress on ${req.method} ${req.url}: the HubSpot account is moving to another data centre; sent again when HubSpot says`, retryAfterMs(res.headers, 60 * 60_000, call.now()));
  }
  if (res.status === 423) {
    throw new CrmTransientError(CRM, `423 Locked on ${req.method} ${req.url}: ${describeBody(res.body)}`, retryAfterMs(res.headers, 2_000, call.now()));
  }
  return res;
}

/** One record of a batch write: `body` is HubSpot's input without the trace id, which this module adds. */
export interface BatchInput {
  externalId: string;
  body: { id: string; idProperty?: string; properties: Record<string, string> };
}

interface BatchResult {
  id?: string;
  objectWriteTraceId?: string;
  properties?: Record<string, string | null>;
}

/** What the batch is for, so a setup error can say which setting to change. */
export interface BatchTarget {
  /** e.g. /crm/v3/objects/contacts/batch/upsert */
  path: string;
  objectLabel: string;
  /** The unique property the inputs are keyed by, and where it is set. */
  idProperty?: { name: string; setting: string };
  /** Where the property mapping of this object is set, for "property does not exist". */
  mappingSetting: string;
}

/**
 * Writes records in batches of at most 100 and answers one result per record. Each input carries its external id
 * as `objectWriteTraceId`, which makes HubSpot answer 207 Multi-Status with the failed records listed in `errors`
 * (Error handling → Multi-status errors) instead of refusing the whole batch. When HubSpot still refuses the whole
 * batch (400 VALIDATION_ERROR, e.g. partial upserts by email are not supported), the records it names are settled
 * and the rest sent again; when it names none, the batch is halved until the bad record stands alone.
 */
export async function writeBatch(call: HubSpotCall, target: BatchTarget, inputs: readonly BatchInput[]): Promise<Map<string, CrmItemResult>> {
  const out = new Map<string, CrmItemResult>();
  const chunks = rounds(inputs).flatMap((round) => Array.from({ length: Math.ceil(round.length / HUBSPOT_BATCH_SIZE) }, (_, k) => round.slice(k * HUBSPOT_BATCH_SIZE, (k + 1) * HUBSPOT_BATCH_SIZE)));
  for (const [i, chunk] of chunks.entries()) {
    try {
      await writeChunk(call, target, chunk, out);
    } catch (e) {
      const error = retryAfterPartialWrite(e, out.size > 0);
      for (const x of chunks.slice(i).flat()) if (!out.has(x.externalId)) out.set(x.externalId, { externalId: x.externalId, status: 'retry', error });
      break;
    }
  }
  return out;
}

/**
 * HubSpot refuses a whole batch naming one id twice ("Duplicate IDs found in batch input", VALIDATION_ERROR). Two
 * records of the pack may write one HubSpot record (two customers with one email, contacts matched by email): each
 * goes in its own request, in the order given, so the later state is written last; ids are compared as HubSpot
 * matches emails, whatever their case.
 */
function rounds(inputs: readonly BatchInput[]): BatchInput[][] {
  const out: BatchInput[][] = [];
  const seen = new Map<string, number>();
  for (const x of inputs) {
    const id = x.body.id.toLowerCase();
    const n = seen.get(id) ?? 0;
    seen.set(id, n + 1);
    (out[n] ??= []).push(x);
  }
  return out;
}

/**
 * A call of several requests failed after some went out: what HubSpot answered keeps its result and the rest is
 * `retry` with HubSpot's reason, so one 5xx among eleven requests does not send the other ten again. Only what may
 * pass by itself is kept so (a transient failure, the rolling 10-second limit); anything else — or a failure
 * before anything was written — fails the whole call, for the drain to pause, stop or refresh as it does.
 */
export function retryAfterPartialWrite(e: unknown, anyWritten: boolean): CrmError {
  if (anyWritten && (e instanceof CrmTransientError || (e instanceof CrmRateLimitError && e.policy === 'wait'))) return e;
  throw e;
}

async function writeChunk(call: HubSpotCall, target: BatchTarget, inputs: readonly BatchInput[], out: Map<string, CrmItemResult>): Promise<void> {
  if (inputs.length === 0) return;
  const res = await hubspotRequest(call, {
    method: 'POST',
    url: target.path,
    body: { inputs: inputs.map((x) => ({ ...x.body, properties: withIdProperty(x.body), objectWriteTraceId: x.externalId })) },
  });
  const lookup = keyLookup(inputs);
  if (res.status >= 200 && res.status < 300) {
    // A list that is not one fails the chunk (its records are sent again); an entry that is no object names no record.
    const answer: Answer = { crm: CRM, vendor: 'HubSpot', req: { method: 'POST', url: target.path }, res, then: 'the records are sent again' };
    const body = isRecord(res.body) ? res.body : {};
    const errors = listAt(answer, body.errors, 'an errors list').filter(isRecord).map(asHubSpotError);
    for (const e of errors) {
      configProblem(e, target);
      for (const key of namedKeys(e, lookup)) out.set(key, itemResultFor(key, e));
    }
    const results = listAt(answer, body.results, 'a results list').filter(isRecord) as BatchResult[];
    for (const r of results) {
      // The trace id is optional in HubSpot's results (its own 207 example has none): then the id property's value,
      // which every input carries among its properties, names the record; a batch of one is its one result.
      const key = (r.objectWriteTraceId && lookup.get(r.objectWriteTraceId)) || matchByValue(r, inputs, lookup)
        || (inputs.length === 1 && results.length === 1 && errors.length === 0 ? inputs[0]!.externalId : undefined);
      const id = idText(r.id);
      if (key && id) out.set(key, { externalId: key, status: 'synced', crmId: id });
    }
    for (const x of inputs) {
      if (!out.has(x.externalId)) {
        out.set(x.externalId, { externalId: x.externalId, status: 'retry', error: new CrmTransientError(CRM, `${x.externalId}: HubSpot's answer (${res.status}) did not mention this record; it is sent again`) });
      }
    }
    return;
  }
  const err = asHubSpotError(res.body);
  if (res.status >= 400 && res.status < 500 && err.category) {
    configProblem(err, target);
    const named = namedKeys(err, lookup);
    if (named.length > 0) {
      for (const key of named) out.set(key, itemResultFor(key, err));
      await writeChunk(call, target, inputs.filter((x) => !named.includes(x.externalId)), out);
      return;
    }
    if (inputs.length === 1) {
      out.set(inputs[0]!.externalId, itemResultFor(inputs[0]!.externalId, err));
      return;
    }
    const half = Math.ceil(inputs.length / 2);
    await writeChunk(call, target, inputs.slice(0, half), out);
    await writeChunk(call, target, inputs.slice(half), out);
    return;
  }
  throw new CrmConfigError(CRM, `${res.status} on POST ${target.path}: ${describeBody(res.body)} — check the HubSpot base URL and the ${target.objectLabel} settings`);
}

/**
 * Errors no retry fixes: a mapped property that does not exist, or an id property that is not unique. They stop
 * the drain with the setting to change, rather than rejecting every record one by one.
 */
function configProblem(err: HubSpotError, target: BatchTarget): void {
  const codes = errorCodes(err);
  const message = err.message ?? '';
  if (codes.includes('PROPERTY_DOESNT_EXIST')) {
    const name = propertyNamed(err) ?? 'a mapped property';
    throw new CrmConfigError(CRM, `the ${target.objectLabel} property "${name}" does not exist in HubSpot. Fix: create it (Settings → Properties), or change ${target.mappingSetting}`);
  }
  if (target.idProperty && /non-unique|unique property|idProperty/i.test(message)) {
    throw new CrmConfigError(CRM, `${message}. Fix: "${target.idProperty.name}" must be a ${target.objectLabel} property created with "unique values"; create it, or change ${target.idProperty.setting}`);
  }
  if (/maximum number of inputs/i.test(message)) {
    throw new CrmConfigError(CRM, `${message} (a batch of more than ${HUBSPOT_BATCH_SIZE} was sent to ${target.path})`);
  }
}

/** Every value a record can be named by in HubSpot's answer: its trace id, its id, its unique property value. */
function keyLookup(inputs: readonly BatchInput[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const x of inputs) {
    m.set(x.externalId, x.externalId);
    m.set(x.body.id, x.externalId);
    m.set(x.body.id.toLowerCase(), x.externalId);
  }
  return m;
}

function namedKeys(err: HubSpotError, lookup: Map<string, string>): string[] {
  const texts = (x: unknown) => (Array.isArray(x) ? x : []).filter((v): v is string => typeof v === 'string');
  const values = [...texts(err.context?.objectWriteTraceId), ...texts(err.context?.ids)];
  const keys = values.map((v) => lookup.get(v) ?? lookup.get(v.toLowerCase())).filter((k): k is string => !!k);
  return [...new Set(keys)];
}

/**
 * The input's properties with its id property's own value among them: writing a record's key to itself changes
 * nothing, and HubSpot's result then shows the value, which names the record when the result has no trace id.
 */
function withIdProperty(body: BatchInput['body']): Record<string, string> {
  return body.idProperty && body.properties[body.idProperty] === undefined ? { ...body.properties, [body.idProperty]: body.id } : body.properties;
}

/** Results without a trace id: match by the unique property value (emails come back lower-cased) or record id. */
function matchByValue(r: BatchResult, inputs: readonly BatchInput[], lookup: Map<string, string>): string | undefined {
  for (const x of inputs) {
    const value = x.body.idProperty ? r.properties?.[x.body.idProperty] : r.id;
    if (typeof value === 'string' && (value === x.body.id || value.toLowerCase() === x.body.id.toLowerCase())) return lookup.get(x.body.id);
  }
  return undefined;
}
