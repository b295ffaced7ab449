import type { CustomerProfile } from '../../contracts/customer';
import type { CrmCustomer, CrmRemoteCustomer } from './crm-adapter';
import { CrmAuthError, CrmConfigError } from './crm-errors';
import type { HttpRequest } from '../../http/http-transport';
import { idText, objectBody, recordsAt, type Answer } from './answer-shape';
import { zohoReason, zohoScopeMismatch, type ZohoCall } from './zoho-api';
import { ZOHO_SCOPES, ZOHO_SEARCH_SCOPE, type ZohoSettings } from './zoho-settings';
import { isRecord } from '../../json/json-values';

/** Pack profile field → Contacts field API name (Zoho's standard Contacts layout). */
const CONTACT_FIELDS = {
  givenName: 'First_Name',
  email: 'Email',
  phone: 'Phone',
  street: 'Mailing_Street',
  city: 'Mailing_City',
  postalCode: 'Mailing_Zip',
  region: 'Mailing_State',
  country: 'Mailing_Country',
  dateOfBirth: 'Date_of_Birth',
} as const satisfies Partial<Record<keyof CustomerProfile, string>>;

/**
 * A Contacts record for upsert. Last_Name carries the family name, or the full name when it could not be split;
 * with neither it is left out, so an upsert that updates a contact (one a salesperson typed in and named, found by
 * its email; a walk-in named in Zoho since) keeps the name there. Only a contact being created needs one:
 * `withLastNameStandIn`.
 */
export function contactRecord(c: CrmCustomer, settings: ZohoSettings): Record<string, unknown> {
  const p = c.profile;
  const record: Record<string, unknown> = { [settings.customerIdField]: c.externalId };
  const lastName = p.familyName?.trim() || p.name?.trim();
  if (lastName) record.Last_Name = lastName;
  for (const [from, to] of Object.entries(CONTACT_FIELDS) as [keyof typeof CONTACT_FIELDS, string][]) {
    const v = p[from]?.trim();
    if (v) record[to] = v;
  }
  return record;
}

/**
 * Zoho requires Last_Name on insert (MANDATORY_NOT_FOUND otherwise): a nameless customer Zoho has no contact for is
 * created under their email, or a stand-in naming the pack's id, which a salesperson can search for and rename.
 */
export function withLastNameStandIn(c: CrmCustomer, record: Record<string, unknown>): Record<string, unknown> {
  return { ...record, Last_Name: c.profile.email?.trim() || lastNameStandIn(c.externalId) };
}

export const lastNameStandIn = (externalId: string): string => `Card customer ${externalId}`;

/** Fields read for the match index: v8 wants them named (at most 50). */
export function listedFields(settings: ZohoSettings): string {
  return ['Last_Name', 'Full_Name', ...Object.values(CONTACT_FIELDS), 'Mobile', 'Modified_Time', settings.customerIdField].join(',');
}

export function remoteContact(r: Record<string, unknown>, settings: ZohoSettings): CrmRemoteCustomer {
  const text = (k: string) => (typeof r[k] === 'string' && (r[k] as string).trim() ? (r[k] as string) : undefined);
  const profile: CustomerProfile = {};
  const set = (key: keyof CustomerProfile, v: string | undefined) => {
    if (v) profile[key] = v;
  };
  const externalId = text(settings.customerIdField);
  // The stand-in a nameless contact was created with (its email, or the pack's id) is no name to match on.
  const last = text('Last_Name');
  const standIn = last !== undefined && (last === text('Email')?.trim() || (externalId !== undefined && last === lastNameStandIn(externalId)));
  set('givenName', text('First_Name'));
  if (!standIn) {
    set('familyName', last);
    set('name', text('Full_Name'));
  }
  set('email', text('Email'));
  set('phone', text('Phone') ?? text('Mobile'));
  set('street', text('Mailing_Street'));
  set('city', text('Mailing_City'));
  set('postalCode', text('Mailing_Zip'));
  set('region', text('Mailing_State'));
  set('country', text('Mailing_Country'));
  set('dateOfBirth', text('Date_of_Birth'));
  return { crmId: String(r.id), ...(externalId ? { externalId } : {}), profile, updatedAt: text('Modified_Time') ?? '' };
}

