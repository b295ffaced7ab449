import type { ICredentialType, INodeProperties } from 'n8n-workflow';

export class TerminalCloverApi implements ICredentialType {
  name = 'terminalCloverApi';

  displayName = 'Terminal CRM Clover API';

  icon = { light: 'file:icons/terminalSource.svg', dark: 'file:icons/terminalSource.dark.svg' } as const;

  documentationUrl = 'https://github.com/terminal-crm/n8n-nodes-terminal-crm#clover-credential';

  properties: INodeProperties[] = [
    // eslint-disable-next-line @n8n/community-nodes/credential-unnecessary-password -- the auth code is the secret Clover sends with every webhook: whoever reads it can forge a payment
    {
      displayName: 'Webhook Auth Code',
      name: 'authCode',
      type: 'string',
      typeOptions: { password: true },
      default: '',
      description:
        "The X-Clover-Auth code Clover shows for your app's webhook after verification (Developer Dashboard → your app → App Settings → Webhooks).",
    },
    {
      displayName: 'API Token',
      name: 'apiToken',
      type: 'string',
      typeOptions: { password: true },
      default: '',
      description:
        'A merchant API token allowed to read payments. Clover notifications only name a payment, so the trigger fetches it with this token. Several merchants: mId:token,mId2:token2. The trigger sends each merchant its own token.',
    },
    {
      displayName: 'Merchant ID',
      name: 'merchantId',
      type: 'string',
      default: '',
      description:
        'Optional. For polling with a single API token: the merchant whose payments are read.',
    },
    {
      displayName: 'Currency',
      name: 'currency',
      type: 'string',
      default: '',
      placeholder: 'USD',
      description:
        'Optional, USD when empty. A three-letter ISO 4217 code, used only for a payment whose card transaction and order name no currency.',
    },
    {
      displayName: 'Base URL',
      name: 'baseUrl',
      type: 'string',
      default: 'https://api.clover.com',
      description:
        "Clover's REST API: https://api.clover.com (North America), https://api.eu.clover.com (Europe), https://apisandbox.dev.clover.com (sandbox).",
    },
  ];
}
