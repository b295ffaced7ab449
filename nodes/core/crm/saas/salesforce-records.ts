import type { CustomerProfile } from '../../contracts/customer';
import { InputError } from '../../errors';
import { putContactFields, putPaymentFields } from './mapped-fields';
import type { CrmCustomer, CrmFieldUpdate, CrmPayment, CrmRemoteCustomer } from './crm-adapter';
import type { SalesforceSettings } from './salesforce-settings';

/** A record in an sObject Collections body: `attributes.type` plus field values. */
export type SObjectRecord = { attributes: { type: string } } & Record<string, unknown>;

/** 15- or 18-character record ids; anything else from a link table is not trusted into a request. */
export const SALESFORCE_ID = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;

/**
 * A customer as a Contact. LastName is left out when the pack has no name at all (the placeholder goes only on
 * a Contact being created, see `withLastNamePlaceholder`), so an update never overwrites a real name.
 */
export function contactRecord(settings: SalesforceSettings, c: CrmCustomer): SObjectRecord {
  const { object, externalIdField, fields: f } = settings.contact;
  const p = c.profile;
  const record: SObjectRecord = { attributes: { type: object }, [externalIdField]: c.externalId };
  putContactFields(record, f, p);
  return record;
}

export function hasLastName(settings: SalesforceSettings, record: SObjectRecord): boolean {
  const field = settings.contact.fields.familyName;
  return !!field && record[field] !== undefined;
}

export function withLastNamePlaceholder(settings: SalesforceSettings, record: SObjectRecord): SObjectRecord {
  const field = settings.contact.fields.familyName ?? 'LastName';
  return { ...record, [field]: settings.contact.lastNamePlaceholder };
}

/**
 * A payment as a record of the payment object. The Contact is named by its Salesforce id when the link table
 * knows it, else by the pack's customer id through the lookup's relationship (Contact__r: {Terminal_CRM_Id__c}),
 * which Salesforce resolves itself: no query first, and a retry after a lost answer resolves the same Contact.
 */
export function paymentRecord(settings: SalesforceSettings, p: CrmPayment): SObjectRecord {
  const { object, externalIdField, contactLookupField, fields: f } = settings.payment;
  const record: SObjectRecord = { attributes: { type: object }, [externalIdField]: p.externalId };
  if (p.customerCrmId && SALESFORCE_ID.test(p.customerCrmId)) record[contactLookupField] = p.customerCrmId;
  else record[relationshipName(contactLookupField)] = { [settings.contact.externalIdField]: p.customerExternalId };
  putPaymentFields(record, f, p);
  return record;
}

/** Contact__c → Contact__r; a standard lookup such as AccountId → Account. */
export function relationshipName(lookupField: string): string {
  if (/__c$/i.test(lookupField)) return lookupField.replace(/__c$/i, '__r');
  return lookupField.replace(/Id$/, '');
}

