import type { HttpRequest, HttpResponse } from '../../http/http-transport';
import { callCrm } from './call-crm';
import { resumeFrom } from './change-overlap';
import type { CrmAdapter, CrmAdapterContext, CrmChangedCustomers, CrmItemResult } from './crm-adapter';
import { CrmConfigError, CrmTransientError } from './crm-errors';
import { objectBody, recordsAt, unreadableAnswer, type Answer } from './answer-shape';
import {
  changedContactsSoql,
  contactRecord,
  decodeCursor,
  encodeCursor,
  fieldUpdateRecord,
  FIRST_ID,
  hasLastName,
  isSoqlStamp,
  paymentRecord,
  remoteCustomer,
  SALESFORCE_ID,
  stampMs,
  SYSTEM_MODSTAMP_LAG_MS,
  withLastNamePlaceholder,
  type SObjectRecord,
} from './salesforce-records';
import {
  candidatesFromChoices,
  candidatesFromMessage,
  isMissingLastName,
  isMissingParent,
  isSeveralMatches,
  recordResult,
  salesforceRateLimit,
  upsertResults,
  wholeRequestError,
  type SalesforceUpsertResult,
} from './salesforce-results';
import { parseSalesforceSettings, SALESFORCE_CONTACT_LIMITS, type SalesforceSettings, type SalesforceSettingsInput } from './salesforce-settings';
import { RecordFitter } from './field-lengths';

export { salesforceAxiosTransport, salesforceJwtAssertion, salesforceJwtAudience, salesforceJwtAudiences, salesforceTokenUrl } from './salesforce-auth';
export {
  parseSalesforceSettings,
  SALESFORCE_DEFAULT_API_VERSION,
  SALESFORCE_ENV,
  salesforceSettingsFromEnv,
  SalesforceSettingsSchema,
  type SalesforceSettings,
  type SalesforceSettingsInput,
} from './salesforce-settings';

const CRM = 'salesforce';
/** sObject Collections takes at most 200 records per call (EXCEEDED_ID_LIMIT beyond). */
export const SALESFORCE_COLLECTION_MAX = 200;
/** A query page is 200–2000 records (Sforce-Query-Options batchSize). */
const QUERY_BATCH_MIN = 200;
const QUERY_BATCH_MAX = 2000;

interface Keyed {
  key: string;
  record: SObjectRecord;
}

/**
 * Salesforce behind the CrmAdapter port: Contacts and payments are upserted by external id through sObject
 * Collections (allOrNone false: one bad record fails alone), 200 per call; changed Contacts are read with SOQL.
 */
