import type { CustomerProfile } from '../../contracts/customer';
import { InputError } from '../../errors';
import { putContactFields, putPaymentFields, putMapped } from './mapped-fields';
import type { CrmCustomer, CrmFieldUpdate, CrmPayment, CrmRemoteCustomer } from './crm-adapter';
import type { DynamicsSettings } from './dynamics-settings';

export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `contacts(terminalcrm_externalid='cus_1')`: a row by its alternate key. Quotes are doubled (OData string
 * literal) and the rest percent-encoded, so a key value can never end the literal.
 */
export function keyPath(entitySet: string, keyColumn: string, value: string): string {
  return `${entitySet}(${keyColumn}='${encodeURIComponent(dataverseKeyValue(value).replace(/'/g, "''"))}')`;
}

/** What Dataverse cannot read in an alternate key value, percent-encoded or not, and the escape character itself. */
const KEY_UNSAFE = /[/<>*%&:\\?+~]/g;

/**
 * A pack key as an alternate key value. Dataverse documents that GET, update and upsert by a key holding any of
 * / < > * % & : \\ ? + do not work, and every payment key has a colon (stripe:pi_1): those characters are written as
 * ~ and two hex digits (stripe~3Api_1), one value for one key. Customer ids (cus_…) have none and stay as they are.
 */
