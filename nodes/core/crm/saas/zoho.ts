import type { CrmAdapter, CrmAdapterContext, CrmChangedCustomers, CrmCustomer, CrmItemResult } from './crm-adapter';
import { resumeFrom } from './change-overlap';
import type { HttpRequest } from '../../http/http-transport';
import { idText, objectBody, recordsAt, unreadableAnswer, type Answer } from './answer-shape';
import { CrmAuthError, CrmConfigError, CrmError, CrmTransientError } from './crm-errors';
import { recordResult, upsertRecords, ZOHO_BATCH, zohoCaller, zohoReason, type ZohoPage, type ZohoRecordResult } from './zoho-api';
import { contactIdsOf, contactRecord, emailHolders, listedFields, remoteContact, withLastNameStandIn } from './zoho-contacts';
import { paymentRecord } from './zoho-deals';
import { orgZone } from './zoho-org-zone';
import { parseZohoSettings, ZOHO_CONTACT_LIMITS, ZOHO_DEAL_LIMITS, type ZohoSettings, type ZohoSettingsInput } from './zoho-settings';
import { RecordFitter, type Fitting } from './field-lengths';
import { isRecord } from '../../json/json-values';

export { zohoAxiosTransport } from './zoho-auth';
export { parseZohoSettings, zohoSettingsFromEnv, ZOHO_DATA_CENTERS, ZOHO_ENV, type ZohoSettings, type ZohoSettingsInput } from './zoho-settings';

export interface ZohoAdapterContext extends CrmAdapterContext<ZohoSettings | ZohoSettingsInput> {
  now?: () => number;
  /** Names the account (crm-from-credentials.ts), so what is learnt of it serves every adapter of it. */
  accountKey?: string;
}

/** Changed customers plus whether more pages wait right now. */
export type ZohoChangedCustomers = CrmChangedCustomers & { more: boolean };

export interface ZohoAdapter extends CrmAdapter {
  changedCustomers(cursor: string | null, limit: number): Promise<ZohoChangedCustomers>;
}

/** The records of a page Zoho's listing still serves by page number; beyond it, only next_page_token works. */
const PAGE_NUMBER_REACH = 2000;

/**
 * Zoho CRM (API v8) behind the CRM port. Customers are Contacts and payments Deals (or a custom module), both written
 * with Zoho's native upsert on a unique field holding the pack's own key, 100 records per call, so a retried write
 * updates the record it made the first time.
 */
