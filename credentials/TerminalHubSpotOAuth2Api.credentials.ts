import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/** What the adapter does: contacts and deals, read and written (payments are deals, see hubspot-settings.ts). */
const SCOPES = ['oauth', 'crm.objects.contacts.read', 'crm.objects.contacts.write', 'crm.objects.deals.read', 'crm.objects.deals.write'];

export class TerminalHubSpotOAuth2Api implements ICredentialType {
  name = 'terminalHubSpotOAuth2Api';

  extends = ['oAuth2Api'];

  displayName = 'Terminal CRM HubSpot OAuth2 API';

  icon = { light: 'file:icons/terminalCrmAccount.svg', dark: 'file:icons/terminalCrmAccount.dark.svg' } as const;

  documentationUrl = 'https://github.com/terminal-crm/n8n-nodes-terminal-crm#hubspot-credential';

  properties: INodeProperties[] = [
    {
      displayName: 'Grant Type',
      name: 'grantType',
      type: 'hidden',
      default: 'authorizationCode',
    },
    {
      displayName: 'Authorization URL',
      name: 'authUrl',
      type: 'hidden',
      default: 'https://app.hubspot.com/oauth/authorize',
      required: true,
    },
    {
      displayName: 'Access Token URL',
      name: 'accessTokenUrl',
      type: 'hidden',
      default: 'https://api.hubapi.com/oauth/2026-03/token',
      required: true,
    },
    {
      displayName: 'Scope',
      name: 'scope',
      type: 'hidden',
      default: SCOPES.join(' '),
    },
    {
      displayName: 'Auth URI Query Parameters',
      name: 'authQueryParameters',
      type: 'hidden',
      default: '',
    },
    {
      displayName: 'Authentication',
      name: 'authentication',
      type: 'hidden',
      default: 'body',
    },
    {
      displayName: 'Base URL',
      name: 'baseUrl',
      type: 'string',
      default: 'https://api.hubapi.com',
      description: "HubSpot's API: https://api.hubapi.com, or https://api-eu1.hubapi.com for accounts in the EU data centre.",
    },
    {
      displayName: 'Timeout (ms)',
      name: 'timeoutMs',
      type: 'number',
      typeOptions: { minValue: 1000 },
      default: 10000,
      description:
        "How long to wait for HubSpot to answer one request. A request it does not answer in time is given up: its records stay queued in the store's outbox and are sent again (keyed, so never twice in HubSpot), and the execution goes on. The default suits most accounts (HubSpot answers a batch of 100 in about a second); lower it so a hanging HubSpot does not hold executions.",
    },
  ];
}
