import { z } from 'zod/v4';
import { tokenEndpointUrl, webUrl } from './web-url';
import { isTimeZone } from '../../config/time-zone';
import { InputError, issueText } from '../../errors';

/**
 * HubSpot settings. Everything that differs between accounts is a setting: the API host (EU data centre,
 * proxies, the contract mock), the credential, the properties the pack writes and where payments go.
 */

/** HubSpot internal property names: a lowercase letter, then lowercase letters, digits and underscores. */
const PROPERTY_NAME = /^[a-z][a-z0-9_]*$/;
const propertyName = z.string().regex(PROPERTY_NAME, 'a HubSpot internal property name (lowercase letters, digits, underscores), not its label');
const mappedProperty = propertyName.nullable();

export const PROFILE_FIELDS = ['givenName', 'familyName', 'name', 'email', 'phone', 'street', 'city', 'postalCode', 'region', 'country', 'dateOfBirth'] as const;
export type ProfileField = (typeof PROFILE_FIELDS)[number];

/**
 * Pack profile field → HubSpot contact property (HubSpot's own default properties). `name` (a full name that could
 * not be split) has no HubSpot counterpart; the adapter writes it to `firstname` when no split name is known.
 */
export const DEFAULT_CONTACT_FIELDS: Record<ProfileField, string | null> = {
  givenName: 'firstname',
  familyName: 'lastname',
  name: null,
  email: 'email',
  phone: 'phone',
  street: 'address',
  city: 'city',
  postalCode: 'zip',
  region: 'state',
  country: 'country',
  dateOfBirth: 'date_of_birth',
};

export const PAYMENT_FIELDS = [
  'name', 'amount', 'currency', 'occurredAt', 'status', 'refunded', 'grossAmount', 'source', 'paymentId',
  'cardBrand', 'cardLast4', 'entryMode', 'wallet', 'readerId', 'locationId',
] as const;
export type PaymentField = (typeof PAYMENT_FIELDS)[number];

/**
 * Pack payment field → deal property. `amount` is the net amount after refunds (what the sale is worth now), which
 * is what HubSpot's revenue reports sum. Card and terminal details are off by default: each needs a custom deal
 * property created first, and a property that does not exist fails the whole batch.
 */
export const DEFAULT_PAYMENT_FIELDS: Record<PaymentField, string | null> = {
  name: 'dealname',
  amount: 'amount',
  currency: 'deal_currency_code',
  occurredAt: 'closedate',
  status: 'terminal_crm_payment_status',
  refunded: 'terminal_crm_refunded_amount',
  grossAmount: null,
  source: null,
  paymentId: null,
  cardBrand: null,
  cardLast4: null,
  entryMode: null,
  wallet: null,
  readerId: null,
  locationId: null,
};

export const PAYMENT_STATUSES = ['succeeded', 'failed', 'refunded', 'partially_refunded', 'disputed', 'pending'] as const;

/** Stages of HubSpot's built-in "Sales Pipeline" (internal id `default`). A disputed sale stays won until it is lost. */
export const DEFAULT_DEAL_STAGES: Record<(typeof PAYMENT_STATUSES)[number], string> = {
  succeeded: 'closedwon',
  partially_refunded: 'closedwon',
  disputed: 'closedwon',
  refunded: 'closedlost',
  failed: 'closedlost',
  pending: 'contractsent',
};

const AuthSchema = z.discriminatedUnion('type', [
  /** A private app's (or a legacy app's) static access token: never expires, so a 401 means it was revoked. */
  z.object({ type: z.literal('privateApp'), accessToken: z.string().trim().min(1) }),
  /** A public app installed with OAuth: short-lived access tokens from the refresh token. */
  z.object({
    type: z.literal('oauth2'),
    clientId: z.string().trim().min(1),
    clientSecret: z.string().trim().min(1),
    refreshToken: z.string().trim().min(1),
    /** Default: `<baseUrl>/oauth/2026-03/token` (the v1 endpoint goes on 16 February 2027). */
    tokenUrl: tokenEndpointUrl('https://api.hubapi.com/oauth/2026-03/token').optional(),
  }),
]);

