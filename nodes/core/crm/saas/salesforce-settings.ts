import { readFileSync } from 'node:fs';
import { z } from 'zod/v4';
import { InputError, issueText } from '../../errors';
import { webUrlSetting } from '../../http/web-url';
import { settingErrorByVariable } from './setting-error-by-variable';
import { textUpTo, wholeUpTo, type FieldLimits } from './field-lengths';

/**
 * Salesforce settings. Every name that ends up in a URL or a SOQL query is checked against Salesforce's API-name
 * rules here, so a typo is an error that names the setting instead of an injection or a 404 at 3 a.m.
 */

/** Object and field API names: letters, digits, single underscores, `__c`/`__r` suffixes (Salesforce's own rule). */
const API_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
const apiName = (what: string) =>
  z.string().trim().regex(API_NAME, `is not a Salesforce API name (${what}: letters, digits and underscores, such as Terminal_CRM_Id__c)`);

/** Tokens and the client secret go there: https only (http/web-url.ts webUrlFault). */
const httpsUrl = (example: string) => webUrlSetting({ httpsOnly: true, example: `e.g. ${example}` });

/**
 * One release behind the newest (67.0, Summer '26): Salesforce moves its instances to a new release over several
 * weeks, and an org not yet upgraded answers 404 for a version it does not know.
 */
export const SALESFORCE_DEFAULT_API_VERSION = 'v66.0';

export const SalesforceAuthSchema = z.discriminatedUnion('flow', [
  /** OAuth 2.0 JWT bearer: a connected app's consumer key, the integration user, and the key its certificate belongs to. */
  z.object({
    flow: z.literal('jwt_bearer'),
    clientId: z.string().trim().min(1, 'is empty'),
    username: z.string().trim().min(1, 'is empty'),
    privateKey: z.string().refine((v) => v.includes('PRIVATE KEY-----'), 'is not a PEM private key'),
  }),
  /** OAuth 2.0 client credentials: only served on the org's My Domain URL, not on login.salesforce.com. */
  z.object({
    flow: z.literal('client_credentials'),
    clientId: z.string().trim().min(1, 'is empty'),
    clientSecret: z.string().trim().min(1, 'is empty'),
  }),
]);
export type SalesforceAuth = z.infer<typeof SalesforceAuthSchema>;

/**
 * The lengths of the standard Contact fields the pack writes (Salesforce Field Reference: Contact, "Length"; Object
 * Reference: Contact): a longer value is refused with STRING_TOO_LONG. The payment object is the operator's own.
 */
export const SALESFORCE_CONTACT_LIMITS: FieldLimits = {
  FirstName: textUpTo(40),
  LastName: textUpTo(80),
  Email: wholeUpTo(80),
  Phone: wholeUpTo(40),
  MobilePhone: wholeUpTo(40),
  MailingStreet: textUpTo(255),
  MailingCity: textUpTo(40),
  MailingState: textUpTo(80),
  MailingPostalCode: wholeUpTo(20),
  MailingCountry: textUpTo(80),
};

/** Pack profile field → Contact field. Absent or null: not written. */
const DEFAULT_CONTACT_FIELDS = {
  givenName: 'FirstName',
  familyName: 'LastName',
  email: 'Email',
  // Terminal customers give the number they carry: a mobile.
  phone: 'MobilePhone',
  street: 'MailingStreet',
  city: 'MailingCity',
  postalCode: 'MailingPostalCode',
  region: 'MailingState',
  // The pack holds ISO 3166 alpha-2, which is what the country code field takes once State and Country/Territory
  // Picklists are on (the default for new orgs). Orgs without picklists map this to MailingCountry.
  country: 'MailingCountryCode',
  dateOfBirth: 'Birthdate',
};

/**
 * Pack payment field → field of the payment object. Money goes as integer minor units (Number(18,0) fields): a
 * Currency field is a decimal in the org's currency, so a USD and a JPY payment could not share it without floats.
 */
const DEFAULT_PAYMENT_FIELDS = {
  source: 'Source__c',
  paymentId: 'Payment_Id__c',
  amountMinor: 'Amount_Minor__c',
  refundedMinor: 'Refunded_Minor__c',
  currency: 'Currency__c',
  status: 'Status__c',
  occurredAt: 'Occurred_At__c',
  cardBrand: 'Card_Brand__c',
  cardLast4: 'Card_Last4__c',
  entryMode: 'Entry_Mode__c',
  wallet: 'Wallet__c',
  readerId: 'Reader_Id__c',
  locationId: 'Location_Id__c',
};