export function createZohoAdapter(ctx: ZohoAdapterContext): ZohoAdapter {
  const settings = parseZohoSettings(ctx.settings);
  const now = ctx.now ?? Date.now;
  const call = zohoCaller(ctx.http, now);
  const v = settings.apiVersion;
  // A payment's Closing_Date is its day in the org's zone: learnt before the first payment batch unless set.
  const zone = orgZone(call, settings, now, ctx.accountKey);
  // The standard layouts' lengths: Contacts, and Deals when payments go there (another module is the operator's own).
  const fitter = new RecordFitter('Zoho', ZOHO_CONTACT_LIMITS);
  const dealLimits = settings.paymentsModule === 'Deals' ? ZOHO_DEAL_LIMITS : {};

  async function upsertPayments(batch: Parameters<CrmAdapter['upsertPayments']>[0]): Promise<CrmItemResult[]> {
    await zone.ready();
    const fitting = fitter.call();
    const missing = batch.filter((p) => !p.customerCrmId).map((p) => p.customerExternalId);
    const found = missing.length ? await contactIdsOf(call, settings, missing) : new Map<string, string[]>();
    const results = new Map<string, CrmItemResult>();
    const rows: { externalId: string; record: Record<string, unknown> }[] = [];
    for (const p of batch) {
      const ids = p.customerCrmId ? [p.customerCrmId] : (found.get(p.customerExternalId) ?? []);
      if (ids.length === 0) {
        results.set(p.externalId, {
          externalId: p.externalId,
          status: 'retry',
          error: new CrmTransientError('zoho', `no Zoho contact carries customer id ${p.customerExternalId} yet: write the customer first`, 5_000),
        });
      } else if (ids.length > 1) {
        results.set(p.externalId, { externalId: p.externalId, status: 'ambiguous', reason: `several Zoho contacts carry customer id ${p.customerExternalId}`, candidates: ids });
      } else {
        rows.push({ externalId: p.externalId, record: fitting.fit(p.externalId, paymentRecord(p, ids[0]!, settings, zone.timeZone()), dealLimits) });
      }
    }
    for (const r of await upsertRecords(call, v, settings.paymentsModule, rows, [settings.paymentKeyField])) results.set(r.externalId, r);
    return fitting.noted(batch.map((p) => results.get(p.externalId)!));
  }

  const fieldName = (packName: string) => settings.fieldMap[packName] ?? titleCase(packName);

  /**
   * Zoho checks duplicate_check_fields in order and updates the first match, so with Email after the pack's id a
   * customer new to Zoho would take over a contact of another customer of the pack that shares the email (two
   * people the pack keeps apart, a household's address). Such customers are matched by the pack's id only and get
   * their own contact; a contact a salesperson typed in (no pack id) is still filled in rather than doubled.
   */
  async function upsertCustomers(batch: readonly CrmCustomer[]): Promise<CrmItemResult[]> {
    const checks = settings.duplicateCheckFields;
    const fitting = fitter.call();
    const fresh = checks.includes('Email') ? batch.filter((c) => !c.crmId && c.profile.email?.trim()) : [];
    const holders = fresh.length ? await emailHolders(call, settings, fresh.map((c) => c.profile.email!)) : new Map<string, string[]>();
    const ownOnly = new Set(fresh.filter((c) => (holders.get(c.profile.email!.trim().toLowerCase()) ?? []).some((id) => id !== '' && id !== c.externalId)).map((c) => c.externalId));
    // Two new customers of one email in one batch (a household): Zoho tries the duplicate-check fields in order, so the
    // second would match the contact the first one just made by its Email; only the first may match by email. A
    // customer Zoho knows already (crmId) who brings that email in this batch writes it onto their own contact, which
    // Zoho does before it reaches a later record: that email is taken too, whatever Zoho held when it was looked up.
    const firstOfEmail = new Set(batch.filter((c) => c.crmId && c.profile.email?.trim()).map((c) => c.profile.email!.trim().toLowerCase()));
    for (const c of fresh) {
      const email = c.profile.email!.trim().toLowerCase();
      if (firstOfEmail.has(email)) ownOnly.add(c.externalId);
      else firstOfEmail.add(email);
    }
    if (ownOnly.size === 0) return fitting.noted(await upsertContacts(fitting, batch, checks));
    const byId = checks.filter((f) => f !== 'Email');
    const results = new Map<string, CrmItemResult>();
    for (const r of await upsertContacts(fitting, batch.filter((c) => !ownOnly.has(c.externalId)), checks)) results.set(r.externalId, r);
    for (const r of await upsertContacts(fitting, batch.filter((c) => ownOnly.has(c.externalId)), byId.length ? byId : [settings.customerIdField])) results.set(r.externalId, r);
    return fitting.noted(batch.map((c) => results.get(c.externalId)!));
  }

  /**
   * Contacts upserted matching on `checks`. A customer without a name goes without Last_Name, so a contact the upsert
   * updates keeps the name it has; those Zoho could not create for want of one (MANDATORY_NOT_FOUND, Last_Name) go
   * once more with the stand-in, which creates them.
   */
  async function upsertContacts(fitting: Fitting, customers: readonly CrmCustomer[], checks: readonly string[]): Promise<CrmItemResult[]> {
    const rows = customers.map((c) => ({ externalId: c.externalId, record: fitting.fit(c.externalId, contactRecord(c, settings)) }));
    const nameless = new Set(rows.filter((r) => r.record.Last_Name === undefined).map((r) => r.externalId));
    const toCreate = new Set<string>();
    const first = await upsertRecords(call, v, 'Contacts', rows, checks, (externalId, r) => {
      if (nameless.has(externalId) && r?.code === 'MANDATORY_NOT_FOUND' && r.details?.api_name === 'Last_Name') toCreate.add(externalId);
      return recordResult(externalId, r);
    });
    if (toCreate.size === 0) return first;
    const results = new Map(first.map((r) => [r.externalId, r]));
    const again = customers.filter((c) => toCreate.has(c.externalId)).map((c) => ({ externalId: c.externalId, record: fitting.fit(c.externalId, withLastNameStandIn(c, contactRecord(c, settings))) }));
    try {
      for (const r of await upsertRecords(call, v, 'Contacts', again, checks)) results.set(r.externalId, r);
    } catch (e) {
      // The first call's contacts are written: only the ones still to create wait, as after any later call's outage.
      if (!(e instanceof CrmError) || e instanceof CrmAuthError || e instanceof CrmConfigError) throw e;
      for (const r of again) results.set(r.externalId, { externalId: r.externalId, status: 'retry', error: e });
    }
    return customers.map((c) => results.get(c.externalId)!);
  }

  async function changedCustomers(cursor: string | null, limit: number): Promise<ZohoChangedCustomers> {
    const from = readCursor(cursor);
    const perPage = Math.max(1, Math.min(limit, 200));
    const req: HttpRequest = {
      method: 'GET',
      url: `/crm/${v}/Contacts`,
      headers: from.since ? { 'If-Modified-Since': from.since } : {},
      qs: {
        fields: listedFields(settings),
        sort_by: 'Modified_Time',
        sort_order: 'asc',
        per_page: perPage,
        ...(from.pageToken ? { page_token: from.pageToken } : { page: from.page ?? 1 }),
      },
    };
    const res = await call(req);
    // 304: nothing changed since; 204: nothing at all.
    if (res.status === 304 || res.status === 204) return { customers: [], next: cursor ?? null, more: false };
    // A page token lives a day (info.page_token_expiry): one Zoho no longer takes restarts that listing from its
    // modified-since time; what the earlier pages held comes again, which the match index takes as no change.
    if (res.status === 400 && from.pageToken && (res.body as { details?: { param_name?: string } } | undefined)?.details?.param_name === 'page_token') {
      return changedCustomers(writeCursor({ since: from.since }), limit);
    }
    if (res.status !== 200) throw new CrmConfigError('zoho', `listing changed contacts was refused: ${zohoReason(res)}`);
    const answer: Answer = { crm: 'zoho', vendor: 'Zoho', req, res, then: 'the same page is asked for again' };
    const body = objectBody(answer) as ZohoPage<unknown>;
    const rows = recordsAt(answer, body.data, 'a data list');
    if (rows.some((r) => !idText(r.id))) throw unreadableAnswer(answer, 'with a contact without an id');
    const customers = rows.map((r) => remoteContact(r, settings));
    const info = isRecord(body.info) ? (body.info as NonNullable<ZohoPage<unknown>['info']>) : {};
    let next: Cursor;
    const newest = customers.reduce((at, c) => Math.max(at, Date.parse(c.updatedAt) || 0), 0);
    if (info.more_records) {
      // Pages by number or token are offsets into a list that moves: a contact on a page already read that changes
      // goes to the end, and the one that was first on the next page slides back onto the read one, never to be read.
      // So the next page starts from this page's newest second instead (read again; the index takes repeats as no
      // change). Only a page that lies wholly within the second it started from pages on by offset.
      const page = (from.page ?? 1) + 1;
      if (newest && newest - 1000 > (from.since ? Date.parse(from.since) : 0)) next = { since: isoSeconds(newest - 1000) };
      else next = info.next_page_token || page * perPage > PAGE_NUMBER_REACH ? { since: from.since, pageToken: info.next_page_token ?? undefined } : { since: from.since, page };
    } else {
      // Resume from the newest change seen, but no later than MODIFIED_TIME_LAG_MS before Zoho answered
      // (change-overlap.ts): that window is read again, which also covers a change made in the newest second (times
      // have one-second grain) after this read.
      const resume = newest || (from.since ? Date.parse(from.since) : undefined);
      next = resume === undefined ? {} : { since: isoSeconds(resumeFrom(resume, res, MODIFIED_TIME_LAG_MS)) };
    }
    return { customers, next: writeCursor(next), more: Boolean(info.more_records) };
  }

  return {
    name: 'zoho',
    // An upsert of 100 records costs 10 credits: the org's daily credits pace the calls over the rolling 24 h.
    limits: { batchSize: ZOHO_BATCH, requestsPerWindow: Math.max(1, Math.floor(settings.dailyCredits / 10)), windowMs: 24 * 60 * 60 * 1000 },
    upsertCustomers,
    upsertPayments,
    updateFields: async (batch) => {
      const fitting = fitter.call();
      const written = await upsertRecords(
        call,
        v,
        'Contacts',
        batch.map((u) => ({
          externalId: u.customerExternalId,
          record: fitting.fit(u.customerExternalId, { [settings.customerIdField]: u.customerExternalId, ...Object.fromEntries(Object.entries(u.fields).map(([k, val]) => [fieldName(k), val])) }),
        })),
        // Only by the pack's id: a field update must never land on another contact that shares an email.
        [settings.customerIdField],
        fieldResult,
      );
      return fitting.noted(written);
    },
    changedCustomers,
    notes: () => {
      const note = zone.note();
      return [...(note === undefined ? [] : [note]), ...fitter.take()];
    },
  };
}