/** The Contact field a pack field name is written to: the operator's mapping, else `<name>__c`. */
export function customFieldName(settings: SalesforceSettings, packName: string): string | undefined {
  const mapped = settings.customFields[packName];
  if (mapped) return mapped;
  if (/__c$/i.test(packName)) return packName;
  const candidate = `${packName}__c`;
  // Salesforce API names allow no double underscore before the suffix and no leading digit.
  return /^[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*__c$/.test(candidate) ? candidate : undefined;
}

/** Field values for one customer, or the pack name that cannot be a Salesforce field. */
export function fieldUpdateRecord(settings: SalesforceSettings, u: CrmFieldUpdate): { record: SObjectRecord } | { unmapped: string } {
  const record: SObjectRecord = { attributes: { type: settings.contact.object }, [settings.contact.externalIdField]: u.customerExternalId };
  for (const [name, value] of Object.entries(u.fields)) {
    const field = customFieldName(settings, name);
    // The external id names the record; a field update must not be able to move it to another customer.
    if (!field || field.toLowerCase() === settings.contact.externalIdField.toLowerCase()) return { unmapped: name };
    record[field] = value;
  }
  return { record };
}

/** Every Contact field the local copy reads, the external id and the change stamp. */
export function contactQueryFields(settings: SalesforceSettings): string[] {
  const mapped = Object.values(settings.contact.fields).filter((f): f is string => !!f);
  return [...new Set(['Id', settings.contact.externalIdField, ...mapped, 'SystemModstamp'])];
}

/**
 * Keyset paging on (SystemModstamp, Id): a page boundary inside a run of records saved in the same second loses
 * none of them, which `SystemModstamp > last` alone would.
 */
export function changedContactsSoql(settings: SalesforceSettings, cursor: { at: string; id: string } | null, limit: number): string {
  const fields = contactQueryFields(settings).join(', ');
  const where = cursor ? ` WHERE SystemModstamp > ${cursor.at} OR (SystemModstamp = ${cursor.at} AND Id > '${cursor.id}')` : '';
  return `SELECT ${fields} FROM ${settings.contact.object}${where} ORDER BY SystemModstamp, Id LIMIT ${limit}`;
}

/** Salesforce's date-times end in +0000, which Date.parse reads only as +00:00. */
export function stampMs(stamp: string): number {
  return Date.parse(stamp.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
}

/** A SystemModstamp this module can read (a record without one cannot be a cursor or an updatedAt). */
export function isSoqlStamp(value: unknown): boolean {
  return typeof value === 'string' && Number.isFinite(stampMs(value));
}

/** SOQL datetime literals take no milliseconds; Salesforce keeps SystemModstamp to the second. */
export function soqlDateTime(stamp: string): string {
  const t = stampMs(stamp);
  if (Number.isNaN(t)) throw new InputError('cursor', `"${stamp}" is not a Salesforce date-time`, 'pass back the `next` value changedCustomers returned, or null');
  return new Date(Math.floor(t / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * How long after its SystemModstamp a record may first be seen by a query. Salesforce stamps a change when its
 * transaction starts, and a long-running one commits later: getUpdated()'s latestDateCovered (GetUpdatedResult,
 * SOAP API) is held at the start of a long-running transaction until it completes, so that changes "that started
 * after this date but did not complete before the endDate" are not missed. SOQL has no latestDateCovered, so a
 * caught-up cursor stays this far before Salesforce's answer and the next query reads that window again.
 */
export const SYSTEM_MODSTAMP_LAG_MS = 10 * 60_000;

/** Sorts before every record Id (Ids are 15 or 18 letters and digits): a cursor at the start of its second. */
export const FIRST_ID = '000000000000000';

export function encodeCursor(at: string, id: string): string {
  return `${soqlDateTime(at)}|${id}`;
}

/** Our own cursor, checked strictly: its parts go into a SOQL string. */
export function decodeCursor(cursor: string | null): { at: string; id: string } | null {
  if (!cursor) return null;
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)\|([a-zA-Z0-9]{15,18})$/.exec(cursor);
  if (!m) throw new InputError('cursor', `"${cursor}" is not a Salesforce changes cursor`, 'pass back the `next` value changedCustomers returned, or null to start over');
  return { at: m[1]!, id: m[2]! };
}

/** A queried Contact as the local copy holds it. The LastName placeholder is not a name. */
export function remoteCustomer(settings: SalesforceSettings, r: Record<string, unknown>): CrmRemoteCustomer {
  const f = settings.contact.fields;
  const text = (field: string | null): string | undefined => {
    const v = field ? r[field] : undefined;
    return typeof v === 'string' && v.trim() !== '' ? v : undefined;
  };
  const profile: CustomerProfile = {};
  const set = (k: keyof CustomerProfile, v: string | undefined) => {
    if (v !== undefined) profile[k] = v;
  };
  set('givenName', text(f.givenName));
  const last = text(f.familyName);
  set('familyName', last === settings.contact.lastNamePlaceholder ? undefined : last);
  set('email', text(f.email));
  set('phone', text(f.phone));
  set('street', text(f.street));
  set('city', text(f.city));
  set('postalCode', text(f.postalCode));
  set('region', text(f.region));
  set('country', text(f.country));
  set('dateOfBirth', text(f.dateOfBirth));
  const externalId = text(settings.contact.externalIdField);
  const stamp = String(r.SystemModstamp ?? '');
  return {
    crmId: String(r.Id),
    ...(externalId ? { externalId } : {}),
    profile,
    updatedAt: new Date(stampMs(stamp)).toISOString(),
  };
}
