import type { ICredentialType, INodeProperties } from 'n8n-workflow';
import { ZOHO_DATA_CENTERS, ZOHO_SCOPES } from '../nodes/core/crm/saas/zoho-settings';

/** The data centre's accounts server, as an n8n expression over this credential's own Data Center field. */
const accounts = (path: string) => `={{ ${JSON.stringify(Object.fromEntries(Object.entries(ZOHO_DATA_CENTERS).map(([dc, u]) => [dc, u.accounts])))}[$self["dataCenter"]] + "${path}" }}`;

export class TerminalZohoOAuth2Api implements ICredentialType {
  name = 'terminalZohoOAuth2Api';

  extends = ['oAuth2Api'];

  displayName = 'Terminal CRM Zoho OAuth2 API';

  icon = { light: 'file:icons/terminalCrmAccount.svg', dark: 'file:icons/terminalCrmAccount.dark.svg' } as const;

  documentationUrl = 'https://github.com/terminal-crm/n8n-nodes-terminal-crm#zoho-crm-credential';

  properties: INodeProperties[] = [
    {
      displayName: 'Grant Type',
      name: 'grantType',
      type: 'hidden',
      default: 'authorizationCode',
    },
    {
      displayName: 'Data Center',
      name: 'dataCenter',
      type: 'options',
      options: [
        { name: 'Australia (zoho.com.au)', value: 'au' },
        { name: 'Canada (zohocloud.ca)', value: 'ca' },
        { name: 'China (zoho.com.cn)', value: 'cn' },
        { name: 'Europe (zoho.eu)', value: 'eu' },
        { name: 'India (zoho.in)', value: 'in' },
        { name: 'Japan (zoho.jp)', value: 'jp' },
        { name: 'Saudi Arabia (zoho.sa)', value: 'sa' },
        { name: 'United Kingdom (zoho.uk)', value: 'uk' },
        { name: 'United States (zoho.com)', value: 'us' },
      ],
      default: 'us',
      description: 'Where your Zoho organisation lives: the domain you sign in at. A token from one data centre is refused by every other.',
    },
    {
      displayName: 'Authorization URL',
      name: 'authUrl',
      type: 'hidden',
      default: accounts('/oauth/v2/auth'),
      required: true,
    },
    {
      displayName: 'Access Token URL',
      name: 'accessTokenUrl',
      type: 'hidden',
      default: accounts('/oauth/v2/token'),
      required: true,
    },
    {
      // What each scope is for: ZOHO_SCOPES.
      displayName: 'Scope',
      name: 'scope',
      type: 'hidden',
      default: ZOHO_SCOPES.join(','),
    },
    {
      // Offline access is what makes Zoho issue a refresh token; consent makes it issue one on every reconnect.
      displayName: 'Auth URI Query Parameters',
      name: 'authQueryParameters',
      type: 'hidden',
      default: 'access_type=offline&prompt=consent',
    },
    {
      displayName: 'Authentication',
      name: 'authentication',
      type: 'hidden',
      default: 'body',
    },
    {
      displayName: 'API Domain',
      name: 'baseUrl',
      type: 'string',
      default: '',
      placeholder: 'https://www.zohoapis.eu',
      description: 'Optional. Leave empty for the API domain Zoho names when you connect (your data centre\'s); set it for a sandbox such as https://sandbox.zohoapis.com.',
    },
    {
      displayName: 'Time Zone',
      name: 'timeZone',
      type: 'string',
      default: '',
      placeholder: 'America/Los_Angeles',
      description:
        "Optional. The Zoho org's time zone (Setup → Company Details) as an IANA name, such as America/Los_Angeles or Asia/Kolkata: a deal's Closing_Date is the payment's calendar day in it. Leave empty to read it from Zoho, which needs the scope ZohoCRM.org.READ: a connection made before the pack asked for that scope gets UTC days until it is made again or this is set.",
    },
    {
      displayName: 'Timeout (ms)',
      name: 'timeoutMs',
      type: 'number',
      typeOptions: { minValue: 1000 },
      default: 10000,
      description:
        "How long to wait for Zoho CRM to answer one request. A request it does not answer in time is given up: its records stay queued in the store's outbox and are sent again (keyed, so never twice in Zoho CRM), and the execution goes on. The default suits most accounts (Zoho answers a batch of 100 in a few seconds); lower it so a hanging Zoho CRM does not hold executions.",
    },
  ];
}
