import { z } from 'zod/v4';
import { webUrl } from './web-url';
import { isIanaTimeZone } from '../../config/time-zone';
import { InputError, issueText } from '../../errors';
import { jsonObjectFromEnv, positiveWholeNumberFromEnv } from './env-values';
import { settingErrorByVariable, variableByTopOrLeaf } from './setting-error-by-variable';
import { textUpTo, wholeUpTo, type FieldLimits } from './field-lengths';

/**
 * Zoho runs separate data centres; an org lives in one, and both its accounts server (OAuth) and its API domain
 * follow from it (Zoho's SDK, routes/dc/*_data_center.ts). A token from one centre is refused by every other.
 */
export const ZOHO_DATA_CENTERS = {
  us: { accounts: 'https://accounts.zoho.com', api: 'https://www.zohoapis.com' },
  eu: { accounts: 'https://accounts.zoho.eu', api: 'https://www.zohoapis.eu' },
  in: { accounts: 'https://accounts.zoho.in', api: 'https://www.zohoapis.in' },
  au: { accounts: 'https://accounts.zoho.com.au', api: 'https://www.zohoapis.com.au' },
  jp: { accounts: 'https://accounts.zoho.jp', api: 'https://www.zohoapis.jp' },
  ca: { accounts: 'https://accounts.zohocloud.ca', api: 'https://www.zohoapis.ca' },
  sa: { accounts: 'https://accounts.zoho.sa', api: 'https://www.zohoapis.sa' },
  // Listed among Zoho Accounts' data centres (its Multi DC page), though CRM v8's own Multi DC page predates it.
  uk: { accounts: 'https://accounts.zoho.uk', api: 'https://www.zohoapis.uk' },
  cn: { accounts: 'https://accounts.zoho.com.cn', api: 'https://www.zohoapis.com.cn' },
} as const;
export type ZohoDataCenter = keyof typeof ZOHO_DATA_CENTERS;

export const ZOHO_ENV = {
  clientId: 'ZOHO_CLIENT_ID',
  clientSecret: 'ZOHO_CLIENT_SECRET',
  refreshToken: 'ZOHO_REFRESH_TOKEN',
  dataCenter: 'ZOHO_DATA_CENTER',
  baseUrl: 'ZOHO_BASE_URL',
  accountsUrl: 'ZOHO_ACCOUNTS_URL',
  customerIdField: 'ZOHO_CUSTOMER_ID_FIELD',
  paymentKeyField: 'ZOHO_PAYMENT_KEY_FIELD',
  paymentsModule: 'ZOHO_PAYMENTS_MODULE',
  fieldMap: 'ZOHO_FIELD_MAP',
  dailyCredits: 'ZOHO_DAILY_CREDITS',
  timeZone: 'ZOHO_TIME_ZONE',
} as const;

const apiName = z.string().trim().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'a Zoho field or module API name (letters, digits, underscores)');