export function createSalesforceAdapter(ctx: CrmAdapterContext<SalesforceSettings | SalesforceSettingsInput>): CrmAdapter {
  const s = parseSalesforceSettings(ctx.settings);
  const http = ctx.http;
  const root = `/services/data/${s.apiVersion}`;
  const rateLimit = salesforceRateLimit(s);
  const call = (req: HttpRequest): Promise<HttpResponse> => callCrm(CRM, http, { timeoutMs: s.timeoutMs, ...req }, { rateLimit });
  // The standard Contact's lengths; another object (the operator's own) has lengths this adapter does not know.
  const fitter = new RecordFitter('Salesforce', s.contact.object.toLowerCase() === 'contact' ? SALESFORCE_CONTACT_LIMITS : {});

  async function upsertChunk(object: string, externalIdField: string, records: SObjectRecord[]): Promise<SalesforceUpsertResult[]> {
    const res = await call({
      method: 'PATCH',
      url: `${root}/composite/sobjects/${object}/${externalIdField}`,
      headers: { 'content-type': 'application/json' },
      body: { allOrNone: false, records },
    });
    if (res.status !== 200) throw wholeRequestError(res, `upsert of ${object} by ${externalIdField}`);
    return upsertResults(res.body, records.length);
  }

  /**
   * One record per external id (a batch naming it twice is merged, later values winning: Salesforce would refuse
   * both as DUPLICATE_EXTERNAL_ID), then calls of at most 200 whatever the caller handed over.
   */
  async function upsertAll(object: string, externalIdField: string, items: Keyed[]): Promise<Map<string, { record: SObjectRecord; result: SalesforceUpsertResult }>> {
    const merged = new Map<string, SObjectRecord>();
    for (const { key, record } of items) merged.set(key, { ...(merged.get(key) ?? {}), ...record });
    const keys = [...merged.keys()];
    const out = new Map<string, { record: SObjectRecord; result: SalesforceUpsertResult }>();
    for (let i = 0; i < keys.length; i += SALESFORCE_COLLECTION_MAX) {
      const chunk = keys.slice(i, i + SALESFORCE_COLLECTION_MAX);
      const records = chunk.map((k) => merged.get(k)!);
      const results = await upsertChunk(object, externalIdField, records);
      chunk.forEach((k, j) => out.set(k, { record: records[j]!, result: results[j]! }));
    }
    return out;
  }

  /** The candidates of a several-matches result: from the error message, else from the 300 Multiple Choices list. */
  async function ambiguous(object: string, externalIdField: string, key: string, r: SalesforceUpsertResult): Promise<CrmItemResult> {
    let candidates = candidatesFromMessage(r);
    if (candidates.length < 2) {
      const res = await call({ method: 'GET', url: `${root}/sobjects/${object}/${externalIdField}/${encodeURIComponent(key)}` });
      if (res.status !== 300) {
        // The duplicates were cleaned up between the two calls: the next attempt writes normally.
        return { externalId: key, status: 'retry', error: new CrmTransientError(CRM, `${object} ${externalIdField}=${key} no longer matches several records`) };
      }
      candidates = candidatesFromChoices(res.body);
    }
    return {
      externalId: key,
      status: 'ambiguous',
      reason: `${candidates.length} ${object} records carry ${externalIdField} = ${key}; a person must merge them (or clear the id on all but one) before this write can go`,
      candidates,
    };
  }

  async function finish(object: string, externalIdField: string, key: string, r: SalesforceUpsertResult, extra?: (r: SalesforceUpsertResult) => CrmItemResult | undefined): Promise<CrmItemResult> {
    if (isSeveralMatches(r)) return ambiguous(object, externalIdField, key, r);
    const fieldSecurity = r.errors.find((e) => e.statusCode === 'INVALID_FIELD_FOR_INSERT_UPDATE');
    if (fieldSecurity) {
      // Field-level security is the integration user's profile: every record fails alike until an admin changes it.
      throw new CrmConfigError(CRM, `${fieldSecurity.message} — make ${(fieldSecurity.fields ?? []).join(', ') || 'the field'} on ${object} editable for the integration user's profile or permission set (Field-Level Security); the records stay queued`);
    }
    // The org's duplicate rules see this new record as one it has (a Contact typed in by hand with the same email):
    // which it is, a person decides, as for several records on one external id.
    const rule = r.errors.find((e) => e.statusCode === 'DUPLICATES_DETECTED' && e.duplicates?.length);
    if (rule) {
      return {
        externalId: key,
        status: 'ambiguous',
        reason: `Salesforce's duplicate rules match this ${object} to ${rule.duplicates!.length} existing record(s) (${rule.message}); link it to one of them, or let the rule allow saving`,
        candidates: rule.duplicates!,
      };
    }
    // Another writer created the same key a moment before (a retry beside a lost answer): the next upsert finds that
    // record by its external id and updates it.
    if (r.errors.some((e) => e.statusCode === 'DUPLICATE_VALUE' && e.message.toLowerCase().includes(externalIdField.toLowerCase()))) {
      return { externalId: key, status: 'retry', error: new CrmTransientError(CRM, `${r.errors[0]!.message} (created meanwhile by another write: updated on the next attempt)`) };
    }
    return extra?.(r) ?? recordResult(key, r);
  }

  return {
    name: CRM,
    limits: { batchSize: SALESFORCE_COLLECTION_MAX, requestsPerWindow: s.dailyRequestLimit, windowMs: 24 * 60 * 60 * 1000 },

    async upsertCustomers(batch) {
      const { object, externalIdField } = s.contact;
      const fitting = fitter.call();
      const done = await upsertAll(object, externalIdField, batch.map((c) => ({ key: c.externalId, record: fitting.fit(c.externalId, contactRecord(s, c)) })));
      // A nameless walk-in is sent without LastName so an existing Contact keeps its name; only the ones Salesforce
      // could not create for lack of it go again, with the placeholder.
      const lastName = s.contact.fields.familyName ?? 'LastName';
      const unnamed = [...done].filter(([, d]) => !hasLastName(s, d.record) && isMissingLastName(d.result, lastName));
      if (unnamed.length > 0) {
        const again = await upsertAll(object, externalIdField, unnamed.map(([key, d]) => ({ key, record: withLastNamePlaceholder(s, d.record) })));
        for (const [key, d] of again) done.set(key, d);
      }
      return fitting.noted(await Promise.all(batch.map((c) => finish(object, externalIdField, c.externalId, done.get(c.externalId)!.result))));
    },

    async upsertPayments(batch) {
      const { object, externalIdField } = s.payment;
      const done = await upsertAll(object, externalIdField, batch.map((p) => ({ key: p.externalId, record: paymentRecord(s, p) })));
      return Promise.all(
        batch.map((p) =>
          finish(object, externalIdField, p.externalId, done.get(p.externalId)!.result, (r) =>
            isMissingParent(r)
              ? { externalId: p.externalId, status: 'retry', error: new CrmTransientError(CRM, `the Contact ${p.customerExternalId} is not in Salesforce yet (its upsert has not gone through)`) }
              : undefined,
          ),
        ),
      );
    },

    async updateFields(batch) {
      const { object, externalIdField } = s.contact;
      const fitting = fitter.call();
      const results = new Map<number, CrmItemResult>();
      const items: Keyed[] = [];
      batch.forEach((u, i) => {
        const mapped = fieldUpdateRecord(s, u);
        if ('unmapped' in mapped) {
          results.set(i, {
            externalId: u.customerExternalId,
            status: 'rejected',
            reason: `"${mapped.unmapped}" cannot be a Salesforce field name — map it to a Contact field in the Salesforce settings (customFields)`,
            field: mapped.unmapped,
          });
        } else items.push({ key: u.customerExternalId, record: fitting.fit(u.customerExternalId, mapped.record) });
      });
      const done = await upsertAll(object, externalIdField, items);
      const lastName = s.contact.fields.familyName ?? 'LastName';
      const written = await Promise.all(
        batch.map(async (u, i) => {
          const known = results.get(i);
          if (known) return known;
          return finish(object, externalIdField, u.customerExternalId, done.get(u.customerExternalId)!.result, (r) =>
            // The upsert would have created a Contact from these fields alone; Salesforce refused for want of a LastName.
            isMissingLastName(r, lastName)
              ? { externalId: u.customerExternalId, status: 'retry', error: new CrmTransientError(CRM, `the Contact ${u.customerExternalId} is not in Salesforce yet`) }
              : undefined,
          );
        }),
      );
      return fitting.noted(written);
    },

    async changedCustomers(cursor, limit): Promise<CrmChangedCustomers> {
      const n = Math.max(1, Math.min(QUERY_BATCH_MAX, Math.floor(limit)));
      const soql = changedContactsSoql(s, decodeCursor(cursor), n);
      const batchSize = Math.max(QUERY_BATCH_MIN, Math.min(QUERY_BATCH_MAX, n));
      const records: Record<string, unknown>[] = [];
      let answered: HttpResponse | undefined;
      let req: HttpRequest = { method: 'GET', url: `${root}/query`, qs: { q: soql }, headers: { 'sforce-query-options': `batchSize=${batchSize}` } };
      for (;;) {
        const res = await call(req);
        if (res.status !== 200) throw wholeRequestError(res, 'the changed-Contacts query');
        answered = res;
        const answer: Answer = { crm: CRM, vendor: 'Salesforce', req, res, then: 'the same page is asked for again' };
        const page = objectBody(answer) as { records?: unknown; done?: boolean; nextRecordsUrl?: string };
        const got = recordsAt(answer, page.records, 'a records list');
        // The page's cursor and each record's updatedAt are read from these two.
        if (got.some((r) => !SALESFORCE_ID.test(String(r.Id)) || !isSoqlStamp(r.SystemModstamp))) {
          throw unreadableAnswer(answer, `with a ${s.contact.object} record without a record Id or SystemModstamp`);
        }
        records.push(...got);
        // Salesforce may cut a query into smaller pages than asked; the rest waits behind nextRecordsUrl.
        if (page.done !== false || !page.nextRecordsUrl || records.length >= n) break;
        req = { method: 'GET', url: page.nextRecordsUrl, headers: { 'sforce-query-options': `batchSize=${batchSize}` } };
      }
      const last = records[records.length - 1];
      const position = last ? { at: String(last.SystemModstamp), id: String(last.Id) } : decodeCursor(cursor);
      const more = !!last && records.length >= n;
      // A short page means caught up: the next listing starts after the newest record read, but no later than
      // SYSTEM_MODSTAMP_LAG_MS before Salesforce answered (change-overlap.ts), from the first Id of that second.
      let next: string | null = position ? encodeCursor(position.at, position.id) : null;
      if (!more && position && answered) {
        const at = stampMs(position.at);
        const from = resumeFrom(at, answered, SYSTEM_MODSTAMP_LAG_MS);
        if (from < at) next = encodeCursor(new Date(from).toISOString(), FIRST_ID);
      }
      return { customers: records.map((r) => remoteCustomer(s, r)), next, more };
    },

    notes: () => fitter.take(),
  };
}
