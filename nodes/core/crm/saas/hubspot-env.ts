import { InputError } from '../../errors';
import { problemOf } from './setting-error-by-variable';
import { parseHubSpotSettings, type HubSpotSettings } from './hubspot-settings';
import { jsonObjectFromEnv, positiveWholeNumberFromEnv } from './env-values';

/** The environment variables the sandbox, the Temporal worker and the CLI read. */
export const HUBSPOT_ENV = {
  accessToken: 'HUBSPOT_ACCESS_TOKEN',
  clientId: 'HUBSPOT_CLIENT_ID',
  clientSecret: 'HUBSPOT_CLIENT_SECRET',
  refreshToken: 'HUBSPOT_REFRESH_TOKEN',
  tokenUrl: 'HUBSPOT_TOKEN_URL',
  baseUrl: 'HUBSPOT_BASE_URL',
  timeoutMs: 'HUBSPOT_TIMEOUT_MS',
  contactIdProperty: 'HUBSPOT_CONTACT_ID_PROPERTY',
  contactFields: 'HUBSPOT_CONTACT_FIELDS',
  paymentObject: 'HUBSPOT_PAYMENT_OBJECT',
  paymentIdProperty: 'HUBSPOT_PAYMENT_ID_PROPERTY',
  paymentFields: 'HUBSPOT_PAYMENT_FIELDS',
  dealPipeline: 'HUBSPOT_DEAL_PIPELINE',
  dealStages: 'HUBSPOT_DEAL_STAGES',
  fieldMap: 'HUBSPOT_FIELD_MAP',
  requestsPerTenSeconds: 'HUBSPOT_REQUESTS_PER_10S',
  accountTimeZone: 'HUBSPOT_ACCOUNT_TIME_ZONE',
} as const;

/** Reads the HUBSPOT_* variables. Errors name the variable, since that is what the operator set. */
export function hubspotSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): HubSpotSettings {
  const v = (name: string) => {
    const value = env[name]?.trim();
    return value ? value : undefined;
  };
  const token = v(HUBSPOT_ENV.accessToken);
  const oauth = [HUBSPOT_ENV.clientId, HUBSPOT_ENV.clientSecret, HUBSPOT_ENV.refreshToken].filter((n) => v(n));
  if (token && oauth.length > 0) {
    throw new InputError(HUBSPOT_ENV.accessToken, `is set together with ${oauth.join(', ')}`, 'set either a private app token or the OAuth variables, not both');
  }
  if (!token && oauth.length < 3) {
    const missing = [HUBSPOT_ENV.clientId, HUBSPOT_ENV.clientSecret, HUBSPOT_ENV.refreshToken].filter((n) => !v(n));
    throw new InputError(
      oauth.length === 0 ? HUBSPOT_ENV.accessToken : missing[0]!,
      oauth.length === 0 ? 'is not set' : `is missing (${missing.join(', ')} not set)`,
      `set ${HUBSPOT_ENV.accessToken} to a private app token, or set ${HUBSPOT_ENV.clientId}, ${HUBSPOT_ENV.clientSecret} and ${HUBSPOT_ENV.refreshToken} for an OAuth app`,
    );
  }
  const json = (name: string) => jsonObjectFromEnv(name, v(name), 'give a JSON object such as {"givenName": "firstname"}');
  const int = (name: string) => positiveWholeNumberFromEnv(name, v(name), 'give a number such as 190');
  const input = {
    baseUrl: v(HUBSPOT_ENV.baseUrl),
    auth: token
      ? { type: 'privateApp', accessToken: token }
      : { type: 'oauth2', clientId: v(HUBSPOT_ENV.clientId), clientSecret: v(HUBSPOT_ENV.clientSecret), refreshToken: v(HUBSPOT_ENV.refreshToken), ...(v(HUBSPOT_ENV.tokenUrl) ? { tokenUrl: v(HUBSPOT_ENV.tokenUrl) } : {}) },
    timeoutMs: int(HUBSPOT_ENV.timeoutMs),
    contactIdProperty: v(HUBSPOT_ENV.contactIdProperty),
    contactFields: json(HUBSPOT_ENV.contactFields),
    payments: {
      object: v(HUBSPOT_ENV.paymentObject),
      idProperty: v(HUBSPOT_ENV.paymentIdProperty),
      fields: json(HUBSPOT_ENV.paymentFields),
      pipeline: v(HUBSPOT_ENV.dealPipeline),
      stages: json(HUBSPOT_ENV.dealStages),
    },
    fieldMap: json(HUBSPOT_ENV.fieldMap),
    requestsPerTenSeconds: int(HUBSPOT_ENV.requestsPerTenSeconds),
    accountTimeZone: v(HUBSPOT_ENV.accountTimeZone),
  };
  try {
    return parseHubSpotSettings(input);
  } catch (e) {
    if (e instanceof InputError) throw new InputError(envNameFor(e.field), problemOf(e), e.fix);
    throw e;
  }
}

/** `hubspot.payments.fields.status` → HUBSPOT_PAYMENT_FIELDS (status). */
function envNameFor(field: string): string {
  const path = field.replace(/^hubspot\./, '');
  const direct: Record<string, string> = {
    baseUrl: HUBSPOT_ENV.baseUrl,
    'auth.accessToken': HUBSPOT_ENV.accessToken,
    'auth.clientId': HUBSPOT_ENV.clientId,
    'auth.clientSecret': HUBSPOT_ENV.clientSecret,
    'auth.refreshToken': HUBSPOT_ENV.refreshToken,
    'auth.tokenUrl': HUBSPOT_ENV.tokenUrl,
    timeoutMs: HUBSPOT_ENV.timeoutMs,
    contactIdProperty: HUBSPOT_ENV.contactIdProperty,
    'payments.object': HUBSPOT_ENV.paymentObject,
    'payments.idProperty': HUBSPOT_ENV.paymentIdProperty,
    'payments.pipeline': HUBSPOT_ENV.dealPipeline,
    requestsPerTenSeconds: HUBSPOT_ENV.requestsPerTenSeconds,
    accountTimeZone: HUBSPOT_ENV.accountTimeZone,
  };
  if (direct[path]) return direct[path]!;
  const prefixes: [string, string][] = [
    ['contactFields', HUBSPOT_ENV.contactFields],
    ['payments.fields', HUBSPOT_ENV.paymentFields],
    ['payments.stages', HUBSPOT_ENV.dealStages],
    ['fieldMap', HUBSPOT_ENV.fieldMap],
  ];
  for (const [prefix, name] of prefixes) {
    if (path === prefix || path.startsWith(`${prefix}.`)) return path === prefix ? name : `${name} (${path.slice(prefix.length + 1)})`;
  }
  return field;
}
