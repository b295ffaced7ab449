import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

export class TerminalHubSpotApi implements ICredentialType {
  name = 'terminalHubSpotApi';

  displayName = 'Terminal CRM HubSpot API';

  icon = { light: 'file:icons/terminalCrmAccount.svg', dark: 'file:icons/terminalCrmAccount.dark.svg' } as const;

  documentationUrl = 'https://github.com/terminal-crm/n8n-nodes-terminal-crm#hubspot-credential';

  properties: INodeProperties[] = [
    {
      displayName: 'Access Token',
      name: 'accessToken',
      type: 'string',
      typeOptions: { password: true },
      default: '',
      placeholder: 'pat-na1-…',
      description:
        'The access token of a private app (Settings → Integrations → Private Apps → your app → Auth) with the scopes crm.objects.contacts.read, crm.objects.contacts.write, crm.objects.deals.read and crm.objects.deals.write. The credential test reads the account details with it.',
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

  authenticate: IAuthenticateGeneric = { type: 'generic', properties: { headers: { Authorization: '=Bearer {{$credentials.accessToken}}' } } };

  test: ICredentialTestRequest = { request: { baseURL: '={{$credentials.baseUrl}}', url: '/account-info/v3/details' } };
}
