import type { HttpRequest, HttpResponse } from '../../http/http-transport';
import { callCrm, describeBody } from './call-crm';
import { retryAfterMs } from '../../http/retry-after';
import type { CrmAdapter, CrmAdapterContext, CrmChangedCustomers, CrmItemResult } from './crm-adapter';
import { CrmConfigError, CrmRateLimitError, CrmTransientError } from './crm-errors';
import { objectBody, recordsAt, unreadableAnswer, type Answer } from './answer-shape';
import { buildBatchBody, newBatchBoundary, parseBatchResponse, type BatchOperation, type BatchPartResponse } from './dynamics-batch';
import { changedContactsRequest, contactBody, DATAVERSE_PAGE_MAX, fieldUpdateBody, GUID, isDateTimeCursor, keyPath, MODIFIEDON_LAG_MS, nextLinkCursor, paymentBody, remoteCustomer } from './dynamics-records';
import { resumeFrom } from './change-overlap';
import { DYNAMICS_CONTACT_LIMITS, parseDynamicsSettings, type DynamicsSettings, type DynamicsSettingsInput } from './dynamics-settings';
import { RecordFitter } from './field-lengths';

export { dynamicsAxiosTransport, dynamicsTokenUrl } from './dynamics-auth';
export {
  DYNAMICS_ENV,
  dynamicsSettingsFromEnv,
  DynamicsSettingsSchema,
  parseDynamicsSettings,
  type DynamicsSettings,
  type DynamicsSettingsInput,
} from './dynamics-settings';

const CRM = 'dynamics';
/** Dataverse takes at most 1000 requests in one $batch. */
export const DYNAMICS_BATCH_MAX = 1000;
/** Dataverse's service protection errors: the Web API gives the hex code, the SDK the decimal one. */
const PROTECTION_LIMITS: Record<string, string> = {
  '0x80072322': 'NumberOfRequests',
  '-2147015902': 'NumberOfRequests',
  '0x80072321': 'ExecutionTime',
  '-2147015903': 'ExecutionTime',
  '0x80072326': 'ConcurrentRequests',
  '-2147015898': 'ConcurrentRequests',
};

/** `{"error": {"code": "0x…", "message": "…"}}` ("Compose HTTP requests and handle errors"). */
export function odataError(body: unknown): { code: string; message: string } | undefined {
  const e = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  return e ? { code: String(e.code ?? ''), message: String(e.message ?? '') } : undefined;
}

/** 429 with Retry-After (seconds): the 5-minute sliding windows of the service protection limits, so wait. */
export function dynamicsRateLimit(res: Pick<HttpResponse, 'status' | 'headers' | 'body'>): CrmRateLimitError | undefined {
  if (res.status !== 429) return undefined;
  const e = odataError(res.body);
  const limitName = (e && PROTECTION_LIMITS[e.code]) ?? 'ServiceProtection';
  return new CrmRateLimitError(CRM, e?.message || 'service protection limit reached', retryAfterMs(res.headers, 60_000), 'wait', limitName);
}

const ODATA_HEADERS = { 'odata-version': '4.0', 'odata-maxversion': '4.0', accept: 'application/json' };

interface Op {
  key: string;
  op: BatchOperation;
}

/**
 * Dynamics 365 / Dataverse behind the CrmAdapter port. Writes are alternate-key upserts (PATCH by key: creates or
 * updates, so a retry changes nothing) sent through $batch.
 *
 * Each upsert is a top-level part of the batch, not in a change set. A change set is atomic across its requests;
 * a single request already is, so a one-request change set adds nothing, while the documented way to keep one
 * failing request from stopping the rest is `Prefer: odata.continue-on-error`, which applies to batch parts.
 */
