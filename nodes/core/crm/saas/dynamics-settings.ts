import { z } from 'zod/v4';
import { InputError, issueText } from '../../errors';
import { webUrlSetting } from '../../http/web-url';
import { settingErrorByVariable } from './setting-error-by-variable';
import { textUpTo, wholeUpTo, type FieldLimits } from './field-lengths';

/**
 * Dynamics 365 / Dataverse settings. Entity set names, key columns and navigation properties go into URLs, so
 * each is checked against Dataverse's naming rule here and an error names the setting.
 */

/** Logical names: lower case, prefix_name (Dataverse's own rule). Navigation properties keep their schema-name case. */
const LOGICAL = /^[a-z][a-z0-9_]*$/;
const SCHEMA = /^[A-Za-z][A-Za-z0-9_]*$/;
const logical = (what: string) => z.string().trim().regex(LOGICAL, `is not a Dataverse logical name (${what}: lower-case letters, digits and underscores, such as terminalcrm_externalid)`);
const schemaName = z.string().trim().regex(SCHEMA, 'is not a Dataverse navigation property name (letters, digits and underscores, such as terminalcrm_Contact)');

/** An address alone, https only: the environment URL is also the token's scope (http/web-url.ts webUrlFault). */
const httpsUrl = (example: string) => webUrlSetting({ kind: 'origin', httpsOnly: true, example: `e.g. ${example}` });

export const DynamicsAuthSchema = z.object({
  tenantId: z.string().trim().min(1, 'is empty'),
  clientId: z.string().trim().min(1, 'is empty'),
  clientSecret: z.string().trim().min(1, 'is empty'),
  /** Entra ID's host; another for national clouds (login.microsoftonline.us, login.partner.microsoftonline.cn). */
  authorityUrl: httpsUrl('https://login.microsoftonline.com, or the national cloud\'s sign-in host').default('https://login.microsoftonline.com'),
});
export type DynamicsAuth = z.infer<typeof DynamicsAuthSchema>;

/**
 * The default maximum lengths of the contact columns the pack writes, or an operator maps a profile field to
 * (Dataverse table reference: contact, learn.microsoft.com/power-apps/developer/data-platform/reference/entities/contact,
 * each column's MaxLength: firstname, lastname, middlename 50; emailaddress1 100; telephone1 "Business Phone",
 * telephone2 "Home Phone", mobilephone 50; address1_line1, _line2, _line3 "Street 1–3" 250; address1_city 80;
 * address1_stateorprovince 50; address1_postalcode 20; address1_country 80. Business Central's "CRM Contact" table
 * mirrors them). A longer value is refused with 400 "…exceeded the maximum allowed length of '50'". fullname is
 * computed by Dataverse from the name columns, never written. A customized length is the org's own.
 */
export const DYNAMICS_CONTACT_LIMITS: FieldLimits = {
  firstname: textUpTo(50),
  lastname: textUpTo(50),
  emailaddress1: wholeUpTo(100),
  mobilephone: wholeUpTo(50),
  telephone1: wholeUpTo(50),
  telephone2: wholeUpTo(50),
  address1_line1: textUpTo(250),
  address1_line2: textUpTo(250),
  address1_line3: textUpTo(250),
  address1_city: textUpTo(80),
  address1_postalcode: wholeUpTo(20),
  address1_stateorprovince: textUpTo(50),
  address1_country: textUpTo(80),
};

/** Pack profile field → contact column. */
const DEFAULT_CONTACT_FIELDS = {
  givenName: 'firstname',
  familyName: 'lastname',
  email: 'emailaddress1',
  // Terminal customers give the number they carry: a mobile (telephone1 is "Business Phone").
  phone: 'mobilephone',
  street: 'address1_line1',
  city: 'address1_city',
  postalCode: 'address1_postalcode',
  region: 'address1_stateorprovince',
  country: 'address1_country',
  dateOfBirth: 'birthdate',
};

/**
 * Pack payment field → column of the payment table. Money as whole numbers of minor units: a Currency column is
 * tied to one transaction currency record and a decimal, so amounts in several currencies would need floats.
 */
const DEFAULT_PAYMENT_FIELDS = {
  name: 'terminalcrm_name',
  source: 'terminalcrm_source',
  // Not terminalcrm_paymentid: that is the table's own primary key column.
  paymentId: 'terminalcrm_processorpaymentid',
  amountMinor: 'terminalcrm_amountminor',
  refundedMinor: 'terminalcrm_refundedminor',
  currency: 'terminalcrm_currency',
  status: 'terminalcrm_status',
  occurredAt: 'terminalcrm_occurredon',
  cardBrand: 'terminalcrm_cardbrand',
  cardLast4: 'terminalcrm_cardlast4',
  entryMode: 'terminalcrm_entrymode',
  wallet: 'terminalcrm_wallet',
  readerId: 'terminalcrm_readerid',
  locationId: 'terminalcrm_locationid',
};

/** Only the pack's own field names are accepted as keys, so a typo is an error, not a silent no-op. */
const fieldMap = <T extends Record<string, string>>(defaults: T) =>
  z
    .partialRecord(z.enum(Object.keys(defaults) as [keyof T & string, ...(keyof T & string)[]]), logical('column').nullable())
    .default({})
    .transform((m) => ({ ...defaults, ...m }) as Record<keyof T, string | null>);

