import { createHash } from 'node:crypto';
import { InputError } from '../../errors';
import { pacedAdapter } from './paced-transport';
import type { HttpTransport } from '../../http/http-transport';
import { parseSaasCrmName, type SaasCrmName } from '../crm-names';
import type { CrmAdapter } from './crm-adapter';
import { createDynamicsAdapter, dynamicsAxiosTransport, parseDynamicsSettings } from './dynamics';
import { createHubSpotAdapter, hubspotAxiosTransport, parseHubSpotSettings } from './hubspot';
import { HUBSPOT_BURST } from './hubspot-settings';
import { createPipedriveAdapter, parsePipedriveSettings, pipedriveAxiosTransport } from './pipedrive';
import { createSalesforceAdapter, parseSalesforceSettings, salesforceAxiosTransport } from './salesforce';
import { createZohoAdapter, parseZohoSettings, zohoAxiosTransport } from './zoho';
import { renameToRecordField, requireRecordFields, settingsInputFromRecord, text, type CrmRecord } from './crm-record-settings';

export type { CrmRecord } from './crm-record-settings';

/**
 * When the engine's transport authenticates (n8n's httpRequestWithAuthentication with the HubSpot credential),
 * HubSpot's settings still want an `auth`; this one is never sent anywhere.
 */
const ENGINE_AUTHENTICATES = { type: 'privateApp', accessToken: 'authenticated-by-the-engine' } as const;

/**
 * A CRM adapter from a CRM account (an n8n credential's data, a Node-RED config node's values), for every face.
 * Without `http`, the vendor's axios transport is built from the record's secrets (tokens cached, OAuth refreshed
 * by the core); with it, the engine's transport authenticates and the secrets are not needed. Salesforce and
 * Dynamics 365 are signed by the core in every face: an engine transport that does not say it authenticates
 * (`http.authenticates`) only carries their token requests and calls, and the core's token goes on each. Wrong or
 * missing values are InputErrors naming the account field, by its label in the editor where `labels` (field → label)
 * gives one.
 */
export function crmAdapterFromRecord(name: string, record: CrmRecord, http?: HttpTransport, labels?: Readonly<Record<string, string>>): CrmAdapter {
  const crm = parseSaasCrmName(name);
  try {
    // Every request paced, as the drain counts it: a HubSpot payment call of ten upserts and an association is 11.
    return pacedAdapter((paced) => build(crm, record, http, paced));
  } catch (e) {
    throw named(crm, e, record, labels);
  }
}

/**
 * An InputError as the operator can act on it: an adapter's setting renamed to the account field that holds it, and a
 * field the record reading itself refuses (n8n's Person Field Keys (JSON), an empty secret) named by its label.
 */
function named(crm: SaasCrmName, e: unknown, record: CrmRecord, labels: Readonly<Record<string, string>> = {}): unknown {
  if (!(e instanceof InputError)) return e;
  if (e.field.startsWith(`${crm}.`)) return renameToRecordField(crm, e, record, labels);
  const label = labels[e.field];
  return label === undefined ? e : new InputError(label, e.problem, e.fix);
}

/**
 * One account's record, digested: the same credential gives the same key in every execution. n8n's OAuth2 token data
 * is kept to its refresh token, which stands for the app's install in one account (the access token changes hourly).
 */
function accountKeyOf(record: CrmRecord): string {
  const { oauthTokenData, ...rest } = record as Record<string, unknown>;
  const install = oauthTokenData && typeof oauthTokenData === 'object' ? (oauthTokenData as Record<string, unknown>).refresh_token : undefined;
  return createHash('sha256').update(JSON.stringify([rest, install ?? null])).digest('base64url');
}

function build(crm: SaasCrmName, record: CrmRecord, http: HttpTransport | undefined, paced: (http: HttpTransport) => HttpTransport): CrmAdapter {
  const input = settingsInputFromRecord(crm, record);
  switch (crm) {
    case 'hubspot': {
      if (!http && !input.auth) requireRecordFields(record, ['accessToken'], 'a private app access token (pat-…), or the OAuth client id, secret and refresh token');
      // n8n's OAuth2 credential (its token answer in oauthTokenData) is a public app, with a public app's burst limit.
      const publicApp = http && !input.auth && record.oauthTokenData !== undefined && input.requestsPerTenSeconds === undefined ? { requestsPerTenSeconds: HUBSPOT_BURST.publicApp } : {};
      const settings = parseHubSpotSettings(http && !input.auth ? { ...input, ...publicApp, auth: ENGINE_AUTHENTICATES } : input);
      return createHubSpotAdapter({ http: paced(http ?? hubspotAxiosTransport(settings)), settings, accountKey: accountKeyOf(record) });
    }
    case 'salesforce': {
      if (!http?.authenticates) {
        requireRecordFields(record, ['clientId'], "the connected app's Consumer Key");
        if (text(record, 'authFlow') !== 'client_credentials' && (text(record, 'privateKey') || !text(record, 'clientSecret'))) {
          requireRecordFields(record, ['username', 'privateKey'], 'the JWT bearer flow signs in as this user with this key (or choose client credentials and give the Consumer Secret)');
        } else {
          requireRecordFields(record, ['clientSecret'], "the client credentials flow needs the connected app's Consumer Secret");
        }
      }
      const settings = parseSalesforceSettings(input);
      // An engine's transport that adds no auth is n8n's, whose nodes build their adapter for every execution: the
      // token is kept per account across them, so an execution does not log in again.
      return createSalesforceAdapter({ http: paced(http?.authenticates ? http : salesforceAxiosTransport(settings, { http, shareTokens: http !== undefined })), settings });
    }
    case 'dynamics': {
      requireRecordFields(record, ['orgUrl'], 'the Environment URL from the Power Platform admin center, e.g. https://contoso.crm.dynamics.com');
      if (!http?.authenticates) requireRecordFields(record, ['tenantId', 'clientId', 'clientSecret'], 'the app registration in Entra ID signs in with these');
      const settings = parseDynamicsSettings(input);
      return createDynamicsAdapter({ http: paced(http?.authenticates ? http : dynamicsAxiosTransport(settings, { http, shareTokens: http !== undefined })), settings });
    }
    case 'pipedrive': {
      const settings = parsePipedriveSettings(input);
      return createPipedriveAdapter({ http: paced(http ?? pipedriveAxiosTransport(settings)), settings });
    }
    case 'zoho': {
      const settings = parseZohoSettings(input);
      return createZohoAdapter({ http: paced(http ?? zohoAxiosTransport(settings)), settings, accountKey: accountKeyOf(record) });
    }
  }
}

/**
 * Where a CRM's API lives for a record, for an engine transport that needs a base URL for the adapter's relative
 * paths (n8nHttpTransport). Salesforce has none to give: its calls go to the instance URL its token names.
 */
export function crmBaseUrlFromRecord(name: string, record: CrmRecord, labels?: Readonly<Record<string, string>>): string | undefined {
  const crm = parseSaasCrmName(name);
  try {
    const input = settingsInputFromRecord(crm, record);
    switch (crm) {
      case 'hubspot':
        return parseHubSpotSettings({ ...input, auth: input.auth ?? ENGINE_AUTHENTICATES }).baseUrl;
      case 'salesforce':
        return parseSalesforceSettings(input).baseUrl;
      case 'dynamics':
        return parseDynamicsSettings(input).url;
      case 'pipedrive':
        return parsePipedriveSettings(input).baseUrl;
      case 'zoho':
        return parseZohoSettings(input).apiBaseUrl;
    }
  } catch (e) {
    throw named(crm, e, record, labels);
  }
}
