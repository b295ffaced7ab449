import type { IAuthenticateGeneric, ICredentialDataDecryptedObject, ICredentialType, IDataObject, IHttpRequestHelper, INodeProperties } from 'n8n-workflow';
import { oauth2TokenForm } from '../nodes/core/http/oauth2-token';
import { ZETTLE_OAUTH_BASE_URL } from '../nodes/core/sources/zettle-auth';

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
      displayName: 'API Key',
      name: 'apiKey',
      type: 'string',
      typeOptions: { password: true },
      default: '',
      description:
        "Optional, for polling and for counting a refund paid back in cash against its card sale: an API key the merchant created at my.zettle.com (Integrations, API keys) with READ:PURCHASE. n8n exchanges it for access tokens as they expire.",
    },
    {
      displayName: 'Client ID',
      name: 'clientId',
      type: 'string',
      default: '',
      placeholder: '6adde977-c34d-4de1-99b2-f6ed3e65431a',
      description: 'The client ID of the self-hosted app the API key was created for. Required with an API key.',
    },
    {
      displayName: 'Access Token',
      name: 'accessToken',
      type: 'string',
      typeOptions: { password: true },
      default: '',
      description:
        'Optional, instead of an API key: an OAuth access token with READ:PURCHASE. Zettle\'s tokens last two hours, so this suits a test; the credential test lists one purchase with it.',
    },
    // The access token the API key gave: n8n asks for a new one when it is empty or Zettle answers 401.
    { displayName: 'Session Token', name: 'sessionToken', type: 'hidden', typeOptions: { expirable: true, password: true }, default: '' },
  ];

  /** The assertion grant of a self-hosted app (oauth-api set-up-authorisation-assertion-grant.md). */
  async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject): Promise<IDataObject> {
    const apiKey = String(credentials.apiKey ?? '').trim();
    if (!apiKey) return { sessionToken: '' };
    const form = oauth2TokenForm({ grant: 'jwt_bearer', clientId: String(credentials.clientId ?? '').trim(), assertion: () => apiKey });
    const answer = (await this.helpers.httpRequest({
      method: 'POST',
      url: `${ZETTLE_OAUTH_BASE_URL}/token`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    })) as { access_token?: unknown };
    return { sessionToken: typeof answer.access_token === 'string' ? answer.access_token : '' };
  }

  authenticate: IAuthenticateGeneric = {
    type: 'generic',
    properties: { headers: { Authorization: '=Bearer {{$credentials.apiKey ? $credentials.sessionToken : $credentials.accessToken}}' } },
  };
}