export const ZohoSettingsSchema = z
  .object({
    dataCenter: z.enum(Object.keys(ZOHO_DATA_CENTERS) as [ZohoDataCenter, ...ZohoDataCenter[]]).default('us'),
    /** Overrides the data centre's API domain (a proxy, a sandbox such as https://sandbox.zohoapis.com). */
    baseUrl: webUrl('https://www.zohoapis.eu, the API domain of the data centre').optional(),
    /** Overrides the data centre's accounts server. */
    accountsUrl: webUrl('https://accounts.zoho.eu, the accounts server of the data centre').optional(),
    apiVersion: z.string().regex(/^v\d+$/).default('v8'),
    clientId: z.string().trim().min(1),
    clientSecret: z.string().trim().min(1),
    refreshToken: z.string().trim().min(1),
    /** Contacts field holding the pack's customer id; mark it "Do not allow duplicate values" so upsert can match on it. */
    customerIdField: apiName.default('Terminal_CRM_Id'),
    /**
     * Upsert matches on these, in order: the pack's id first, then Email, so a contact a salesperson typed in before
     * the first payment is filled in rather than duplicated. Default: [customerIdField, "Email"].
     */
    duplicateCheckFields: z.array(apiName).min(1).optional(),
    /**
     * Where payments go. Deals by default: every edition has them, they hang off the contact (Contact_Name), carry an
     * Amount, a Stage and a Closing_Date, and count in Zoho's revenue reports. A custom module works too: set its API
     * name here and its field names in `paymentFields`.
     */
    paymentsModule: apiName.default('Deals'),
    /** Unique field of the payments module holding "<source>:<paymentId>": a refund upserts the same record by it. */
    paymentKeyField: apiName.default('Terminal_Payment_Key'),
    paymentFields: z
      .object({
        name: apiName.default('Deal_Name'),
        amount: apiName.default('Amount'),
        stage: apiName.default('Stage'),
        closingDate: apiName.default('Closing_Date'),
        contact: apiName.default('Contact_Name'),
        description: apiName.default('Description'),
        /** Only in orgs with multiple currencies; "" leaves it out. */
        currency: z.union([apiName, z.literal('')]).default('Currency'),
      })
      .default({ name: 'Deal_Name', amount: 'Amount', stage: 'Stage', closingDate: 'Closing_Date', contact: 'Contact_Name', description: 'Description', currency: 'Currency' }),
    /** Deal stages for a payment's state; Zoho's standard pipeline names by default. */
    stages: z
      .object({ won: z.string().min(1).default('Closed Won'), lost: z.string().min(1).default('Closed Lost'), open: z.string().min(1).default('Qualification') })
      .default({ won: 'Closed Won', lost: 'Closed Lost', open: 'Qualification' }),
    /** Pack field name → Contacts field API name; unmapped names become Title_Case (loyalty_tier → Loyalty_Tier). */
    fieldMap: z.record(z.string(), apiName).default({}),
    /**
     * The org's API credits per rolling 24 h: 50,000 + per-user credits on paid editions (5,000 on Free). An upsert
     * of 100 records costs 10 credits (1 per 10 records), so the outbox paces calls at credits / 10 a day.
     */
    dailyCredits: z.number().int().positive().default(50_000),
    /**
     * The time zone a payment's Closing_Date is the calendar day in (an IANA name): Zoho keeps a date without a
     * time and reads it as the org's day. Unset, the org's own time zone, read from Zoho once before the first
     * payment batch (zoho-org-zone.ts), UTC where Zoho does not give one; set, Zoho is not asked.
     */
    timeZone: z.string().trim().min(1).optional(),
    timeoutMs: z.number().int().positive().default(30_000),
  })
  .transform((s) => ({
    ...s,
    duplicateCheckFields: s.duplicateCheckFields ?? [s.customerIdField, 'Email'],
    apiBaseUrl: (s.baseUrl ?? ZOHO_DATA_CENTERS[s.dataCenter].api).replace(/\/+$/, ''),
    tokenUrl: `${(s.accountsUrl ?? ZOHO_DATA_CENTERS[s.dataCenter].accounts).replace(/\/+$/, '')}/oauth/v2/token`,
  }));

export type ZohoSettingsInput = z.input<typeof ZohoSettingsSchema>;
export type ZohoSettings = z.output<typeof ZohoSettingsSchema>;

/**
 * The OAuth scopes the pack needs: records to read and write; the org's details (its time zone is the day a deal's
 * Closing_Date is in); and search, which v8 "Search Records" lists under ZohoSearch.securesearch.READ besides the
 * module's scope. The n8n credential asks for them; a refresh token made by hand needs them.
 */
export const ZOHO_SEARCH_SCOPE = 'ZohoSearch.securesearch.READ';
/**
 * The lengths of the standard Contacts fields the pack writes (Zoho CRM API "Fields Metadata", GET
 * /settings/fields?module=Leads sample, each field's "length", and its convert_mapping to the Contacts field a lead
 * becomes: First_Name 40, Last_Name 80, Email 100, Phone 30, Mobile 30, Street → Mailing_Street 250, City →
 * Mailing_City 100, State → Mailing_State 100, Zip_Code → Mailing_Zip 30, Country → Mailing_Country 100; "Custom
 * Fields" gives the same email and phone sizes as the types' limits): "Upsert Records" refuses a longer value with
 * INVALID_DATA.
 */
export const ZOHO_CONTACT_LIMITS: FieldLimits = {
  First_Name: textUpTo(40),
  Last_Name: textUpTo(80),
  Email: wholeUpTo(100),
  Phone: wholeUpTo(30),
  Mobile: wholeUpTo(30),
  Mailing_Street: textUpTo(250),
  Mailing_City: textUpTo(100),
  Mailing_State: textUpTo(100),
  Mailing_Zip: wholeUpTo(30),
  Mailing_Country: textUpTo(100),
};

/** Deals: Deal_Name holds at most 120 characters (Zoho's standard Deals layout). */
export const ZOHO_DEAL_LIMITS: FieldLimits = {
  Deal_Name: textUpTo(120),
};