/** Zoho's search takes at most 10 criteria joined by `or`. */
const CRITERIA_MAX = 10;

/** Search pages of 200 go up to Zoho's 2,000 records per search. */
const SEARCH_PER_PAGE = 200;
const SEARCH_PAGES = 10;

/**
 * Contacts whose `field` holds one of `values` (GET …/Contacts/search?criteria=…), ten values per search, Zoho's
 * criteria limit; `fields` names the columns wanted back, Zoho's default set when absent. Zoho's `equals` "behaves
 * like contains" (v8 Search Records), so a value finds longer ones too (cus_1 finds cus_10): every page is read
 * (info.more_records), and callers take only the exact values.
 */
async function contactsWhere(call: ZohoCall, settings: ZohoSettings, field: string, values: readonly string[], fields?: string): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  const unique = [...new Set(values)];
  for (let i = 0; i < unique.length; i += CRITERIA_MAX) {
    const chunk = unique.slice(i, i + CRITERIA_MAX);
    const criteria = chunk.map((v) => `(${field}:equals:${escapeCriteria(v)})`).join('or');
    for (let page = 1; page <= SEARCH_PAGES; page++) {
      const req: HttpRequest = {
        method: 'GET',
        url: `/crm/${settings.apiVersion}/Contacts/search`,
        qs: { criteria: chunk.length > 1 ? `(${criteria})` : criteria, ...(fields ? { fields } : {}), per_page: SEARCH_PER_PAGE, ...(page > 1 ? { page } : {}) },
      };
      const res = await call(req, zohoScopeMismatch);
      if (zohoScopeMismatch(res)) {
        throw new CrmAuthError(
          'zoho',
          `searching Contacts was refused (OAUTH_SCOPE_MISMATCH): the refresh token was not granted ${ZOHO_SEARCH_SCOPE}, which Zoho's search needs — connect the credential again (n8n) or make a new refresh token with the scopes ${ZOHO_SCOPES.join(',')}`,
        );
      }
      if (res.status === 204) break;
      if (res.status !== 200) throw new CrmConfigError('zoho', `searching Contacts by ${field} was refused: ${zohoReason(res)}`);
      const answer: Answer = { crm: 'zoho', vendor: 'Zoho', req, res, then: 'the records are sent again' };
      const body = objectBody(answer);
      out.push(...recordsAt(answer, body.data, 'a data list'));
      if (!(isRecord(body.info) && body.info.more_records === true)) break;
    }
  }
  return out;
}

/**
 * Contact ids for pack customer ids, by the unique id field. A value appears with several ids only if the field
 * lost its uniqueness, which a person must sort out.
 */
export async function contactIdsOf(call: ZohoCall, settings: ZohoSettings, externalIds: readonly string[]): Promise<Map<string, string[]>> {
  const found = new Map<string, string[]>();
  for (const r of await contactsWhere(call, settings, settings.customerIdField, externalIds)) {
    const key = r[settings.customerIdField];
    const id = idText(r.id);
    if (typeof key === 'string' && id) found.set(key, [...(found.get(key) ?? []), id]);
  }
  return found;
}

/**
 * Who holds these emails in Zoho: for each email (lower-cased), the pack id of every contact that has it ('' for a
 * contact a salesperson typed in, which carries none).
 */
export async function emailHolders(call: ZohoCall, settings: ZohoSettings, emails: readonly string[]): Promise<Map<string, string[]>> {
  const held = new Map<string, string[]>();
  const rows = await contactsWhere(call, settings, 'Email', emails.map((e) => e.trim().toLowerCase()), `Email,${settings.customerIdField}`);
  for (const r of rows) {
    if (typeof r.Email !== 'string') continue;
    const email = r.Email.trim().toLowerCase();
    const id = r[settings.customerIdField];
    held.set(email, [...(held.get(email) ?? []), typeof id === 'string' ? id : '']);
  }
  return held;
}

/** Zoho criteria escape parentheses and commas in values with a backslash. */
function escapeCriteria(v: string): string {
  return v.replace(/[(),\\]/g, (c) => `\\${c}`);
}
