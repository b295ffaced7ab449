import type { IAuthenticateGeneric, ICredentialType, INodeProperties } from 'n8n-workflow';

export class TerminalAdyenCloudApi implements ICredentialType {
  name = 'terminalAdyenCloudApi';

  displayName = 'Adyen Terminal Cloud API';

  icon = { light: 'file:icons/terminalSource.svg', dark: 'file:icons/terminalSource.dark.svg' } as const;

  documentationUrl = 'https://github.com/terminal-crm/n8n-nodes-terminal-crm#adyen-terminal-cloud-api-credential';

  properties: INodeProperties[] = [
    {
      displayName: 'API Key',
      name: 'apiKey',
      type: 'string',
      typeOptions: { password: true },
      default: '',
      required: true,
      description:
        'The API key of a credential with the "Cloud Device API" role, for the merchant account the terminals are assigned to (Customer Area → Developers → API credentials). Send to Terminal sends payment requests to your terminals with it.',
    },
    {
      displayName: 'Terminal API URL',
      name: 'baseUrl',
      type: 'options',
      default: 'https://terminal-api-test.adyen.com',
      options: [
        { name: 'Test', value: 'https://terminal-api-test.adyen.com' },
        { name: 'Live — Europe', value: 'https://terminal-api-live.adyen.com' },
        { name: 'Live — United States', value: 'https://terminal-api-live-us.adyen.com' },
        { name: 'Live — Australia', value: 'https://terminal-api-live-au.adyen.com' },
        { name: 'Live — Asia Pacific South East', value: 'https://terminal-api-live-apse.adyen.com' },
      ],
      description: 'Where your terminals are boarded. Test terminals take only test cards; a live URL charges real cards.',
    },
    {
      displayName: 'Sale ID',
      name: 'saleId',
      type: 'string',
      default: 'terminal-crm',
      description: 'How the terminal names the system that sent the payment (MessageHeader.SaleID in Adyen\'s reports).',
    },
  ];

  authenticate: IAuthenticateGeneric = { type: 'generic', properties: { headers: { 'X-API-Key': '={{$credentials.apiKey}}' } } };
}
