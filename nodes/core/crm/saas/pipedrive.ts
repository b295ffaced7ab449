import type { HttpResponse } from '../../http/http-transport';
import type {
  CrmAdapter,
  CrmAdapterContext,
  CrmCustomer,
  CrmFieldUpdate,
  CrmItemResult,
  CrmPayment,
} from './crm-adapter';
import { CrmAuthError, CrmConfigError, CrmError, CrmNoAnswerError, CrmTransientError } from './crm-errors';
import { envelopeOf, isOk, pipedriveCaller, pipedriveReason, searchExact, SearchRefused, type PipedrivePerson } from './pipedrive-api';
import { dealBody } from './pipedrive-deals';
import { idText, listAt, objectBody, unreadableAnswer, type Answer } from './answer-shape';
import { processLock, RecentIds, type CrmLock } from './pipedrive-lock';
import { listChangedPersons, type PipedriveChangedCustomers } from './pipedrive-changes';
import { findPerson, keepingTheirs, personBody, type Found } from './pipedrive-persons';
import { PIPEDRIVE_WINDOW_MS } from './pipedrive-rate-limit';
import { parsePipedriveSettings, type PipedriveSettings, type PipedriveSettingsInput } from './pipedrive-settings';
import { isRecord } from '../../json/json-values';

/** How long a record Pipedrive wrote may stay out of its search: seconds in practice; a minute leaves room. */
const SEARCH_SETTLE_MS = 60_000;

export { pipedriveAxiosTransport } from './pipedrive-auth';
export { parsePipedriveSettings, pipedriveSettingsFromEnv, PIPEDRIVE_ENV, type PipedriveSettings, type PipedriveSettingsInput } from './pipedrive-settings';
export type { CrmLock } from './pipedrive-lock';
export type { PipedriveChangedCustomers } from './pipedrive-changes';

export interface PipedriveAdapterContext extends CrmAdapterContext<PipedriveSettings | PipedriveSettingsInput> {
  /** Serialises search-then-create per customer and per payment; default: a lock within this process only. */
  lock?: CrmLock;
  now?: () => number;
}

export interface PipedriveAdapter extends CrmAdapter {
  changedCustomers(cursor: string | null, limit: number): Promise<PipedriveChangedCustomers>;
}

/**
 * Pipedrive (API v2) behind the CRM port. Pipedrive has no upsert and no batch endpoints: each record is found by the
 * pack's id in a custom field (persons) or the payment key (deals), then created or patched — one record per request,
 * under a lock so two payments of one new customer never make two persons.
 */
