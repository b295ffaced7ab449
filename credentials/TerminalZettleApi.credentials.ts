import type { IAuthenticateGeneric, ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * Tested by the nodes that use it (testedBy "webhookOrTokenCredentialTest"): the Access Token is optional, and a
 * request test would fail a webhook-only credential that works.
 */
export class TerminalZettleApi implements ICredentialType {
  name = 'terminalZettleApi';

  displayName = 'Terminal CRM Zettle API';

  icon = { light: 'file:icons/terminalSource.svg', dark: 'file:icons/terminalSource.dark.svg' } as const;

  documentationUrl = 'https://github.com/terminal-crm/n8n-nodes-terminal-crm#zettle-credential';

  properties: INodeProperties[] = [
    // eslint-disable-next-line @n8n/community-nodes/credential-unnecessary-password -- the signing key signs Zettle's webhooks: whoever reads it can forge a payment
    {
      displayName: 'Signing Key',
      name: 'signingKey',
      type: 'string',
      typeOptions: { password: true },
      default: '',
      description:
        "The signing key Zettle returned when the subscription was created (Pusher API). Every notification's X-iZettle-Signature is checked against it.",
    },
    {
      displayName: 'Access Token',
      name: 'accessToken',
      type: 'string',
      typeOptions: { password: true },
      default: '',
      description:
        'Optional. An OAuth access token with READ:PURCHASE, for polling purchases. The credential test lists one purchase with it.',
    },
  ];

  authenticate: IAuthenticateGeneric = { type: 'generic', properties: { headers: { Authorization: '=Bearer {{$credentials.accessToken}}' } } };
}
