import { InputError } from '../../errors';
import { obj } from '../../json/json-values';
import type { SaasCrmName } from '../crm-names';

/**
 * A CRM account as the faces keep it: an n8n credential's data or a Node-RED config node's values (plain fields
 * and decrypted credentials together). Field names are the same in both faces, so one reading serves both.
 */
export type CrmRecord = Record<string, unknown>;

/** The fields each CRM's account has, besides `settings` (advanced settings as JSON, the adapter's own names). */
export const CRM_RECORD_FIELDS: Record<SaasCrmName, readonly string[]> = {
  hubspot: ['accessToken', 'baseUrl', 'clientId', 'clientSecret', 'refreshToken', 'tokenUrl'],
  salesforce: ['authFlow', 'clientId', 'clientSecret', 'username', 'privateKey', 'loginUrl', 'baseUrl', 'apiVersion'],
  dynamics: ['orgUrl', 'tenantId', 'clientId', 'clientSecret', 'authorityUrl'],
  pipedrive: ['apiToken', 'baseUrl', 'customerIdField', 'paymentKeyField', 'clientId', 'clientSecret', 'refreshToken'],
  zoho: ['dataCenter', 'clientId', 'clientSecret', 'refreshToken', 'baseUrl', 'accountsUrl', 'timeZone'],
};

/** The record's fields turned into the adapter's settings input (what its parse function takes). */
export function settingsInputFromRecord(crm: SaasCrmName, record: CrmRecord): Record<string, unknown> {
  const r = (k: string) => text(record, k);
  const advanced = advancedSettings(record);
  const set = (o: Record<string, unknown>) => ({ ...advanced, ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) });
  const refreshToken = r('refreshToken') ?? n8nRefreshToken(record);
  switch (crm) {
    case 'hubspot': {
      const oauth = r('clientId') || r('clientSecret') || refreshToken;
      const auth = r('accessToken')
        ? { type: 'privateApp', accessToken: r('accessToken') }
        : oauth
          ? { type: 'oauth2', clientId: r('clientId'), clientSecret: r('clientSecret'), refreshToken, ...(r('tokenUrl') ? { tokenUrl: r('tokenUrl') } : {}) }
          : advanced.auth;
      return set({ baseUrl: r('baseUrl'), auth });
    }
    case 'salesforce': {
      const privateKey = r('privateKey') ? formatPem(r('privateKey')!) : undefined;
      const flow = r('authFlow') ?? (privateKey ? 'jwt_bearer' : r('clientSecret') ? 'client_credentials' : undefined);
      const auth =
        flow === 'jwt_bearer'
          ? { flow, clientId: r('clientId'), username: r('username'), privateKey }
          : flow
            ? { flow, clientId: r('clientId'), clientSecret: r('clientSecret') }
            : advanced.auth;
      return set({ loginUrl: r('loginUrl'), baseUrl: r('baseUrl'), apiVersion: r('apiVersion'), auth });
    }
    case 'dynamics': {
      const auth =
        r('tenantId') || r('clientId') || r('clientSecret')
          ? { tenantId: r('tenantId'), clientId: r('clientId'), clientSecret: r('clientSecret'), ...(r('authorityUrl') ? { authorityUrl: r('authorityUrl') } : {}) }
          : advanced.auth;
      return set({ url: r('orgUrl'), auth });
    }
    case 'pipedrive': {
      const oauth = !r('apiToken') && (r('clientId') || refreshToken) ? { clientId: r('clientId'), clientSecret: r('clientSecret'), refreshToken } : advanced.oauth;
      // n8n's credential has a field for the person field keys (its advanced settings are Node-RED's and the worker's).
      return set({ apiToken: r('apiToken'), baseUrl: r('baseUrl'), customerIdField: r('customerIdField'), paymentKeyField: r('paymentKeyField'), oauth, fieldMap: fieldMapOf(record) });
    }
    case 'zoho':
      return set({
        dataCenter: r('dataCenter')?.toLowerCase(),
        clientId: r('clientId'),
        clientSecret: r('clientSecret'),
        refreshToken,
        // Zoho names the org's API host in its token answer (n8n keeps it in oauthTokenData.api_domain).
        baseUrl: r('baseUrl') ?? n8nTokenField(record, 'api_domain'),
        accountsUrl: r('accountsUrl'),
        // Empty: the advanced settings' timeZone, else the org's own, read from Zoho.
        timeZone: r('timeZone'),
      });
  }
}

