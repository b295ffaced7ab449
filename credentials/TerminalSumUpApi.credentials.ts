import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

export class TerminalSumUpApi implements ICredentialType {
  name = 'terminalSumUpApi';

  displayName = 'Terminal CRM SumUp API';

  icon = { light: 'file:icons/terminalSource.svg', dark: 'file:icons/terminalSource.dark.svg' } as const;

  documentationUrl = 'https://github.com/terminal-crm/n8n-nodes-terminal-crm#sumup-credential';

  properties: INodeProperties[] = [
    {
      displayName: 'Access Token',
      name: 'accessToken',
      type: 'string',
      typeOptions: { password: true },
      default: '',
      description:
        "An API key or OAuth access token with the transactions.history scope. SumUp's webhook only says that something changed, so the trigger fetches the transaction with this token. The credential test calls GET /v0.1/memberships.",
    },
    {
      displayName: 'Webhook Signing Secret',
      name: 'signingSecret',
      type: 'string',
      typeOptions: { password: true },
      default: '',
      description:
        'Optional. The secret SumUp signs its webhooks with (X-SumUp-Webhook-Signature): with it, a wrongly signed notification is refused before anything is fetched.',
    },
    {
      displayName: 'Merchant Code',
      name: 'merchantCode',
      type: 'string',
      default: '',
      placeholder: 'MC0X8Y2Z',
      description:
        "Optional. Your SumUp merchant code: transactions are read from /v2.1/merchants/&lt;code&gt;/transactions. Empty: the token's own account, through SumUp's older /v0.1/me/transactions. Also read for the merchant's default currency (/v1/merchants/&lt;code&gt;) when a cancelled transaction names none.",
    },
    {
      displayName: 'Base URL',
      name: 'baseUrl',
      type: 'string',
      default: 'https://api.sumup.com',
      description:
        "SumUp's API.",
    },
  ];

  authenticate: IAuthenticateGeneric = { type: 'generic', properties: { headers: { Authorization: '=Bearer {{$credentials.accessToken}}' } } };

  test: ICredentialTestRequest = { request: { baseURL: '={{$credentials.baseUrl}}', url: '/v0.1/memberships' } };
}
