import type { IAuthenticateGeneric, ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * Tested by the nodes that use it (testedBy "webhookOrTokenCredentialTest"): the Access Token is optional, and a
 * request test would fail a webhook-only credential that works.
 */
export class TerminalSquareApi implements ICredentialType {
  name = 'terminalSquareApi';

  displayName = 'Terminal CRM Square API';

  icon = { light: 'file:icons/terminalSource.svg', dark: 'file:icons/terminalSource.dark.svg' } as const;

  documentationUrl = 'https://github.com/terminal-crm/n8n-nodes-terminal-crm#square-credential';

  properties: INodeProperties[] = [
    // eslint-disable-next-line @n8n/community-nodes/credential-unnecessary-password -- the signature key signs Square's webhooks: whoever reads it can forge a payment
    {
      displayName: 'Webhook Signature Key',
      name: 'signatureKey',
      type: 'string',
      typeOptions: { password: true },
      default: '',
      description:
        'The "Signature key" of your webhook subscription (Square Developer Dashboard → your application → Webhooks → Subscriptions). Every notification is checked against it. Two separated by a comma while you rotate. Not needed for polling.',
    },
    {
      displayName: 'Notification URL',
      name: 'notificationUrl',
      type: 'string',
      default: '',
      placeholder: 'https://n8n.example.com/webhook/…',
      description:
        "Optional. Square signs the notification URL together with the body, so it must be exactly the URL you entered in the subscription. Leave empty to use the trigger's Public URL option, or else its Production URL; set it when n8n is behind a proxy or tunnel that changes the URL. When set, it is used rather than the trigger's Public URL.",
    },
    {
      displayName: 'Access Token',
      name: 'accessToken',
      type: 'string',
      typeOptions: { password: true },
      default: '',
      placeholder: 'EAAA…',
      description:
        "Optional. A Square access token with CUSTOMERS_READ (and for polling PAYMENTS_READ, and MERCHANT_PROFILE_READ when Location IDs is empty): the trigger then fetches the buyer's name and phone from the Customers API. Polling and Send to Terminal need it (Send to Terminal: PAYMENTS_WRITE). The credential test calls GET /v2/locations with it.",
    },
    {
      displayName: 'Base URL',
      name: 'baseUrl',
      type: 'string',
      default: 'https://connect.squareup.com',
      description:
        "Square's API. Use https://connect.squareupsandbox.com for the sandbox.",
    },
    {
      displayName: 'Location IDs',
      name: 'locationId',
      type: 'string',
      default: '',
      placeholder: 'L7K3PWQ9ZR2VD, LQ2M8XW4RT6VB',
      description:
        "Optional. The Square locations polling lists, comma-separated (Square Dashboard → Settings → Locations). Empty: every location of the seller, looked up with the Access Token, which then needs MERCHANT_PROFILE_READ (without it only the main location is listed, and a warning says so). Webhooks bring every location either way.",
    },
  ];

  authenticate: IAuthenticateGeneric = { type: 'generic', properties: { headers: { Authorization: '=Bearer {{$credentials.accessToken}}' } } };
}