export const ZOHO_SCOPES = ['ZohoCRM.modules.ALL', 'ZohoCRM.org.READ', ZOHO_SEARCH_SCOPE] as const;

// Worded for every face: the field the error names (ZOHO_CLIENT_ID, the editor's label, settings.timeZone) says where it is set.
const FIXES: Record<string, string> = {
  clientId: 'create a Server-based (or Self Client) app in the Zoho API console for your data centre and give its client id',
  clientSecret: 'copy the client secret of that app',
  refreshToken: `generate a refresh token with the scopes ${ZOHO_SCOPES.slice(0, -1).join(', ')} and ${ZOHO_SCOPES.at(-1)!} (offline access)`,
  dataCenter: `use the data centre of your Zoho login domain: ${Object.keys(ZOHO_DATA_CENTERS).join(', ')}`,
  baseUrl: 'use a URL such as https://www.zohoapis.eu, or leave it empty to follow the data centre',
  accountsUrl: 'use a URL such as https://accounts.zoho.eu, or leave it empty to follow the data centre',
  customerIdField: "use the API name of the unique Contacts field holding the pack's id (Setup → Developer Space → APIs → API names)",
  paymentKeyField: 'use the API name of the unique field holding the payment key',
  paymentsModule: 'use a module API name such as Deals',
  fieldMap: 'map each pack field to a Contacts field API name, e.g. {"loyalty_tier":"Loyalty_Tier"}',
  timeZone: "use the IANA name of the org's time zone (Setup → Company Details), such as America/Los_Angeles or Asia/Kolkata, or leave it empty to read it from Zoho",
};

/** Raw settings → typed settings, or an InputError naming the setting and how to fix it. */
export function parseZohoSettings(raw: unknown): ZohoSettings {
  // Already parsed settings carry their derived URLs; parse the inputs again so defaults stay in one place.
  const input = raw && typeof raw === 'object' && 'tokenUrl' in raw ? stripDerived(raw as ZohoSettings) : raw;
  const r = ZohoSettingsSchema.safeParse(input ?? {});
  if (r.success) {
    const zone = r.data.timeZone;
    if (zone !== undefined && !isIanaTimeZone(zone)) throw new InputError('zoho.timeZone', `"${zone}" is not an IANA time zone`, FIXES.timeZone!);
    return r.data;
  }
  const issue = r.error.issues[0]!;
  const field = issue.path.map(String).join('.') || 'settings';
  throw new InputError(`zoho.${field}`, issueText(issue), FIXES[field.split('.')[0]!] ?? 'correct this Zoho setting or leave it out for the default');
}

function stripDerived(s: ZohoSettings): ZohoSettingsInput {
  const { apiBaseUrl: _a, tokenUrl: _t, ...rest } = s;
  return rest;
}

/** Settings from the environment (sandbox, Temporal worker). */
export function zohoSettingsFromEnv(env: NodeJS.ProcessEnv): ZohoSettings {
  const get = (name: string) => env[name]?.trim() || undefined;
  const fieldMap = get(ZOHO_ENV.fieldMap);
  const credits = get(ZOHO_ENV.dailyCredits);
  try {
    return parseZohoSettings({
      clientId: get(ZOHO_ENV.clientId),
      clientSecret: get(ZOHO_ENV.clientSecret),
      refreshToken: get(ZOHO_ENV.refreshToken),
      dataCenter: get(ZOHO_ENV.dataCenter)?.toLowerCase(),
      baseUrl: get(ZOHO_ENV.baseUrl),
      accountsUrl: get(ZOHO_ENV.accountsUrl),
      customerIdField: get(ZOHO_ENV.customerIdField),
      paymentKeyField: get(ZOHO_ENV.paymentKeyField),
      paymentsModule: get(ZOHO_ENV.paymentsModule),
      fieldMap: jsonObjectFromEnv(ZOHO_ENV.fieldMap, fieldMap, 'write a JSON object such as {"loyalty_tier":"Loyalty_Tier"}'),
      dailyCredits: positiveWholeNumberFromEnv(ZOHO_ENV.dailyCredits, credits, 'give the API credits your Zoho CRM edition has a day, such as 50000, or unset it for 50000'),
      timeZone: get(ZOHO_ENV.timeZone),
    });
  } catch (e) {
    throw settingErrorByVariable('zoho', e, env, variableByTopOrLeaf(ZOHO_ENV));
  }
}