export function createPipedriveAdapter(ctx: PipedriveAdapterContext): PipedriveAdapter {
  const settings = parsePipedriveSettings(ctx.settings);
  const now = ctx.now ?? Date.now;
  const call = pipedriveCaller(ctx.http, now);
  const lock = ctx.lock ?? processLock();
  const personIds = new RecentIds();
  const dealIds = new RecentIds();

  const rejected = (externalId: string, res: HttpResponse): CrmItemResult => {
    if (res.status === 402) throw new CrmConfigError('pipedrive', `the Pipedrive company account needs payment before it takes API writes (${pipedriveReason(res)})`);
    // The plan's cap (open deals, custom fields) refuses every record alike until the company's plan changes.
    if (res.status === 403 && /^feature_capping/.test(envelopeOf(res).code ?? '')) {
      throw new CrmConfigError('pipedrive', `Pipedrive's plan limit refuses the write: ${pipedriveReason(res)} — raise the company's plan or close deals in Pipedrive; the payments stay queued`);
    }
    return { externalId, status: 'rejected', reason: pipedriveReason(res) };
  };
  const gone = (res: HttpResponse) => res.status === 404 || res.status === 410;

  /** Writes `body` over record `id`, or says it is gone (deleted in Pipedrive since we last saw it). */
  async function patch(entity: 'persons' | 'deals', id: string, body: Record<string, unknown>): Promise<HttpResponse | 'gone'> {
    const res = await call({ method: 'PATCH', url: `/api/v2/${entity}/${id}`, body });
    return gone(res) ? 'gone' : res;
  }

  /**
   * A create whose answer never came (a timeout, a dropped connection) may have written the record, and
   * Pipedrive's search can take a while to show it: searched again too soon, a retry would make a second one (the v2
   * API has no upsert and no idempotency key). So the record is not created again until SEARCH_SETTLE_MS after that
   * attempt; a search meanwhile that finds it settles it. The error says so (retryAfterMs), so the outbox keeps the
   * record back that long in the store, past a restart of the drainer; this adapter also remembers it while it runs,
   * for callers that retry by themselves.
   */
  const unsure = new Map<string, number>();
  const settleLeft = (sentAt: number) => Math.max(0, sentAt + SEARCH_SETTLE_MS - now());
  async function create(entity: 'persons' | 'deals', key: string, body: Record<string, unknown>): Promise<HttpResponse> {
    const sentAt = unsure.get(`${entity}:${key}`);
    if (sentAt !== undefined) {
      const left = settleLeft(sentAt);
      if (left > 0) {
        throw new CrmTransientError('pipedrive', `the ${entity === 'persons' ? 'person' : 'deal'} for ${key} may be written already (a create's answer was lost) and Pipedrive's search does not show it yet: it is looked for again before another is made`, left);
      }
      unsure.delete(`${entity}:${key}`);
    }
    const at = now();
    try {
      return await call({ method: 'POST', url: `/api/v2/${entity}`, body });
    } catch (e) {
      if (e instanceof CrmNoAnswerError) {
        unsure.set(`${entity}:${key}`, at);
        throw new CrmNoAnswerError('pipedrive', `${e.message.replace(/^pipedrive: /, '')} — the ${entity === 'persons' ? 'person' : 'deal'} may be written, so it is looked for again in a minute, when Pipedrive's search shows it`, settleLeft(at));
      }
      throw e;
    }
  }

  /** The id of the record a create wrote; an answer without it is no id of "undefined" but an answer to send again for. */
  const idOf = (entity: 'persons' | 'deals', res: HttpResponse) => {
    const id = idText(envelopeOf<{ id?: unknown }>(res).data?.id);
    if (!id) throw unreadableAnswer({ crm: 'pipedrive', vendor: 'Pipedrive', req: { method: 'POST', url: `/api/v2/${entity}` }, res, then: 'the record is sent again (and found by its key if it was written)' }, 'without the id of the record written');
    return id;
  };

  /** Updates person `id` with the customer's details, the person's own emails and phones kept beside the pack's. */
  async function updatePerson(id: string, c: CrmCustomer): Promise<HttpResponse | 'gone'> {
    let body = personBody(c, settings, false);
    if (body.emails || body.phones) {
      const res = await call({ method: 'GET', url: `/api/v2/persons/${id}` });
      if (gone(res)) return 'gone';
      if (!isOk(res)) return res;
      // The PATCH sets the whole lists: ones that cannot be read must not be replaced by ours alone.
      const answer: Answer = { crm: 'pipedrive', vendor: 'Pipedrive', req: { method: 'GET', url: `/api/v2/persons/${id}` }, res, then: 'the customer is sent again' };
      const current = objectBody(answer).data;
      if (current !== undefined && current !== null && !isRecord(current)) throw unreadableAnswer(answer, 'with data that is not a person');
      listAt(answer, current?.emails, "the person's emails");
      listAt(answer, current?.phones, "the person's phones");
      body = keepingTheirs(body, current as PipedrivePerson | null | undefined);
    }
    return patch('persons', id, body);
  }

  async function upsertCustomer(c: CrmCustomer): Promise<CrmItemResult> {
    return lock(`pipedrive:person:${c.externalId}`, async () => {
      const known = c.crmId ?? personIds.get(c.externalId);
      if (known) {
        const res = await updatePerson(known, c);
        if (res !== 'gone') return settle(c.externalId, res, known);
        personIds.delete(c.externalId);
      }
      const found = await findPerson(call, settings, c.externalId, c.profile.email);
      if (found && 'ambiguous' in found) {
        return { externalId: c.externalId, status: 'ambiguous', reason: `several Pipedrive persons carry customer id ${c.externalId} or its email`, candidates: found.ambiguous };
      }
      if (found) {
        const res = await updatePerson(found.id, c);
        if (res !== 'gone') return settle(c.externalId, res, found.id);
      }
      const res = await create('persons', c.externalId, personBody(c, settings, true));
      return settle(c.externalId, res, isOk(res) ? idOf('persons', res) : undefined);
    });
    function settle(externalId: string, res: HttpResponse, id: string | undefined): CrmItemResult {
      if (!isOk(res) || !id) return rejected(externalId, res);
      personIds.set(externalId, id);
      return { externalId, status: 'synced', crmId: id };
    }
  }

  /** The person of a customer the pack wrote before: by the link table, what this process saw, or a search. */
  async function personOf(customerExternalId: string, crmId?: string): Promise<Found> {
    const known = crmId ?? personIds.get(customerExternalId);
    if (known) return { id: known };
    const ids = await searchExact(call, 'persons', { field: 'custom_fields', key: settings.customerIdField }, customerExternalId);
    if (ids.length > 1) return { ambiguous: ids.map(String) };
    if (ids.length === 0) return undefined;
    personIds.set(customerExternalId, String(ids[0]));
    return { id: String(ids[0]) };
  }

  const notYet = (externalId: string, customer: string): CrmItemResult => ({
    externalId,
    status: 'retry',
    error: new CrmTransientError(
      'pipedrive',
      `no Pipedrive person carries customer id ${customer} yet: write the customer first (Pipedrive's search can also take a few seconds to see a new person)`,
      5_000,
    ),
  });

  async function upsertPayment(p: CrmPayment): Promise<CrmItemResult> {
    return lock(`pipedrive:deal:${p.externalId}`, async () => {
      const person = await personOf(p.customerExternalId, p.customerCrmId);
      if (!person) return notYet(p.externalId, p.customerExternalId);
      if ('ambiguous' in person) {
        return { externalId: p.externalId, status: 'ambiguous', reason: `several Pipedrive persons carry customer id ${p.customerExternalId}`, candidates: person.ambiguous };
      }
      const body = dealBody(p, person.id, settings);
      const known = p.crmId ?? dealIds.get(p.externalId);
      if (known) {
        const res = await patch('deals', known, body);
        if (res !== 'gone') return settle(res, known);
        dealIds.delete(p.externalId);
      }
      const ids = await searchExact(call, 'deals', { field: 'custom_fields', key: settings.paymentKeyField }, p.externalId);
      if (ids.length > 1) return { externalId: p.externalId, status: 'ambiguous', reason: `several Pipedrive deals carry payment key ${p.externalId}`, candidates: ids.map(String) };
      if (ids.length === 1) {
        const res = await patch('deals', String(ids[0]), body);
        if (res !== 'gone') return settle(res, String(ids[0]));
      }
      const res = await create('deals', p.externalId, body);
      return settle(res, isOk(res) ? idOf('deals', res) : undefined);
    });
    function settle(res: HttpResponse, id: string | undefined): CrmItemResult {
      if (!isOk(res) || !id) return rejected(p.externalId, res);
      dealIds.set(p.externalId, id);
      return { externalId: p.externalId, status: 'synced', crmId: id };
    }
  }

  function customFieldsOf(fields: CrmFieldUpdate['fields']): Record<string, unknown> {
    const unmapped = Object.keys(fields).filter((k) => !settings.fieldMap[k]);
    if (unmapped.length) {
      throw new CrmConfigError(
        'pipedrive',
        `no Pipedrive person field is mapped for ${unmapped.join(', ')}: map each to its person field's 40-character API key in the Pipedrive credential's Person Field Keys (JSON) in n8n, fieldMap in the CRM account's Settings in Node-RED, or PIPEDRIVE_FIELD_MAP for the worker and the command line`,
      );
    }
    return Object.fromEntries(Object.entries(fields).map(([k, v]) => [settings.fieldMap[k]!, v]));
  }

  async function updateCustomerFields(u: CrmFieldUpdate): Promise<CrmItemResult> {
    const externalId = u.customerExternalId;
    const person = await personOf(externalId, u.customerCrmId);
    if (!person) return notYet(externalId, externalId);
    if ('ambiguous' in person) return { externalId, status: 'ambiguous', reason: `several Pipedrive persons carry customer id ${externalId}`, candidates: person.ambiguous };
    const res = await patch('persons', person.id, { custom_fields: customFieldsOf(u.fields) });
    if (res === 'gone') {
      personIds.delete(externalId);
      return notYet(externalId, externalId);
    }
    return isOk(res) ? { externalId, status: 'synced', crmId: person.id } : rejected(externalId, res);
  }

  return {
    name: 'pipedrive',
    limits: { batchSize: 1, requestsPerWindow: settings.requestsPerWindow, windowMs: PIPEDRIVE_WINDOW_MS },
    upsertCustomers: (batch) => oneByOne(batch, (c) => c.externalId, upsertCustomer),
    upsertPayments: (batch) => oneByOne(batch, (p) => p.externalId, upsertPayment),
    updateFields: async (batch) => {
      for (const u of batch) customFieldsOf(u.fields);
      return oneByOne(batch, (u) => u.customerExternalId, updateCustomerFields);
    },
    changedCustomers: (cursor, limit) => listChangedPersons(call, settings, cursor, limit),
  };
}

/**
 * Pipedrive takes one record per request, so a batch goes out record by record. A rate limit or outage on the
 * first record fails the call; later in the batch, what went through stays synced and the rest comes back `retry`
 * (no further requests into a limit Pipedrive punishes ignoring).
 */
async function oneByOne<T>(batch: readonly T[], keyOf: (t: T) => string, one: (t: T) => Promise<CrmItemResult>): Promise<CrmItemResult[]> {
  const out: CrmItemResult[] = [];
  for (let i = 0; i < batch.length; i++) {
    try {
      out.push(await one(batch[i]!));
    } catch (e) {
      if (e instanceof SearchRefused) {
        out.push({ externalId: keyOf(batch[i]!), status: 'rejected', reason: `Pipedrive refused the search: ${e.reason}` });
        continue;
      }
      if (i === 0 || !(e instanceof CrmError) || e instanceof CrmAuthError || e instanceof CrmConfigError) throw e;
      for (const rest of batch.slice(i)) out.push({ externalId: keyOf(rest), status: 'retry', error: e });
      break;
    }
  }
  return out;
}