export const DynamicsSettingsSchema = z.object({
  /** The environment's URL (Power Platform admin center → Environments → Environment URL); also the API base. */
  url: httpsUrl('https://contoso.crm.dynamics.com (Power Platform admin center → Environments → Environment URL)'),
  apiVersion: z.string().trim().regex(/^v9\.\d$/, 'is not a Dataverse Web API version such as v9.2').default('v9.2'),
  /** The app registration's sign-in: the core fetches the token with it in every face (inside n8n too, sent through n8n's request helper). */
  auth: DynamicsAuthSchema.optional(),
  contact: z
    .object({
      entitySet: logical('entity set').default('contacts'),
      idColumn: logical('column').default('contactid'),
      /** The column of the alternate key holding the pack's customer id (cus_…). */
      alternateKey: logical('column').default('terminalcrm_externalid'),
      fields: fieldMap(DEFAULT_CONTACT_FIELDS),
    })
    .prefault({}),
  /**
   * Payments go to a custom table (one row per payment, alternate key on the payment key, lookup to contact), not
   * to Opportunities or invoices: a card payment is a completed fact, not a sales stage, and a refund must update
   * the same row. The lookup is set by binding to the contact's alternate key, so a payment never waits for a
   * query of the contact's GUID.
   */
  payment: z
    .object({
      entitySet: logical('entity set').default('terminalcrm_payments'),
      idColumn: logical('column').default('terminalcrm_paymentid'),
      alternateKey: logical('column').default('terminalcrm_paymentkey'),
      /** The lookup's single-valued navigation property, case as in $metadata (the schema name). */
      contactNavigation: schemaName.default('terminalcrm_Contact'),
      fields: fieldMap(DEFAULT_PAYMENT_FIELDS),
    })
    .prefault({}),
  /** Publisher prefix of unmapped Segment/Loyalty fields: loyalty_tier → terminalcrm_loyalty_tier. */
  customFieldPrefix: logical('prefix').default('terminalcrm_'),
  /** Pack field names (terminal_crm_segment, loyalty_tier…) → contact columns, where the prefix rule does not fit. */
  customFields: z.record(z.string(), logical('column')).default({}),
  /**
   * Requests per $batch. Dataverse takes up to 1000, but advises small batches: a batch counts as one request for
   * the 6000-per-5-minutes limit yet all its execution time counts toward the 20-minute one, and a long batch runs
   * into the 2-minute request timeout.
   */
  batchSize: z.number().int().min(1).max(1000, 'is more than 1000, the most Dataverse takes in one $batch').default(100),
  timeoutMs: z.number().int().positive().default(120_000),
});
export type DynamicsSettings = z.infer<typeof DynamicsSettingsSchema>;
export type DynamicsSettingsInput = z.input<typeof DynamicsSettingsSchema>;

const FIXES: Record<string, string> = {
  url: 'give the Environment URL from the Power Platform admin center, e.g. https://contoso.crm.dynamics.com',
  apiVersion: 'use v9.2',
  'auth.tenantId': 'copy the Directory (tenant) ID from the app registration in Entra ID',
  'auth.clientId': 'copy the Application (client) ID from the app registration in Entra ID',
  'auth.clientSecret': "create a client secret under the app registration's Certificates & secrets and copy its Value",
  'auth.authorityUrl': 'leave it empty for https://login.microsoftonline.com, or give your national cloud login host',
  batchSize: 'use a number from 1 to 1000 (100 is a good start)',
};

function fixFor(path: string): string {
  if (FIXES[path]) return FIXES[path];
  if (/contactNavigation$/.test(path)) return 'give the navigation property of the lookup as $metadata spells it, e.g. terminalcrm_Contact';
  if (/(entitySet|idColumn|alternateKey|customFieldPrefix)$|fields\.|customFields\./.test(path)) {
    return 'give the logical name as Power Apps → Tables → Columns (or Keys) shows it, e.g. terminalcrm_externalid';
  }
  return 'correct the value or leave it out for the default';
}

/** Parses settings from a face or the environment; a wrong value is an InputError naming `dynamics.<field>`. */
export function parseDynamicsSettings(input: unknown, prefix = 'dynamics'): DynamicsSettings {
  const r = DynamicsSettingsSchema.safeParse(input ?? {});
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const path = issue.path.map(String).join('.');
    const problem = path === 'url' && issue.code === 'invalid_type' ? 'is not set' : issueText(issue);
    throw new InputError(`${prefix}.${path}`, problem, fixFor(path));
  }
  return r.data;
}

export const DYNAMICS_ENV = {
  url: 'DYNAMICS_URL',
  tenantId: 'DYNAMICS_TENANT_ID',
  clientId: 'DYNAMICS_CLIENT_ID',
  clientSecret: 'DYNAMICS_CLIENT_SECRET',
  authorityUrl: 'DYNAMICS_AUTHORITY_URL',
} as const;

/** Settings from the environment (the sandbox, the Temporal worker, the CLI). */
export function dynamicsSettingsFromEnv(env: NodeJS.ProcessEnv = process.env, extra: Partial<DynamicsSettingsInput> = {}): DynamicsSettings {
  const get = (name: string) => env[name]?.trim() || undefined;
  const E = DYNAMICS_ENV;
  for (const key of ['url', 'tenantId', 'clientId', 'clientSecret'] as const) {
    if (!get(E[key])) throw new InputError(E[key], 'is not set', fixFor(key === 'url' ? 'url' : `auth.${key}`));
  }
  const auth: Record<string, string> = { tenantId: get(E.tenantId)!, clientId: get(E.clientId)!, clientSecret: get(E.clientSecret)! };
  if (get(E.authorityUrl)) auth.authorityUrl = get(E.authorityUrl)!;
  try {
    return parseDynamicsSettings({ ...extra, url: get(E.url), auth });
  } catch (e) {
    throw settingErrorByVariable('dynamics', e, env, (path) => (E as Record<string, string>)[path.replace(/^auth\./, '')]);
  }
}
