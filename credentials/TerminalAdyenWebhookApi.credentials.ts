import type { ICredentialType, INodeProperties } from 'n8n-workflow';

export class TerminalAdyenWebhookApi implements ICredentialType {
  name = 'terminalAdyenWebhookApi';

  displayName = 'Terminal CRM Adyen Webhooks API';

  icon = { light: 'file:icons/terminalSource.svg', dark: 'file:icons/terminalSource.dark.svg' } as const;

  documentationUrl = 'https://github.com/terminal-crm/n8n-nodes-terminal-crm#adyen-webhooks-credential';

  properties: INodeProperties[] = [
    // eslint-disable-next-line @n8n/community-nodes/credential-unnecessary-password -- the HMAC key signs Adyen's notifications: whoever reads it can forge a payment
    {
      displayName: 'HMAC Key',
      name: 'hmacKey',
      type: 'string',
      typeOptions: { password: true },
      default: '',
      placeholder: '44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056',
      description:
        'The HMAC key (hex) of your Standard webhook (Customer Area → Developers → Webhooks → your webhook → Security). Each notification item is checked against it; items that fail are dropped and logged. Two keys separated by a comma while you rotate.',
    },
    {
      displayName: 'Basic Auth Username',
      name: 'basicUsername',
      type: 'string',
      default: '',
      description:
        'Optional. The username you set under "Basic authentication" in the webhook; checked on every delivery when set.',
    },
    {
      displayName: 'Basic Auth Password',
      name: 'basicPassword',
      type: 'string',
      typeOptions: { password: true },
      default: '',
      description:
        'Optional. The password for basic authentication.',
    },
  ];
}
