import type { ICredentialType, INodeProperties } from 'n8n-workflow';

export class TerminalGenericWebhookApi implements ICredentialType {
  name = 'terminalGenericWebhookApi';

  displayName = 'Terminal CRM Signed Webhook API';

  icon = { light: 'file:icons/terminalSource.svg', dark: 'file:icons/terminalSource.dark.svg' } as const;

  documentationUrl = 'https://github.com/terminal-crm/n8n-nodes-terminal-crm#signed-webhook-credential';

  properties: INodeProperties[] = [
    {
      displayName: 'Signing Secret',
      name: 'secret',
      type: 'string',
      typeOptions: { password: true },
      default: '',
      placeholder: 'whsec_…',
      description:
        "The secret your gateway signs with: a Standard Webhooks secret (whsec_…), or the HMAC key of the \"hmac\" scheme in the trigger's Gateway Configuration (JSON), written as its hmac.secretEncoding says (text unless set to hex or base64). Two separated by a comma while you rotate.",
    },
  ];
}
