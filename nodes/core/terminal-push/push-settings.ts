import { z } from 'zod/v4';
import { InputError, issueText } from '../errors';
import { webUrlSetting } from '../http/web-url';
import { SQUARE_API_VERSION, SQUARE_PRODUCTION_URL, SQUARE_SANDBOX_URL } from '../sources/square-credentials';
import type { TerminalVendor } from './terminal-push';

export const STRIPE_API_URL = 'https://api.stripe.com';
export const ADYEN_TERMINAL_TEST_URL = 'https://terminal-api-test.adyen.com';
export const ADYEN_TERMINAL_LIVE_URL = 'https://terminal-api-live.adyen.com';

/** n8n and environment variables hand over "" for a field left empty: that is "not set", not a value. */
const blank = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

/** The vendor's API address (http/web-url.ts webUrlFault): http(s), no query or fragment, no trailing slash. */
const baseUrl = (fallback: string, hint: string) => z.preprocess(blank, webUrlSetting({ example: hint }).default(fallback));

const timeout = (fallback: number) => z.preprocess(blank, z.coerce.number().int().positive().default(fallback));

export const StripePushSettingsSchema = z.object({
  secretKey: z.preprocess(
    blank,
    z
      .string({ error: 'no Stripe secret key is set' })
      .trim()
      .regex(/^(sk|rk)_(test|live)_\S+$/, 'not a Stripe secret key; paste a secret key (sk_live_…/sk_test_…) or a restricted key (rk_…) with PaymentIntents and Terminal Readers write access'),
  ),
  baseUrl: baseUrl(STRIPE_API_URL, `use ${STRIPE_API_URL}`),
  timeoutMs: timeout(30_000),
});

export const SquarePushSettingsSchema = z.object({
  accessToken: z.preprocess(blank, z.string({ error: 'no Square access token is set' }).trim().min(1)),
  baseUrl: baseUrl(SQUARE_PRODUCTION_URL, `use ${SQUARE_PRODUCTION_URL}, or ${SQUARE_SANDBOX_URL} for the sandbox`),
  apiVersion: z.preprocess(blank, z.string().trim().regex(/^\d{4}-\d{2}-\d{2}$/, 'a Square API version date such as 2026-09-16').default(SQUARE_API_VERSION)),
  timeoutMs: timeout(30_000),
});

export const AdyenPushSettingsSchema = z.object({
  apiKey: z.preprocess(blank, z.string({ error: 'no Adyen API key is set' }).trim().min(1)),
  /** Test by default: a live URL must be chosen on purpose. */
  baseUrl: baseUrl(ADYEN_TERMINAL_TEST_URL, `use ${ADYEN_TERMINAL_TEST_URL}, or ${ADYEN_TERMINAL_LIVE_URL} for live payments`),
  /** MessageHeader.SaleID: which POS system sent the request. */
  saleId: z.preprocess(blank, z.string().trim().min(1).default('terminal-crm')),
  /**
   * The /sync call returns only after the customer paid or the terminal gave up; Adyen's cloud times a payment out
   * after 150 s, so waiting a little longer still receives its answer.
   */
  timeoutMs: timeout(160_000),
});

export type StripePushSettings = z.output<typeof StripePushSettingsSchema>;
export type SquarePushSettings = z.output<typeof SquarePushSettingsSchema>;
export type AdyenPushSettings = z.output<typeof AdyenPushSettingsSchema>;
export interface PushSettingsByVendor {
  stripe: StripePushSettings;
  square: SquarePushSettings;
  adyen: AdyenPushSettings;
}

const SCHEMAS = { stripe: StripePushSettingsSchema, square: SquarePushSettingsSchema, adyen: AdyenPushSettingsSchema } as const;

/** Environment variables for the sandbox and the Temporal worker, per setting. */
export const PUSH_ENV = {
  stripe: { secretKey: 'STRIPE_SECRET_KEY', baseUrl: 'STRIPE_API_URL' },
  square: { accessToken: 'SQUARE_ACCESS_TOKEN', baseUrl: 'SQUARE_BASE_URL', apiVersion: 'SQUARE_API_VERSION' },
  adyen: { apiKey: 'ADYEN_API_KEY', baseUrl: 'ADYEN_TERMINAL_API_URL', saleId: 'ADYEN_SALE_ID' },
} as const satisfies Record<TerminalVendor, Record<string, string>>;

/** The face's settings record → typed settings, or an InputError naming the field and where to set it. */
export function parsePushSettings<V extends TerminalVendor>(vendor: V, raw: unknown): PushSettingsByVendor[V] {
  const r = SCHEMAS[vendor].safeParse(raw ?? {});
  if (r.success) return r.data as PushSettingsByVendor[V];
  const issue = r.error.issues[0]!;
  const field = issue.path.join('.') || 'settings';
  const envName = (PUSH_ENV[vendor] as Record<string, string>)[field];
  throw new InputError(field, `the ${vendor} terminal push settings are not usable: ${issueText(issue)}`, `fill in "${field}" in the ${vendor} push settings${envName ? ` (or set ${envName} for the sandbox and the worker)` : ''}`);
}

export function pushSettingsFromEnv<V extends TerminalVendor>(vendor: V, env: NodeJS.ProcessEnv): PushSettingsByVendor[V] {
  const raw: Record<string, string> = {};
  for (const [field, name] of Object.entries(PUSH_ENV[vendor])) {
    const v = env[name]?.trim();
    if (v) raw[field] = v;
  }
  try {
    return parsePushSettings(vendor, raw);
  } catch (e) {
    const envName = e instanceof InputError ? (PUSH_ENV[vendor] as Record<string, string>)[e.field] : undefined;
    if (e instanceof InputError && envName) throw new InputError(envName, e.message.slice(e.field.length + 2).replace(/\. Fix: .*$/, ''), `set ${envName}`);
    throw e;
  }
}
