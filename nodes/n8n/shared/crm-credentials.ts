import type { ICredentialType, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { TerminalDynamicsApi } from '../../../credentials/TerminalDynamicsApi.credentials';
import { TerminalHubSpotApi } from '../../../credentials/TerminalHubSpotApi.credentials';
import { TerminalHubSpotOAuth2Api } from '../../../credentials/TerminalHubSpotOAuth2Api.credentials';
import { TerminalPipedriveApi } from '../../../credentials/TerminalPipedriveApi.credentials';
import { TerminalSalesforceApi } from '../../../credentials/TerminalSalesforceApi.credentials';
import { TerminalZohoOAuth2Api } from '../../../credentials/TerminalZohoOAuth2Api.credentials';
import { parseSaasCrmName, type SaasCrmName } from '../../core/crm/crm-names';
import { choiceOf } from './choice';
import { credentialFieldLabels } from './credential-labels';
import { InputError } from '../../core/errors';
import type { CrmAdapter } from '../../core/crm/saas/crm-adapter';
import { crmAdapterFromRecord, crmBaseUrlFromRecord } from '../../core/crm/saas/crm-from-credentials';
import { n8nHttpTransport } from './n8n-http-transport';

export interface CrmCredential {
  crm: SaasCrmName;
  /** The n8n credential type. */
  type: string;
  label: string;
  /**
   * n8n signs the requests (a header or an OAuth2 token it refreshes). false: Salesforce and Dynamics have no
   * `authenticate` (see their credential files): the core fetches and caches the token and puts it on each request,
   * and n8n carries them as they are. Every request goes through httpRequestWithAuthentication either way.
   */
  engineAuthenticates: boolean;
  /** HubSpot's "Authentication" choice this credential belongs to. */
  authentication?: 'accessToken' | 'oAuth2';
}

/** The credential each CRM node offers per CRM (and, for HubSpot, per authentication), in the order they show. */
export const CRM_CREDENTIALS: readonly CrmCredential[] = [
  { crm: 'hubspot', authentication: 'accessToken', type: 'terminalHubSpotApi', label: 'Terminal CRM HubSpot API', engineAuthenticates: true },
  { crm: 'hubspot', authentication: 'oAuth2', type: 'terminalHubSpotOAuth2Api', label: 'Terminal CRM HubSpot OAuth2 API', engineAuthenticates: true },
  { crm: 'salesforce', type: 'terminalSalesforceApi', label: 'Terminal CRM Salesforce API', engineAuthenticates: false },
  { crm: 'dynamics', type: 'terminalDynamicsApi', label: 'Terminal CRM Dynamics 365 API', engineAuthenticates: false },
  { crm: 'pipedrive', type: 'terminalPipedriveApi', label: 'Terminal CRM Pipedrive API', engineAuthenticates: true },
  { crm: 'zoho', type: 'terminalZohoOAuth2Api', label: 'Terminal CRM Zoho OAuth2 API', engineAuthenticates: true },
];

export function crmCredentialOf(crmName: unknown, authentication: unknown): CrmCredential {
  const crm = parseSaasCrmName(crmName, 'CRM');
  // HubSpot's credential follows Authentication; a value that is none of its choices is named, not read as Access Token.
  const chosen = crm === 'hubspot' ? choiceOf(HUBSPOT_AUTHENTICATION, authentication) : undefined;
  return CRM_CREDENTIALS.find((c) => c.crm === crm && (!c.authentication || c.authentication === chosen))!;
}

/** The credentials' own definitions, read for their field labels, not retyped. */
const CREDENTIAL_CLASSES: readonly ICredentialType[] = [
  new TerminalHubSpotApi(), new TerminalHubSpotOAuth2Api(), new TerminalSalesforceApi(), new TerminalDynamicsApi(), new TerminalPipedriveApi(), new TerminalZohoOAuth2Api(),
];

/** Each field of the credential by the label n8n shows it under ("timeZone" → "Time Zone"), for the core's messages. */
export function crmFieldLabels(type: string): Record<string, string> {
  const credential = CREDENTIAL_CLASSES.find((c) => c.name === type);
  return credential ? credentialFieldLabels(credential) : {};
}

/** The CRM's adapter over the node's credential for it, each request bounded by the credential's Timeout. */
export async function crmAdapterFromNode(ctx: IExecuteFunctions, credential: CrmCredential): Promise<CrmAdapter> {
  const data = { ...(await ctx.getCredentials(credential.type)) };
  const labels = crmFieldLabels(credential.type);
  const timeoutMs = crmTimeoutMs(data.timeoutMs, labels.timeoutMs);
  // The adapters read their timeout from their settings (HubSpot, Salesforce and Dynamics put it on each request);
  // a credential saved before the field existed keeps the adapter's own default.
  const record = timeoutMs === undefined || typeof data.settings === 'string' ? data : { ...data, settings: { ...(data.settings as object | undefined), timeoutMs } };
  // The core signs Salesforce's and Dynamics' requests itself, to absolute URLs (the token's instance URL, the
  // environment URL): n8n needs no base URL for them.
  const baseUrl = credential.engineAuthenticates ? crmBaseUrlFromRecord(credential.crm, record, labels) : undefined;
  const http = n8nHttpTransport(ctx, credential.type, baseUrl, { ...(timeoutMs === undefined ? {} : { timeoutMs }), authenticates: credential.engineAuthenticates });
  return crmAdapterFromRecord(credential.crm, record, http, labels);
}

/** The credential's "Timeout (ms)": blank (a credential saved before the field existed) is undefined. */
export function crmTimeoutMs(value: unknown, label = 'Timeout (ms)'): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'number' ? value : Number(String(value).trim());
  if (!Number.isInteger(n) || n < 1) throw new InputError(label, `"${String(value)}" is not a timeout`, 'give whole milliseconds, e.g. 10000 for ten seconds');
  return n;
}

/** HubSpot takes a private-app token or OAuth2; the credential shown follows this choice (crmCredentialOf). */
export const HUBSPOT_AUTHENTICATION: INodeProperties = {
  displayName: 'Authentication',
  name: 'authentication',
  type: 'options',
  noDataExpression: true,
  options: [
    { name: 'Access Token', value: 'accessToken', description: 'A private app access token' },
    { name: 'OAuth2', value: 'oAuth2', description: 'A public app; n8n refreshes the token' },
  ],
  default: 'accessToken',
  displayOptions: { show: { crm: ['hubspot'] } },
};