/**
 * An adapter's InputError (`hubspot.auth.accessToken`) renamed to the account field the operator fills in
 * (`accessToken`), by its label in the editor where the face gives one (`labels`: n8n's "Time Zone"), or to
 * `settings.<path>` for what only the advanced settings hold (a field the record leaves empty and its advanced
 * settings give, as Zoho's timeZone may be).
 */
export function renameToRecordField(crm: SaasCrmName, e: InputError, record?: CrmRecord, labels: Readonly<Record<string, string>> = {}): InputError {
  const path = e.field.replace(new RegExp(`^${crm}\\.`), '');
  const leaf = path.replace(/^(auth|oauth)\./, '');
  const renamed: Record<string, string> = { url: 'orgUrl', flow: 'authFlow', auth: CRM_RECORD_FIELDS[crm][0]! };
  const fromSettings = record !== undefined && text(record, leaf) === undefined && inAdvancedSettings(record, path);
  const recordField = fromSettings ? undefined : (renamed[leaf] ?? (CRM_RECORD_FIELDS[crm].includes(leaf) ? leaf : undefined));
  const field = recordField === undefined ? `settings.${path}` : (labels[recordField] ?? recordField);
  const problem = e.message.slice(e.field.length + 2).replace(/\. Fix: [\s\S]*$/, '');
  return new InputError(field, problem, e.fix);
}

/** Fails with the field to fill in when a secret the axios transport needs is missing. */
export function requireRecordFields(record: CrmRecord, fields: readonly string[], why: string): void {
  for (const f of fields) {
    if (!text(record, f)) throw new InputError(f, 'is empty', `fill it in: ${why}`);
  }
}

export function text(record: CrmRecord, key: string): string | undefined {
  const v = record[key];
  if (typeof v === 'number') return String(v);
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

/** The advanced settings give this path's top-level setting (`timeZone`, `auth` of `auth.clientId`). */
function inAdvancedSettings(record: CrmRecord, path: string): boolean {
  try {
    return advancedSettings(record)[path.split('.')[0]!] !== undefined;
  } catch {
    return false;
  }
}

const SETTINGS_EXAMPLE = '{"contactIdProperty": "terminal_crm_id"}';
const FIELD_MAP_EXAMPLE = '{"loyalty_tier": "<the field\'s 40-character API key>"}';

/** A record field holding a JSON object, as text or as the object; empty: {}. */
function jsonObjectField(record: CrmRecord, key: string, example: string): Record<string, unknown> {
  const raw = record[key];
  if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) return {};
  const given = obj(raw);
  if (given) return given;
  if (typeof raw === 'string') {
    try {
      const parsed = obj(JSON.parse(raw));
      if (parsed) return parsed;
    } catch (e) {
      throw new InputError(key, `is not valid JSON (${(e as Error).message})`, `write a JSON object such as ${example}, or leave it empty`);
    }
  }
  throw new InputError(key, 'is not a JSON object', `write a JSON object such as ${example}, or leave it empty`);
}

function advancedSettings(record: CrmRecord): Record<string, unknown> {
  return jsonObjectField(record, 'settings', SETTINGS_EXAMPLE);
}

/** n8n's person field keys: undefined when empty, so the advanced settings' map stands. */
function fieldMapOf(record: CrmRecord): Record<string, unknown> | undefined {
  const map = jsonObjectField(record, 'fieldMap', FIELD_MAP_EXAMPLE);
  return Object.keys(map).length ? map : undefined;
}

/** n8n's OAuth2 credentials keep the token answer in `oauthTokenData`. */
function n8nTokenField(record: CrmRecord, key: string): string | undefined {
  const data = obj(record.oauthTokenData);
  return data ? text(data, key) : undefined;
}

function n8nRefreshToken(record: CrmRecord): string | undefined {
  return n8nTokenField(record, 'refresh_token');
}

/**
 * A PEM key as forms hand it over: a one-line input drops the line breaks, an environment variable spells them
 * "\n". OpenSSL wants the base64 body in lines under its header, so the block is rebuilt.
 */
export function formatPem(value: string): string {
  const v = value.replace(/\\n/g, '\n').trim();
  const m = /^(-----BEGIN [A-Z ]+-----)([\s\S]*?)(-----END [A-Z ]+-----)$/.exec(v);
  if (!m) return v;
  const body = m[2]!.replace(/\s+/g, '');
  return `${m[1]}\n${body.match(/.{1,64}/g)?.join('\n') ?? ''}\n${m[3]}\n`;
}