/**
 * A field update for a contact Zoho does not have yet: the upsert would have to create it, and without a name it
 * cannot (MANDATORY_NOT_FOUND, Last_Name). The fields wait for the customer to be written, as every CRM's do.
 */
function fieldResult(externalId: string, r: ZohoRecordResult | undefined): CrmItemResult {
  if (r?.code !== 'MANDATORY_NOT_FOUND') return recordResult(externalId, r);
  return { externalId, status: 'retry', error: new CrmTransientError('zoho', `no Zoho contact carries customer id ${externalId} yet: its fields wait until the customer is written`) };
}

/** loyalty_tier → Loyalty_Tier, the API name Zoho gives a field labelled "Loyalty Tier". */
function titleCase(name: string): string {
  return name
    .split(/[_\s]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('_');
}

/**
 * How long after its Modified_Time a contact may first be listed. Zoho's API reference documents no such lag for
 * If-Modified-Since; the window is a precaution against a change written with a time before one already listed,
 * and costs only re-reading the contacts changed in it.
 */
export const MODIFIED_TIME_LAG_MS = 2 * 60_000;

interface Cursor {
  /** ISO 8601 with offset, for If-Modified-Since. */
  since?: string;
  page?: number;
  pageToken?: string;
}

function writeCursor(c: Cursor): string {
  return `zc1.${Buffer.from(JSON.stringify(c)).toString('base64url')}`;
}

function readCursor(cursor: string | null): Cursor {
  if (!cursor) return {};
  try {
    if (!cursor.startsWith('zc1.')) throw new Error('no zc1 prefix');
    const c = JSON.parse(Buffer.from(cursor.slice(4), 'base64url').toString('utf8')) as Cursor;
    return {
      ...(typeof c.since === 'string' ? { since: c.since } : {}),
      ...(typeof c.page === 'number' ? { page: c.page } : {}),
      ...(typeof c.pageToken === 'string' ? { pageToken: c.pageToken } : {}),
    };
  } catch {
    throw new CrmConfigError('zoho', `the change cursor "${cursor.slice(0, 40)}" was not made by this adapter: pass null to list from the beginning`);
  }
}

function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}