export function createDynamicsAdapter(ctx: CrmAdapterContext<DynamicsSettings | DynamicsSettingsInput>): CrmAdapter {
  const s = parseDynamicsSettings(ctx.settings);
  // The standard contact table's default lengths; another table (the operator's own) has lengths this adapter does not know.
  const fitter = new RecordFitter('Dynamics', s.contact.entitySet === 'contacts' ? DYNAMICS_CONTACT_LIMITS : {});
  const http = ctx.http;
  const api = `${s.url}/api/data/${s.apiVersion}`;
  const call = (req: HttpRequest): Promise<HttpResponse> => callCrm(CRM, http, { timeoutMs: s.timeoutMs, ...req }, { rateLimit: dynamicsRateLimit });
  const batchSize = Math.min(s.batchSize, DYNAMICS_BATCH_MAX);

  async function sendBatch(ops: BatchOperation[]): Promise<BatchPartResponse[]> {
    const boundary = newBatchBoundary();
    const res = await call({
      method: 'POST',
      url: `${api}/$batch`,
      headers: { ...ODATA_HEADERS, 'content-type': `multipart/mixed; boundary="${boundary}"`, prefer: 'odata.continue-on-error' },
      body: buildBatchBody(boundary, ops),
    });
    const multipart = /^multipart\/mixed/i.test(res.headers['content-type'] ?? '');
    if (!multipart) {
      const e = odataError(res.body);
      throw new CrmConfigError(CRM, `$batch refused (${res.status}): ${e ? `${e.code} ${e.message}` : describeBody(res.body)}`);
    }
    return parseBatchResponse(String(res.body ?? ''), res.headers['content-type']);
  }

  /** One write per key (later values win), in batches of `batchSize`; results by key. */
  async function runAll(items: Op[], merge: (a: BatchOperation, b: BatchOperation) => BatchOperation): Promise<Map<string, BatchPartResponse | undefined>> {
    const byKey = new Map<string, BatchOperation>();
    for (const { key, op } of items) byKey.set(key, byKey.has(key) ? merge(byKey.get(key)!, op) : op);
    const keys = [...byKey.keys()];
    const out = new Map<string, BatchPartResponse | undefined>();
    for (let i = 0; i < keys.length; i += batchSize) {
      const chunk = keys.slice(i, i + batchSize);
      const parts = await sendBatch(chunk.map((k) => byKey.get(k)!));
      assertMapping(parts);
      chunk.forEach((k, j) => out.set(k, parts[j]));
    }
    return out;
  }

  const mergeBodies = (a: BatchOperation, b: BatchOperation): BatchOperation => ({ ...b, body: { ...(a.body as object), ...(b.body as object) } });

  function upsert(entitySet: string, keyColumn: string, idColumn: string, key: string, body: Record<string, unknown>, updateOnly = false): BatchOperation {
    return {
      method: 'PATCH',
      // return=representation: the upsert answers 201/200 with the row's GUID (a plain upsert answers 204 with the key form only).
      url: `${api}/${keyPath(entitySet, keyColumn, key)}?$select=${idColumn}`,
      headers: { prefer: 'return=representation', ...(updateOnly ? { 'if-match': '*' } : {}) },
      body,
    };
  }

  function result(key: string, part: BatchPartResponse | undefined, idColumn: string, missing: string): CrmItemResult {
    if (!part) return { externalId: key, status: 'retry', error: new CrmTransientError(CRM, 'the $batch answer has no response for this record') };
    if (part.status >= 200 && part.status < 300) {
      const id = (part.body as Record<string, unknown> | undefined)?.[idColumn];
      const fromHeader = /\(([0-9a-f-]{36})\)$/i.exec(part.headers['odata-entityid'] ?? '')?.[1];
      const crmId = typeof id === 'string' && GUID.test(id) ? id : fromHeader;
      if (crmId) return { externalId: key, status: 'synced', crmId };
      return { externalId: key, status: 'retry', error: new CrmTransientError(CRM, `written, but the answer named no ${idColumn}`) };
    }
    const e = odataError(part.body);
    const detail = e ? `${e.code}: ${e.message}` : `HTTP ${part.status}`;
    if (part.status === 429) {
      const limited = dynamicsRateLimit(part)!;
      return { externalId: key, status: 'retry', error: limited };
    }
    if (part.status >= 500) return { externalId: key, status: 'retry', error: new CrmTransientError(CRM, detail, part.headers['retry-after'] ? retryAfterMs(part.headers, 0) : undefined) };
    if (part.status === 404) return { externalId: key, status: 'retry', error: new CrmTransientError(CRM, `${missing} (${detail})`) };
    const field = /'([a-z0-9_]+)' attribute/i.exec(e?.message ?? '')?.[1];
    return { externalId: key, status: 'rejected', reason: detail, ...(field ? { field } : {}) };
  }

  return {
    name: CRM,
    limits: { batchSize, requestsPerWindow: 6000, windowMs: 5 * 60 * 1000 },

    async upsertCustomers(batch) {
      const c = s.contact;
      const fitting = fitter.call();
      const done = await runAll(
        batch.map((x) => ({ key: x.externalId, op: upsert(c.entitySet, c.alternateKey, c.idColumn, x.externalId, fitting.fit(x.externalId, contactBody(s, x))) })),
        mergeBodies,
      );
      return fitting.noted(batch.map((x) => result(x.externalId, done.get(x.externalId), c.idColumn, 'Dynamics could not find the row')));
    },

    async upsertPayments(batch) {
      const p = s.payment;
      const done = await runAll(
        batch.map((x) => ({ key: x.externalId, op: upsert(p.entitySet, p.alternateKey, p.idColumn, x.externalId, paymentBody(s, x)) })),
        mergeBodies,
      );
      return batch.map((x) => result(x.externalId, done.get(x.externalId), p.idColumn, `the contact ${x.customerExternalId} is not in Dynamics yet`));
    },

    async updateFields(batch) {
      const c = s.contact;
      const fitting = fitter.call();
      const items: Op[] = [];
      const refused = new Map<number, CrmItemResult>();
      batch.forEach((u, i) => {
        const mapped = fieldUpdateBody(s, u);
        if ('unmapped' in mapped) {
          refused.set(i, {
            externalId: u.customerExternalId,
            status: 'rejected',
            reason: `"${mapped.unmapped}" cannot be a Dataverse column name — map it to a contact column in the Dynamics settings (customFields)`,
            field: mapped.unmapped,
          });
        } else {
          // If-Match: * makes the PATCH an update only: fields never create a contact (404 instead).
          items.push({ key: u.customerExternalId, op: upsert(c.entitySet, c.alternateKey, c.idColumn, u.customerExternalId, fitting.fit(u.customerExternalId, mapped.body), true) });
        }
      });
      const done = await runAll(items, mergeBodies);
      return fitting.noted(batch.map((u, i) => refused.get(i) ?? result(u.customerExternalId, done.get(u.customerExternalId), c.idColumn, `the contact ${u.customerExternalId} is not in Dynamics yet`)));
    },

    async changedCustomers(cursor, limit): Promise<CrmChangedCustomers> {
      const { url, pageSize } = changedContactsRequest(s, cursor);
      // A nextLink is followed with the page size of the query it came from (Dataverse's "Page results"), so a
      // changed limit applies from the next query the adapter starts, not in the middle of one.
      const n = pageSize ?? Math.max(1, Math.min(DATAVERSE_PAGE_MAX, Math.floor(limit)));
      const req: HttpRequest = { method: 'GET', url, headers: { ...ODATA_HEADERS, prefer: `odata.maxpagesize=${n}` } };
      const res = await call(req);
      if (res.status !== 200) {
        const e = odataError(res.body);
        throw new CrmConfigError(CRM, `the changed-contacts query was refused (${res.status}): ${e ? `${e.code} ${e.message}` : describeBody(res.body)} — check the contact table and column names in the Dynamics settings`);
      }
      const answer: Answer = { crm: CRM, vendor: 'Dynamics', req, res, then: 'the same page is asked for again' };
      const body = objectBody(answer) as { value?: unknown; '@odata.nextLink'?: string };
      const rows = recordsAt(answer, body.value, 'a value list');
      // Each row's crmId and updatedAt are read from these two.
      const idColumn = s.contact.idColumn;
      if (rows.some((row) => !GUID.test(String(row[idColumn])) || !Number.isFinite(Date.parse(String(row.modifiedon))))) {
        throw unreadableAnswer(answer, `with a contact row without its ${idColumn} or modifiedon`);
      }
      const customers = rows.map((row) => remoteCustomer(s, row));
      if (body['@odata.nextLink']) return { customers, next: nextLinkCursor(body['@odata.nextLink'], n), more: true };
      // No nextLink: caught up. The next query starts after the newest modifiedon read (after the date-time cursor
      // when this page is empty), but no later than MODIFIEDON_LAG_MS before Dataverse answered (change-overlap.ts).
      // An empty last page of a nextLink listing has no time of its own: that window before the answer, then.
      const newest = customers.reduce((at, c) => Math.max(at, Date.parse(c.updatedAt)), cursor && isDateTimeCursor(cursor) ? Date.parse(cursor) : -Infinity);
      if (newest === -Infinity && !cursor) return { customers, next: null, more: false };
      const from = resumeFrom(newest === -Infinity ? Infinity : newest, res, MODIFIEDON_LAG_MS);
      return { customers, next: new Date(from).toISOString(), more: false };
    },

    notes: () => fitter.take(),
  };

  /**
   * A table or column the environment does not have, or a privilege the application user's security role lacks,
   * fails every record alike: that is our setup, not one record's content, so nothing is marked rejected and the
   * outbox keeps the records until an operator fixes it.
   */
  function assertMapping(parts: BatchPartResponse[]): void {
    for (const part of parts) {
      const e = odataError(part.body);
      if (part.status === 401 || part.status === 403) {
        throw new CrmConfigError(
          CRM,
          `${e ? `${e.code}: ${e.message}` : `HTTP ${part.status}`} — give the application user's security role Create, Write and Read on the contact and payment tables (Power Platform admin center → Environment → Settings → Users + permissions → Application users); the records stay queued`,
        );
      }
      // Dataverse's own wording ("Invalid property 'x' was found in entity …", "The key in the request URI is not
      // valid for resource …") and OData's for the same mistake.
      const unknownColumn = part.status === 400
        && /Invalid property '[^']+' was found in entity|The key in the request URI is not valid|property '[^']+' does not exist|undeclared property|Could not find a property named/i.test(e?.message ?? '');
      const unknownTable = part.status === 404 && /Resource not found for the segment/i.test(e?.message ?? '');
      if (unknownColumn || unknownTable) throw new CrmConfigError(CRM, `${e!.message} — check the table, column and navigation property names in the Dynamics settings`);
    }
  }
}
