import { z } from 'zod/v4';
import { tokenEndpointUrl, webUrl } from './web-url';
import { InputError, issueText } from '../../errors';
import { jsonObjectFromEnv, positiveWholeNumberFromEnv } from './env-values';
import { settingErrorByVariable, variableByTopOrLeaf } from './setting-error-by-variable';

/** Pipedrive names every custom field by a random 40-character hex key (Company settings → Data fields → "API key"). */
const FIELD_KEY = /^[0-9a-f]{40}$/;
const fieldKey = z.string().trim().regex(FIELD_KEY, 'a Pipedrive custom field key is 40 hex characters');

export const PIPEDRIVE_ENV = {
  apiToken: 'PIPEDRIVE_API_TOKEN',
  baseUrl: 'PIPEDRIVE_BASE_URL',
  customerIdField: 'PIPEDRIVE_CUSTOMER_ID_FIELD',
  paymentKeyField: 'PIPEDRIVE_PAYMENT_KEY_FIELD',
  clientId: 'PIPEDRIVE_CLIENT_ID',
  clientSecret: 'PIPEDRIVE_CLIENT_SECRET',
  refreshToken: 'PIPEDRIVE_REFRESH_TOKEN',
  fieldMap: 'PIPEDRIVE_FIELD_MAP',
  requestsPerWindow: 'PIPEDRIVE_REQUESTS_PER_2S',
} as const;

export const PipedriveSettingsSchema = z
  .object({
    /** api.pipedrive.com serves every company; OAuth answers carry the company's own `api_domain`, which wins. */
    baseUrl: webUrl('https://api.pipedrive.com').default('https://api.pipedrive.com'),
    /** Personal API token (x-api-token header) … */
    apiToken: z.string().trim().min(1).optional(),
    /** … or a Marketplace / private app's OAuth refresh token. */
    oauth: z
      .object({
        clientId: z.string().trim().min(1),
        clientSecret: z.string().trim().min(1),
        refreshToken: z.string().trim().min(1),
        tokenUrl: tokenEndpointUrl('https://oauth.pipedrive.com/oauth/token').default('https://oauth.pipedrive.com/oauth/token'),
      })
      .optional(),
    /** Person custom field (text) holding the pack's customer id (cus_…): the upsert key Pipedrive lacks. */
    customerIdField: fieldKey,
    /** Deal custom field (text) holding the payment key (<source>:<paymentId>): a refund finds its deal by it. */
    paymentKeyField: fieldKey,
    /** Pack field name (segment, loyalty…) → person custom field key. Pipedrive keys are random: no default can guess. */
    fieldMap: z.record(z.string(), fieldKey).default({}),
    /**
     * Pipedrive's burst limit is per token per rolling 2 s: 20 (Essential/Lite, API token) up to 480 (OAuth, top
     * plan), but its search endpoints allow 10 per 2 s on every plan, and a first write always searches. 10 is safe
     * everywhere; raise it only with OAuth on a bigger plan.
     */
    requestsPerWindow: z.number().int().positive().default(10),
    timeoutMs: z.number().int().positive().default(30_000),
  })
  .superRefine((s, ctx) => {
    if (!s.apiToken && !s.oauth) ctx.addIssue({ code: 'custom', path: ['apiToken'], message: 'neither an API token nor OAuth credentials are set' });
  });

export type PipedriveSettingsInput = z.input<typeof PipedriveSettingsSchema>;
export type PipedriveSettings = z.output<typeof PipedriveSettingsSchema>;

// Worded for every face: the field the error names (the variable, or the editor's label) says where it is set.
const FIXES: Record<string, string> = {
  apiToken: `paste the API token from Pipedrive (Personal preferences → API), or give an OAuth app's client id, client secret and refresh token (${PIPEDRIVE_ENV.clientId}, ${PIPEDRIVE_ENV.clientSecret} and ${PIPEDRIVE_ENV.refreshToken} for the worker and the command line)`,
  customerIdField: 'create a text person field (e.g. "Terminal CRM id") and give its 40-character API key from Company settings → Data fields',
  paymentKeyField: 'create a text deal field (e.g. "Terminal payment key") and give its 40-character API key from Company settings → Data fields',
  oauth: `give the client id, client secret and refresh token of your app in Pipedrive's Developer Hub (${PIPEDRIVE_ENV.clientId}, ${PIPEDRIVE_ENV.clientSecret} and ${PIPEDRIVE_ENV.refreshToken} for the worker and the command line), or an API token instead`,
  baseUrl: 'use a URL such as https://api.pipedrive.com',
  fieldMap: 'map each pack field to the 40-character API key of a person field, e.g. {"loyalty_tier":"<key>"}',
};

/** Raw settings → typed settings, or an InputError naming the setting and how to fix it. */
export function parsePipedriveSettings(raw: unknown): PipedriveSettings {
  const r = PipedriveSettingsSchema.safeParse(raw ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field = issue.path.map(String).join('.') || 'settings';
  const top = field.split('.')[0]!;
  throw new InputError(`pipedrive.${field}`, issueText(issue), FIXES[top] ?? 'correct this Pipedrive setting or leave it out for the default');
}

/** Settings from the environment (sandbox, Temporal worker). */
export function pipedriveSettingsFromEnv(env: NodeJS.ProcessEnv): PipedriveSettings {
  const get = (name: string) => env[name]?.trim() || undefined;
  const clientId = get(PIPEDRIVE_ENV.clientId);
  const fieldMap = get(PIPEDRIVE_ENV.fieldMap);
  const perWindow = get(PIPEDRIVE_ENV.requestsPerWindow);
  try {
    return parsePipedriveSettings({
      baseUrl: get(PIPEDRIVE_ENV.baseUrl),
      apiToken: get(PIPEDRIVE_ENV.apiToken),
      oauth: clientId
        ? { clientId, clientSecret: get(PIPEDRIVE_ENV.clientSecret), refreshToken: get(PIPEDRIVE_ENV.refreshToken) }
        : undefined,
      customerIdField: get(PIPEDRIVE_ENV.customerIdField),
      paymentKeyField: get(PIPEDRIVE_ENV.paymentKeyField),
      fieldMap: jsonObjectFromEnv(PIPEDRIVE_ENV.fieldMap, fieldMap, 'write a JSON object such as {"loyalty_tier":"<40-character field key>"}'),
      requestsPerWindow: positiveWholeNumberFromEnv(PIPEDRIVE_ENV.requestsPerWindow, perWindow, 'give the requests per 2 seconds your Pipedrive plan allows, such as 10, or unset it for 10'),
    });
  } catch (e) {
    throw settingErrorByVariable('pipedrive', e, env, variableByTopOrLeaf(PIPEDRIVE_ENV));
  }
}