/** Only the pack's own field names are accepted as keys, so a typo ("emial") is an error, not a silent no-op. */
const fieldMap = <T extends Record<string, string>>(defaults: T) =>
  z
    .partialRecord(z.enum(Object.keys(defaults) as [keyof T & string, ...(keyof T & string)[]]), apiName('field').nullable())
    .default({})
    .transform((m) => ({ ...defaults, ...m }) as Record<keyof T, string | null>);

export const SalesforceSettingsSchema = z.object({
  /** Where tokens come from: login.salesforce.com, test.salesforce.com (sandboxes) or the org's My Domain URL. */
  loginUrl: httpsUrl('https://login.salesforce.com, https://test.salesforce.com or the org\'s My Domain URL').default('https://login.salesforce.com'),
  /** Where API calls go. Empty: the instance_url the token response names, which follows org migrations. */
  baseUrl: httpsUrl('the org\'s My Domain URL, such as https://acme.my.salesforce.com, or leave it empty').optional(),
  apiVersion: z
    .string()
    .trim()
    .regex(/^v?\d{2,3}\.0$/, 'is not a Salesforce API version such as v66.0')
    .transform((v) => (v.startsWith('v') ? v : `v${v}`))
    .default(SALESFORCE_DEFAULT_API_VERSION),
  /** The connected app's sign-in: the core fetches the token with it in every face (inside n8n too, sent through n8n's request helper). */
  auth: SalesforceAuthSchema.optional(),
  contact: z
    .object({
      object: apiName('object').default('Contact'),
      /** An External ID + Unique text field holding the pack's customer id (cus_…). */
      externalIdField: apiName('field').default('Terminal_CRM_Id__c'),
      fields: fieldMap(DEFAULT_CONTACT_FIELDS),
      /** LastName is required on a Contact; a walk-in with no name gets this, and only when the Contact is created. */
      lastNamePlaceholder: z.string().trim().min(1, 'is empty').max(80, 'is longer than 80 characters').default('Terminal customer'),
    })
    .prefault({}),
  /**
   * Payments go to a custom object, not to Opportunities: a card payment is a fact that happened, not a deal in a
   * pipeline. An Opportunity needs a stage, a close date and usually an Account, would show in forecasts and win
   * rates, and a refund would have to move a "Closed Won" deal. A custom object with an External ID on the payment
   * key is upserted like the Contact, so a refund updates the same record, and its lookup to Contact puts the
   * payments in the Contact's related list.
   */
  payment: z
    .object({
      object: apiName('object').default('Terminal_Payment__c'),
      externalIdField: apiName('field').default('Payment_Key__c'),
      /** The lookup field to Contact; its relationship name (…__r) lets a payment name its Contact by external id. */
      contactLookupField: apiName('field').default('Contact__c'),
      fields: fieldMap(DEFAULT_PAYMENT_FIELDS),
    })
    .prefault({}),
  /**
   * Pack field names written by Segment and Loyalty (terminal_crm_segment, loyalty_tier…) → Contact fields.
   * Unmapped names get `__c` appended (Salesforce field names are case-insensitive, so loyalty_tier__c matches a
   * field labelled Loyalty Tier with API name Loyalty_Tier__c).
   */
  customFields: z.record(z.string(), apiName('field')).default({}),
  /**
   * The org's rolling 24-hour API request allocation this integration may use. 15,000 is the smallest edition
   * allocation; an Enterprise org has 100,000 plus 1,000 per licence, shared with every other integration.
   */
  dailyRequestLimit: z.number().int().positive().default(15_000),
  /** How long to stop after the org's 24-hour allocation is used up (Salesforce says nothing about when it frees). */
  dailyLimitPauseMs: z.number().int().positive().default(60 * 60 * 1000),
  timeoutMs: z.number().int().positive().default(30_000),
});
export type SalesforceSettings = z.infer<typeof SalesforceSettingsSchema>;
export type SalesforceSettingsInput = z.input<typeof SalesforceSettingsSchema>;

const FIXES: Record<string, string> = {
  loginUrl: 'use https://login.salesforce.com, https://test.salesforce.com for a sandbox, or your My Domain URL',
  baseUrl: 'leave it empty to use the instance URL Salesforce returns with the token, or give https://<MyDomain>.my.salesforce.com',
  apiVersion: 'use a version such as v66.0 (Setup → Apex Classes → Version shows what your org runs)',
  'auth.clientId': "copy the connected app's Consumer Key (Setup → App Manager → View)",
  'auth.username': 'give the username of the integration user the connected app is pre-authorized for',
  'auth.privateKey': 'paste the PEM private key (-----BEGIN PRIVATE KEY-----…) whose certificate is uploaded to the connected app',
  'auth.clientSecret': "copy the connected app's Consumer Secret",
  'auth.flow': 'use "jwt_bearer" (private key) or "client_credentials" (client secret)',
};

