import type { CustomerProfile } from '../../contracts/customer';
import type { CrmCustomer, CrmFieldUpdate, CrmItemResult } from './crm-adapter';
import { writeBatch, type BatchInput, type HubSpotCall } from './hubspot-batch';
import { PROFILE_FIELDS, type HubSpotSettings } from './hubspot-settings';

const PROPERTY_NAME = /^[a-z][a-z0-9_]*$/;
/** HubSpot manages these itself; writing them is refused, so the pack never tries. */
const READ_ONLY = new Set(['hs_object_id', 'createdate', 'lastmodifieddate']);

export const contactsTarget = (s: HubSpotSettings, path: string) => ({
  path,
  objectLabel: 'contact',
  idProperty: s.contactIdProperty === 'email' ? undefined : { name: s.contactIdProperty, setting: 'hubspot.contactIdProperty (HUBSPOT_CONTACT_ID_PROPERTY)' },
  mappingSetting: 'hubspot.contactFields / hubspot.fieldMap (HUBSPOT_CONTACT_FIELDS / HUBSPOT_FIELD_MAP)',
});

/** The profile as contact properties; unknown values are left out, so a thin profile never blanks what HubSpot has. */
export function contactProperties(profile: CustomerProfile, s: HubSpotSettings): Record<string, string> {
  const out: Record<string, string> = {};
  for (const field of PROFILE_FIELDS) {
    const property = s.contactFields[field];
    const value = profile[field];
    if (property && value !== undefined && value.trim() !== '') out[property] = value;
  }
  // HubSpot shows a contact by first and last name; an unsplit full name would otherwise not show at all.
  const first = s.contactFields.givenName;
  if (first && !out[first] && !profile.familyName && profile.name?.trim()) out[first] = profile.name.trim();
  return out;
}

/**
 * Batch upsert by the unique property holding the pack's customer id: a contact that exists is updated, one that
 * does not is created, and a retried batch changes nothing. With `email` as the key, a customer without an email
 * cannot be written and is rejected with the reason.
 */
export async function upsertContacts(call: HubSpotCall, batch: readonly CrmCustomer[]): Promise<CrmItemResult[]> {
  const s = call.settings;
  const byEmail = s.contactIdProperty === 'email';
  const early = new Map<string, CrmItemResult>();
  const inputs: BatchInput[] = [];
  for (const c of latestPerId(batch, (c) => c.externalId)) {
    const properties = contactProperties(c.profile, s);
    const id = byEmail ? c.profile.email?.trim().toLowerCase() : c.externalId;
    if (!id) {
      early.set(c.externalId, { externalId: c.externalId, status: 'rejected', field: 'email', reason: `${c.externalId} has no email, and contacts are matched by email (hubspot.contactIdProperty = email); add an email or create a unique terminal_crm_id property` });
      continue;
    }
    if (byEmail) delete properties[s.contactFields.email ?? 'email'];
    inputs.push({ externalId: c.externalId, body: { id, idProperty: s.contactIdProperty, properties } });
  }
  const written = await writeBatch(call, contactsTarget(s, '/crm/v3/objects/contacts/batch/upsert'), inputs);
  return batch.map((c) => early.get(c.externalId) ?? written.get(c.externalId) ?? missing(c.externalId));
}

/**
 * Segment and loyalty fields as contact property updates. By the customer-id property, so no link table is needed;
 * an update never creates a contact (batch/update, not upsert): a customer HubSpot does not have yet is retried
 * after its upsert. With `email` as the key, the contact's HubSpot id from the link table is required.
 */
export async function updateContactFields(call: HubSpotCall, batch: readonly CrmFieldUpdate[]): Promise<CrmItemResult[]> {
  const s = call.settings;
  const byEmail = s.contactIdProperty === 'email';
  const early = new Map<string, CrmItemResult>();
  const inputs: BatchInput[] = [];
  for (const u of mergedPerId(batch)) {
    const key = u.customerExternalId;
    const properties: Record<string, string> = {};
    let refused: string | undefined;
    for (const [field, value] of Object.entries(u.fields)) {
      const property = field in s.fieldMap ? s.fieldMap[field] : field;
      if (property === null || property === undefined) continue;
      if (!PROPERTY_NAME.test(property) || READ_ONLY.has(property) || property === s.contactIdProperty) {
        refused = `"${field}" cannot be written to HubSpot as "${property}": map it to a contact property's internal name (lowercase letters, digits, underscores) in hubspot.fieldMap (HUBSPOT_FIELD_MAP)`;
        break;
      }
      // HubSpot clears a property given an empty string; booleans and numbers travel as text.
      properties[property] = value === null ? '' : String(value);
    }
    if (refused) {
      early.set(key, { externalId: key, status: 'rejected', reason: refused });
      continue;
    }
    if (byEmail && !u.customerCrmId) {
      early.set(key, { externalId: key, status: 'rejected', reason: `${key}: the contact's HubSpot id is not known, and contacts are matched by email; sync the customer first or create a unique terminal_crm_id property` });
      continue;
    }
    const body = byEmail ? { id: u.customerCrmId!, properties } : { id: key, idProperty: s.contactIdProperty, properties };
    inputs.push({ externalId: key, body });
  }
  const written = await writeBatch(call, contactsTarget(s, '/crm/v3/objects/contacts/batch/update'), inputs);
  return batch.map((u) => early.get(u.customerExternalId) ?? written.get(u.customerExternalId) ?? missing(u.customerExternalId));
}

/** HubSpot refuses a batch naming one id twice ("Duplicate IDs found in batch input"): the latest state wins. */
export function latestPerId<T>(batch: readonly T[], id: (x: T) => string): T[] {
  const m = new Map<string, T>();
  for (const x of batch) m.set(id(x), x);
  return [...m.values()];
}

function mergedPerId(batch: readonly CrmFieldUpdate[]): CrmFieldUpdate[] {
  const m = new Map<string, CrmFieldUpdate>();
  for (const u of batch) {
    const prev = m.get(u.customerExternalId);
    m.set(u.customerExternalId, prev ? { ...u, customerCrmId: u.customerCrmId ?? prev.customerCrmId, fields: { ...prev.fields, ...u.fields } } : u);
  }
  return [...m.values()];
}

function missing(externalId: string): CrmItemResult {
  return { externalId, status: 'rejected', reason: 'no result was produced for this record' };
}