export const HubSpotSettingsSchema = z.object({
  baseUrl: webUrl('https://api.hubapi.com').default('https://api.hubapi.com'),
  auth: AuthSchema,
  timeoutMs: z.number().int().positive().default(30_000),
  /**
   * The contact property that holds the pack's customer id (cus_…): a custom property created with "unique values"
   * (hasUniqueValue), so batch upsert finds the contact by it and a retried write changes nothing. `email` is the
   * documented fallback for accounts without one; then a customer without an email cannot be written, HubSpot
   * does not support partial upserts by email, and payments need the contact's HubSpot id from the link table.
   */
  contactIdProperty: propertyName.default('terminal_crm_id'),
  contactFields: z.partialRecord(z.enum(PROFILE_FIELDS), mappedProperty).default({}),
  payments: z
    .object({
      /**
       * Where payments go. Default `deals`: deals exist on every HubSpot tier (custom objects need an Enterprise
       * subscription), they are what sales teams open, forecast and report revenue from, and they associate to
       * contacts out of the box. A custom object (`2-123456` or `p123_payments`) suits accounts that keep deals for
       * pipeline selling; it then needs its own unique payment-key property and field mapping.
       *
       * No line items: a terminal payment carries no basket, so a line item would only repeat the deal amount, and
       * every line item is one more upsert and association call within the same 190-per-10-s budget.
       */
      object: z
        .string()
        .regex(/^(deals|2-\d+|p\d*_[a-z0-9_]+)$/, '"deals", or a custom object type such as 2-123456 or p123_payments')
        .default('deals'),
      /** Unique property carrying the payment key (<source>:<paymentId>): the deal's external id. */
      idProperty: propertyName.default('terminal_crm_payment_key'),
      fields: z.partialRecord(z.enum(PAYMENT_FIELDS), mappedProperty).default({}),
      /** Deals only: the pipeline's internal id and the stage for each payment status. */
      pipeline: z.string().trim().min(1).default('default'),
      stages: z.partialRecord(z.enum(PAYMENT_STATUSES), z.string().trim().min(1)).default({}),
    })
    .prefault({}),
  /** Pack field names (as the Segment and Loyalty steps hand them over) → contact property, where they differ. */
  fieldMap: z.record(z.string(), mappedProperty).default({}),
  /**
   * The burst limit this account's app gets: private apps 100 per 10 s (Free/Starter), 190 (Professional,
   * Enterprise), 250 with the API limit increase pack; public OAuth apps 110 per 10 s per installed account.
   * Unset: 110 with OAuth, 190 with a private app token.
   */
  requestsPerTenSeconds: z.number().int().positive().optional(),
  /**
   * The daily cap resets at midnight in the account's time zone (Settings → Account defaults). Unset: the adapter
   * reads it from HubSpot once (hubspot-account-zone.ts), UTC where HubSpot does not say; set, it is never asked.
   */
  accountTimeZone: z.string().trim().min(1).optional(),
});
export type HubSpotSettingsInput = z.input<typeof HubSpotSettingsSchema>;

type Parsed = z.output<typeof HubSpotSettingsSchema>;
/** Settings with every mapping filled in from the defaults. */
export type HubSpotSettings = Omit<Parsed, 'contactFields' | 'payments' | 'requestsPerTenSeconds'> & {
  requestsPerTenSeconds: number;
  contactFields: Record<ProfileField, string | null>;
  payments: Omit<Parsed['payments'], 'fields' | 'stages'> & {
    fields: Record<PaymentField, string | null>;
    stages: Record<(typeof PAYMENT_STATUSES)[number], string>;
  };
};

const FIXES: Record<string, string> = {
  baseUrl: 'use https://api.hubapi.com, or https://api-eu1.hubapi.com for EU accounts',
  auth: 'give a private app access token (pat-…), or the OAuth client id, client secret and refresh token',
  'auth.accessToken': 'copy the access token from Settings → Integrations → Private Apps → your app → Auth',
  contactIdProperty: 'create a contact property with "unique values" (e.g. terminal_crm_id) and give its internal name, or use email',
  'payments.object': 'use deals, or the object type id of a custom object (Settings → Objects → Custom objects)',
  'payments.idProperty': 'create a deal property with "unique values" (e.g. terminal_crm_payment_key) and give its internal name',
  accountTimeZone: 'use an IANA time zone such as America/New_York, as set in HubSpot under Settings → Account defaults',
};

/** Requests per 10 s when the settings give none: a private app on Professional or Enterprise, a public (OAuth) app. */
export const HUBSPOT_BURST = { privateApp: 190, publicApp: 110 } as const;

/** Parses settings from a face or the environment; a wrong value names its field (`hubspot.<path>`) and the fix. */
export function parseHubSpotSettings(input: unknown): HubSpotSettings {
  const r = HubSpotSettingsSchema.safeParse(input ?? {});
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const path = issue.path.map(String).join('.');
    const fix = FIXES[path] ?? FIXES[path.split('.').slice(0, 2).join('.')] ?? FIXES[path.split('.')[0]!] ?? 'correct this setting or leave it out for the default';
    throw new InputError(`hubspot.${path || 'settings'}`, issueText(issue), fix);
  }
  const s = r.data;
  if (s.accountTimeZone !== undefined && !isTimeZone(s.accountTimeZone)) throw new InputError('hubspot.accountTimeZone', `"${s.accountTimeZone}" is not a time zone`, FIXES.accountTimeZone!);
  const unknownField = Object.keys(s.fieldMap).find((k) => k.trim() === '');
  if (unknownField !== undefined) throw new InputError('hubspot.fieldMap', 'has an empty field name', 'name the pack field on the left, the HubSpot property on the right');
  const payments = {
    ...s.payments,
    fields: { ...DEFAULT_PAYMENT_FIELDS, ...s.payments.fields },
    stages: { ...DEFAULT_DEAL_STAGES, ...s.payments.stages },
  };
  if (payments.object === 'deals' && !payments.fields.name) {
    throw new InputError('hubspot.payments.fields.name', 'cannot be off for deals', 'map it to dealname: HubSpot requires a deal name');
  }
  const requestsPerTenSeconds = s.requestsPerTenSeconds ?? HUBSPOT_BURST[s.auth.type === 'oauth2' ? 'publicApp' : 'privateApp'];
  return { ...s, requestsPerTenSeconds, contactFields: { ...DEFAULT_CONTACT_FIELDS, ...s.contactFields }, payments };
}