export function dataverseKeyValue(value: string): string {
  return value.replace(KEY_UNSAFE, (c) => `~${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** A customer as contact columns. The alternate key stays out of the body: the URL carries it. */
export function contactBody(settings: DynamicsSettings, c: CrmCustomer): Record<string, unknown> {
  const f = settings.contact.fields;
  const p = c.profile;
  const row: Record<string, unknown> = {};
  putContactFields(row, f, p);
  return row;
}

/**
 * A payment row. The contact lookup is bound by GUID when the link table knows it, else by the contact's
 * alternate key, which Dataverse resolves itself (a missing contact answers 404, and the payment waits).
 */
export function paymentBody(settings: DynamicsSettings, p: CrmPayment): Record<string, unknown> {
  const f = settings.payment.fields;
  const contact = settings.contact;
  const row: Record<string, unknown> = {
    [`${settings.payment.contactNavigation}@odata.bind`]:
      p.customerCrmId && GUID.test(p.customerCrmId) ? `/${contact.entitySet}(${p.customerCrmId})` : `/${keyPath(contact.entitySet, contact.alternateKey, p.customerExternalId)}`,
  };
  putMapped(row, f.name, p.externalId);
  putPaymentFields(row, f, p);
  return row;
}

/** The contact column of a pack field: the operator's mapping, else the publisher prefix (terminal_crm_segment → terminalcrm_segment). */
export function customColumn(settings: DynamicsSettings, packName: string): string | undefined {
  const mapped = settings.customFields[packName];
  if (mapped) return mapped;
  const name = packName.toLowerCase();
  const prefix = settings.customFieldPrefix;
  const column = name.startsWith(prefix) ? name : `${prefix}${name.replace(/^terminal_crm_/, '')}`;
  return /^[a-z][a-z0-9_]*$/.test(column) ? column : undefined;
}

export function fieldUpdateBody(settings: DynamicsSettings, u: CrmFieldUpdate): { body: Record<string, unknown> } | { unmapped: string } {
  const body: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(u.fields)) {
    const column = customColumn(settings, name);
    // The alternate key names the row; a field update must not be able to move it to another customer.
    if (!column || column === settings.contact.alternateKey) return { unmapped: name };
    body[column] = value;
  }
  return { body };
}

/** Columns the local copy reads: the id, the pack's key, the mapped profile columns, the change stamp. */
export function contactSelect(settings: DynamicsSettings): string[] {
  const mapped = Object.values(settings.contact.fields).filter((c): c is string => !!c);
  return [...new Set([settings.contact.idColumn, settings.contact.alternateKey, ...mapped, 'modifiedon'])];
}

/** The first page of contacts changed after `since` (or all), oldest change first, the primary key breaking ties. */
export function changedContactsUrl(settings: DynamicsSettings, since: string | null): string {
  const api = `${settings.url}/api/data/${settings.apiVersion}`;
  const qs = [`$select=${contactSelect(settings).join(',')}`];
  if (since) qs.push(`$filter=${encodeURIComponent(`modifiedon gt ${since}`)}`);
  qs.push(`$orderby=${encodeURIComponent(`modifiedon asc,${settings.contact.idColumn} asc`)}`);
  return `${api}/${settings.contact.entitySet}?${qs.join('&')}`;
}

/** A date-time cursor (UTC, as changedCustomers writes one when caught up), which goes into `modifiedon gt`. */
export function isDateTimeCursor(cursor: string): boolean {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,7})?Z$/.test(cursor);
}

/**
 * How long after its modifiedon a contact may first be seen by a query. Dataverse documents no such lag (its own
 * incremental sync is change tracking's delta links, not modifiedon); but modifiedon is stamped inside the
 * operation's transaction, which synchronous plug-ins run within, so a change may commit after a later-stamped one
 * was read. A caught-up cursor stays this far before Dataverse's answer and the next query reads that window
 * again. A precaution, not a vendor figure.
 */
export const MODIFIEDON_LAG_MS = 5 * 60_000;

/** The most rows Dataverse returns a page ("Page results": a larger odata.maxpagesize is ignored). */
export const DATAVERSE_PAGE_MAX = 5000;

/**
 * The cursor for the page after this one: the @odata.nextLink as Dataverse gave it, with the page size it was asked
 * with after a "#", which is never sent. Dataverse's "Page results" asks that every request for the following pages
 * use the odata.maxpagesize of the first, so the size goes with the link (across restarts, and when the caller's
 * page size changes) instead of being taken from the caller again.
 */
export function nextLinkCursor(nextLink: string, pageSize: number): string {
  return `${nextLink}#odata.maxpagesize=${pageSize}`;
}

/**
 * A cursor is either the @odata.nextLink of the previous page (Dataverse's paging cookie: exact, survives ties),
 * with the page size it was asked with (nextLinkCursor; a link kept by an earlier version has none), or a
 * date-time. Both are checked: a nextLink must point at this environment's contacts (the token goes with it), a
 * date-time goes into $filter.
 */
export function changedContactsRequest(settings: DynamicsSettings, cursor: string | null): { url: string; pageSize?: number } {
  if (!cursor) return { url: changedContactsUrl(settings, null) };
  const list = `${settings.url}/api/data/${settings.apiVersion}/${settings.contact.entitySet}?`;
  if (cursor.startsWith(list)) {
    const at = cursor.lastIndexOf('#');
    if (at < 0) return { url: cursor };
    const size = /^#odata\.maxpagesize=(\d{1,4})$/.exec(cursor.slice(at));
    const pageSize = size ? Number(size[1]) : 0;
    if (pageSize >= 1 && pageSize <= DATAVERSE_PAGE_MAX) return { url: cursor.slice(0, at), pageSize };
  }
  if (isDateTimeCursor(cursor)) return { url: changedContactsUrl(settings, cursor) };
  throw new InputError('cursor', `"${cursor.slice(0, 80)}" is not a Dynamics changes cursor`, 'pass back the `next` value changedCustomers returned, an ISO date-time in UTC, or null');
}

export function remoteCustomer(settings: DynamicsSettings, row: Record<string, unknown>): CrmRemoteCustomer {
  const f = settings.contact.fields;
  const text = (column: string | null): string | undefined => {
    const v = column ? row[column] : undefined;
    return typeof v === 'string' && v.trim() !== '' ? v : undefined;
  };
  const profile: CustomerProfile = {};
  const keys: [keyof CustomerProfile, string | null][] = [
    ['givenName', f.givenName], ['familyName', f.familyName], ['email', f.email], ['phone', f.phone], ['street', f.street],
    ['city', f.city], ['postalCode', f.postalCode], ['region', f.region], ['country', f.country], ['dateOfBirth', f.dateOfBirth],
  ];
  for (const [k, column] of keys) {
    const v = text(column);
    if (v !== undefined) profile[k] = v;
  }
  const externalId = text(settings.contact.alternateKey);
  return {
    crmId: String(row[settings.contact.idColumn]),
    ...(externalId ? { externalId } : {}),
    profile,
    updatedAt: new Date(Date.parse(String(row.modifiedon))).toISOString(),
  };
}
