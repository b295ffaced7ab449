import type { IAuthenticateGeneric, ICredentialType, INodeProperties } from 'n8n-workflow';

export class StripeTerminalApi implements ICredentialType {
  name = 'stripeTerminalApi';

  displayName = 'Stripe Terminal API';

  icon = { light: 'file:icons/stripeTerminal.svg', dark: 'file:icons/stripeTerminal.dark.svg' } as const;

  documentationUrl = 'https://github.com/terminal-crm/n8n-nodes-terminal-crm#stripe-terminal-credential';

  properties: INodeProperties[] = [
    {
      displayName:
        'Fill in at least one of the two fields. With a secret key the trigger registers its webhook in Stripe by itself. Without one, add the endpoint in the Stripe Dashboard and paste its signing secret here.',
      name: 'notice',
      type: 'notice',
      default: '',
    },
    {
      displayName: 'Secret API Key',
      name: 'secretKey',
      type: 'string',
      typeOptions: { password: true },
      default: '',
      placeholder: 'sk_live_… or rk_live_…',
      description:
        'Optional. A secret key, or a restricted key with "Webhook Endpoints: Write", from Stripe Dashboard → Developers → API keys. Lets the trigger create and remove its Stripe webhook when the workflow is published or unpublished. The Terminal Payment Poll Trigger reads events with it (a restricted key needs Events: Read), and so does the trigger when an event destination sends it the thin payload (a sale comes as a thin event, read from the snapshot event it names), and Send to Terminal charges readers with it (PaymentIntents and Terminal readers: Write). The credential test checks this key against Stripe.',
    },
    {
      displayName: 'Webhook Signing Secret',
      name: 'signingSecret',
      type: 'string',
      typeOptions: { password: true },
      default: '',
      placeholder: 'whsec_…',
      description:
        'Optional when a secret key is set. The "Signing secret" of the endpoint you added in Stripe Dashboard → Developers → Webhooks. Several secrets may be given separated by commas while you roll one. The credential test cannot check a signing secret (only Stripe signs with it): with just a signing secret it checks the format and says the first signed delivery is the real check.',
    },
  ];

  authenticate: IAuthenticateGeneric = {
    type: 'generic',
    properties: {
      headers: {
        Authorization: '=Bearer {{$credentials.secretKey}}',
      },
    },
  };
}
