import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

export class TerminalPipedriveApi implements ICredentialType {
  name = 'terminalPipedriveApi';

  displayName = 'Terminal CRM Pipedrive API';

  icon = { light: 'file:icons/terminalCrmAccount.svg', dark: 'file:icons/terminalCrmAccount.dark.svg' } as const;

  documentationUrl = 'https://github.com/terminal-crm/n8n-nodes-terminal-crm#pipedrive-credential';

  properties: INodeProperties[] = [
    {
      displayName: 'API Token',
      name: 'apiToken',
      type: 'string',
      typeOptions: { password: true },
      default: '',
      description:
        'Your personal API token (Personal preferences → API). It is sent in the x-api-token header, never in the query string where proxies would log it. The credential test reads your own user with it.',
    },
    {
      displayName: 'Customer ID Field Key',
      name: 'customerIdField',
      type: 'string',
      default: '',
      placeholder: '40 hexadecimal characters',
      description:
        'Required. The API key of a text person field (e.g. "Terminal CRM ID") that holds the customer ID of this pack (Company settings → Data fields → Person → the field → API key). Pipedrive has no upsert: persons are found by it.',
    },
    {
      displayName: 'Payment Key Field Key',
      name: 'paymentKeyField',
      type: 'string',
      default: '',
      placeholder: '40 hexadecimal characters',
      description:
        'Required. The API key of a text deal field (e.g. "Terminal payment key") that holds each payment\'s key, so a refund updates the deal it belongs to.',
    },
    {
      displayName: 'Person Field Keys (JSON)',
      name: 'fieldMap',
      type: 'string',
      typeOptions: { rows: 3 },
      default: '',
      placeholder: '{"terminal_crm_segment": "<40 hexadecimal characters>", "loyalty_tier": "…"}',
      description:
        "For Segment Customer and Loyalty Enroll: each CRM Field Name they write, with the API key of the Pipedrive person field it goes to (Company settings → Data fields → Person → the field → API key). Pipedrive's field keys are random: a value whose name is not here cannot be written.",
    },
    {
      displayName: 'Base URL',
      name: 'baseUrl',
      type: 'string',
      default: 'https://api.pipedrive.com',
      description: "Pipedrive's API. Your company domain (https://yourcompany.pipedrive.com) works too.",
    },
    {
      displayName: 'Timeout (ms)',
      name: 'timeoutMs',
      type: 'number',
      typeOptions: { minValue: 1000 },
      default: 10000,
      description:
        "How long to wait for Pipedrive to answer one request. A request it does not answer in time is given up: its records stay queued in the store's outbox and are sent again (keyed, so never twice in Pipedrive), and the execution goes on. The default suits most accounts (Pipedrive answers one record at a time, in well under a second); lower it so a hanging Pipedrive does not hold executions.",
    },
  ];

  authenticate: IAuthenticateGeneric = { type: 'generic', properties: { headers: { 'x-api-token': '={{$credentials.apiToken}}' } } };

  test: ICredentialTestRequest = { request: { baseURL: '={{$credentials.baseUrl}}', url: '/api/v1/users/me' } };
}
