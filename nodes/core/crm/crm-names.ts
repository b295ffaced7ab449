import { InputError } from '../errors';

/** The SaaS CRMs behind the CRM port (crm/saas/): written through the outbox, read into the store for matching. */
export const SAAS_CRM_NAMES = ['hubspot', 'salesforce', 'dynamics', 'pipedrive', 'zoho'] as const;
export type SaasCrmName = (typeof SAAS_CRM_NAMES)[number];

/** Each SaaS CRM as its users name it, for text a person reads (an alert mail). */
export const SAAS_CRM_LABELS: Readonly<Record<SaasCrmName, string>> = {
  hubspot: 'HubSpot',
  salesforce: 'Salesforce',
  dynamics: 'Dynamics 365',
  pipedrive: 'Pipedrive',
  zoho: 'Zoho CRM',
};

/** Every CRM the pack knows: the pack's own SQL store and the SaaS CRMs. */
export const CRM_NAMES = ['local', ...SAAS_CRM_NAMES] as const;
export type CrmName = (typeof CRM_NAMES)[number];

/**
 * The CRMs a step writes to directly (CRM Upsert, Segment, Loyalty): only the store. A SaaS CRM is slow,
 * rate-limited and sometimes down, so payments reach it through the store's outbox, never from a step.
 */
export const DIRECT_CRM_NAMES = ['local'] as const;
export type DirectCrmName = (typeof DIRECT_CRM_NAMES)[number];

export function isSaasCrmName(value: string): value is SaasCrmName {
  return (SAAS_CRM_NAMES as readonly string[]).includes(value);
}

/** A blank choice means the default; anything unknown is refused rather than silently written somewhere else. */
export function parseCrmName(value: string | undefined, field = 'crm'): DirectCrmName {
  const name = (value ?? '').trim() || 'local';
  if (!(DIRECT_CRM_NAMES as readonly string[]).includes(name)) {
    throw new InputError(field, `"${name}" is not a CRM this version can write to`, `choose one of: ${DIRECT_CRM_NAMES.join(', ')}`);
  }
  return name as DirectCrmName;
}

/** A SaaS CRM's name, as a CRM account (credential, config node) selects it. */
export function parseSaasCrmName(value: unknown, field = 'crm'): SaasCrmName {
  const name = typeof value === 'string' ? value.trim().toLowerCase() : '';
  if (!isSaasCrmName(name)) {
    // An expression's number or object is what was given, not "no CRM".
    const shown = typeof value === 'string' || value === undefined || value === null ? name : (JSON.stringify(value) ?? String(value));
    throw new InputError(field, shown ? `"${shown}" is not a CRM the pack has an adapter for` : 'no CRM is chosen', `choose one of: ${SAAS_CRM_NAMES.join(', ')}`);
  }
  return name;
}

/**
 * A face's optional SaaS CRM setting (the redrive's "also queue for"): blank is none, anything else is checked as
 * parseSaasCrmName checks it, so a misspelt CRM is refused by name rather than read as none.
 */
export function optionalSaasCrmName(value: unknown, field = 'crm'): SaasCrmName | undefined {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return undefined;
  return parseSaasCrmName(value, field);
}
