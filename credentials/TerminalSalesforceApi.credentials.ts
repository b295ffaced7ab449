import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * A Salesforce connected app, JWT bearer or client credentials flow. There is no `authenticate` on purpose: the
 * access token is fetched by the core (nodes/core/crm/saas/salesforce-auth.ts) and kept in its token cache, shared
 * by every call (in n8n, per account across executions: sharedTokenSlot). n8n's declarative `authenticate` cannot
 * sign a JWT or make a token request, and the alternative, `preAuthentication` with an expirable field, writes each new token back into the stored
 * credential and logs in again on every expiry it cannot see (Salesforce sessions carry no expires_in), which runs
 * into Salesforce's login rate limit. The token answer also names the instance URL the API calls must go to.
 * The CRM nodes test this credential by fetching a token and reading one changed Contact.
 */
export class TerminalSalesforceApi implements ICredentialType {
  name = 'terminalSalesforceApi';

  displayName = 'Terminal CRM Salesforce API';

  icon = { light: 'file:icons/terminalCrmAccount.svg', dark: 'file:icons/terminalCrmAccount.dark.svg' } as const;

  documentationUrl = 'https://github.com/terminal-crm/n8n-nodes-terminal-crm#salesforce-credential';

  properties: INodeProperties[] = [
    {
      displayName: 'Flow',
      name: 'authFlow',
      type: 'options',
      options: [
        {
          name: 'Client Credentials',
          value: 'client_credentials',
          description: 'The Consumer Secret; the connected app runs as its "Run As" user. Needs your My Domain URL as the login URL.',
        },
        {
          name: 'JWT Bearer',
          value: 'jwt_bearer',
          description: 'A private key whose certificate is uploaded to the connected app, and the integration user',
        },
      ],
      default: 'jwt_bearer',
    },
    {
      displayName: 'Consumer Key',
      name: 'clientId',
      type: 'string',
      default: '',
      required: true,
      description: "The connected app's Consumer Key (Setup → App Manager → your app → View → Manage Consumer Details)",
    },
    {
      displayName: 'Username',
      name: 'username',
      type: 'string',
      default: '',
      placeholder: 'integration@yourcompany.com',
      description: 'The integration user the connected app is pre-authorized for',
      displayOptions: { show: { authFlow: ['jwt_bearer'] } },
    },
    {
      displayName: 'Private Key',
      name: 'privateKey',
      type: 'string',
      typeOptions: { password: true, rows: 4 },
      default: '',
      placeholder: '-----BEGIN PRIVATE KEY-----',
      description: 'The PEM private key whose certificate is uploaded to the connected app ("Use digital signatures")',
      displayOptions: { show: { authFlow: ['jwt_bearer'] } },
    },
    {
      displayName: 'Consumer Secret',
      name: 'clientSecret',
      type: 'string',
      typeOptions: { password: true },
      default: '',
      description: "The connected app's Consumer Secret; the app needs \"Enable Client Credentials Flow\" and a Run As user",
      displayOptions: { show: { authFlow: ['client_credentials'] } },
    },
    {
      displayName: 'Login URL',
      name: 'loginUrl',
      type: 'string',
      default: 'https://login.salesforce.com',
      description: 'Where tokens come from: https://login.salesforce.com, https://test.salesforce.com for a sandbox, or your My Domain URL (required for client credentials)',
    },
    {
      displayName: 'Instance URL',
      name: 'baseUrl',
      type: 'string',
      default: '',
      placeholder: 'https://yourcompany.my.salesforce.com',
      description: 'Optional. Leave empty to call the instance URL Salesforce names with each token, which follows org migrations.',
    },
    {
      displayName: 'API Version',
      name: 'apiVersion',
      type: 'string',
      default: '',
      placeholder: 'v66.0',
      description: 'Optional. Leave empty for the version this pack is tested with.',
    },
    {
      displayName: 'Timeout (ms)',
      name: 'timeoutMs',
      type: 'number',
      typeOptions: { minValue: 1000 },
      default: 30000,
      description:
        "How long to wait for Salesforce to answer one request. A request it does not answer in time is given up: its records stay queued in the store's outbox and are sent again (keyed, so never twice in Salesforce), and the execution goes on. The default suits most accounts (a composite request of 200 records can take Salesforce several seconds); lower it so a hanging Salesforce does not hold executions.",
    },
  ];
}