function fixFor(path: string): string {
  if (FIXES[path]) return FIXES[path];
  if (/\.(object|externalIdField|contactLookupField)$|fields\.|customFields\./.test(path)) {
    return 'give the API name as Setup → Object Manager shows it, e.g. Terminal_CRM_Id__c';
  }
  return 'correct the value or leave it out for the default';
}

/** Parses settings from a face or the environment; a wrong value is an InputError naming `salesforce.<field>`. */
export function parseSalesforceSettings(input: unknown, prefix = 'salesforce'): SalesforceSettings {
  const r = SalesforceSettingsSchema.safeParse(input ?? {});
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const path = issue.path.map(String).join('.');
    throw new InputError(`${prefix}.${path}`, issueText(issue), fixFor(path));
  }
  const s = r.data;
  if (s.auth?.flow === 'client_credentials' && /^https:\/\/(login|test)\.salesforce\.com$/i.test(s.loginUrl)) {
    throw new InputError(
      `${prefix}.loginUrl`,
      'the client credentials flow is not served on login.salesforce.com or test.salesforce.com',
      'use your My Domain URL, e.g. https://acme.my.salesforce.com',
    );
  }
  return s;
}

/** The environment variables the sandbox, the Temporal worker and the CLI read. */
export const SALESFORCE_ENV = {
  loginUrl: 'SALESFORCE_LOGIN_URL',
  clientId: 'SALESFORCE_CLIENT_ID',
  clientSecret: 'SALESFORCE_CLIENT_SECRET',
  username: 'SALESFORCE_USERNAME',
  privateKey: 'SALESFORCE_PRIVATE_KEY',
  baseUrl: 'SALESFORCE_BASE_URL',
  apiVersion: 'SALESFORCE_API_VERSION',
} as const;

/**
 * Settings from the environment. SALESFORCE_PRIVATE_KEY with SALESFORCE_USERNAME selects the JWT bearer flow,
 * SALESFORCE_CLIENT_SECRET the client credentials flow. The key is the PEM itself (literal "\n" allowed, as
 * one-line variables need) or the path of a PEM file.
 */
export function salesforceSettingsFromEnv(env: NodeJS.ProcessEnv = process.env, extra: Partial<SalesforceSettingsInput> = {}): SalesforceSettings {
  const get = (name: string) => env[name]?.trim() || undefined;
  const E = SALESFORCE_ENV;
  const clientId = get(E.clientId);
  if (!clientId) {
    throw new InputError(E.clientId, 'is not set', "set it to the connected app's Consumer Key");
  }
  let auth: SalesforceAuth;
  const keyValue = get(E.privateKey);
  if (keyValue) {
    const username = get(E.username);
    if (!username) throw new InputError(E.username, 'is not set but SALESFORCE_PRIVATE_KEY is', 'set it to the integration user the JWT bearer flow logs in as');
    auth = { flow: 'jwt_bearer', clientId, username, privateKey: readPem(keyValue) };
  } else {
    const clientSecret = get(E.clientSecret);
    if (!clientSecret) {
      throw new InputError(E.privateKey, 'neither SALESFORCE_PRIVATE_KEY nor SALESFORCE_CLIENT_SECRET is set', 'set SALESFORCE_PRIVATE_KEY (JWT bearer) or SALESFORCE_CLIENT_SECRET (client credentials)');
    }
    auth = { flow: 'client_credentials', clientId, clientSecret };
  }
  const input: Record<string, unknown> = { ...extra, auth };
  if (get(E.loginUrl)) input.loginUrl = get(E.loginUrl);
  if (get(E.baseUrl)) input.baseUrl = get(E.baseUrl);
  if (get(E.apiVersion)) input.apiVersion = get(E.apiVersion);
  try {
    return parseSalesforceSettings(input);
  } catch (e) {
    throw settingErrorByVariable('salesforce', e, env, (path) => (E as Record<string, string>)[path.replace(/^auth\./, '')]);
  }
}

function readPem(value: string): string {
  if (value.includes('-----BEGIN')) return value.replace(/\\n/g, '\n');
  try {
    return readFileSync(value, 'utf8');
  } catch (e) {
    throw new InputError(
      SALESFORCE_ENV.privateKey,
      `cannot read "${value}" (${(e as NodeJS.ErrnoException).code ?? String(e)})`,
      'set it to the PEM private key itself, or to the path of a PEM file',
    );
  }
}
