import type { ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * An app registration in Microsoft Entra ID signing in with the client credentials flow (no user, no consent
 * screen), added to the Dynamics 365 environment as an application user. As with Salesforce there is no
 * `authenticate`: the core fetches the token for `<environment URL>/.default` and caches it until shortly before
 * it expires (nodes/core/crm/saas/dynamics-auth.ts), the same in every face. The credential test asks Entra ID
 * for that token, which checks the tenant, the client id and secret, and that the environment URL is a resource
 * the tenant knows.
 */
export class TerminalDynamicsApi implements ICredentialType {
  name = 'terminalDynamicsApi';

  displayName = 'Terminal CRM Dynamics 365 API';

  icon = { light: 'file:icons/terminalCrmAccount.svg', dark: 'file:icons/terminalCrmAccount.dark.svg' } as const;

  documentationUrl = 'https://github.com/terminal-crm/n8n-nodes-terminal-crm#dynamics-365-credential';

  properties: INodeProperties[] = [
    {
      displayName: 'Environment URL',
      name: 'orgUrl',
      type: 'string',
      default: '',
      required: true,
      placeholder: 'https://yourcompany.crm.dynamics.com',
      description: 'The Environment URL from the Power Platform admin center → Environments → your environment',
    },
    {
      displayName: 'Directory (Tenant) ID',
      name: 'tenantId',
      type: 'string',
      default: '',
      required: true,
      description: 'From the app registration in Microsoft Entra ID → Overview',
    },
    {
      displayName: 'Application (Client) ID',
      name: 'clientId',
      type: 'string',
      default: '',
      required: true,
      description: 'From the app registration in Microsoft Entra ID → Overview',
    },
    {
      displayName: 'Client Secret',
      name: 'clientSecret',
      type: 'string',
      typeOptions: { password: true },
      default: '',
      required: true,
      description: "The secret's Value (not its ID) from the app registration → Certificates & secrets",
    },
    {
      displayName: 'Authority URL',
      name: 'authorityUrl',
      type: 'string',
      default: 'https://login.microsoftonline.com',
      description: 'Entra ID\'s sign-in host; another only for national clouds (https://login.microsoftonline.us, https://login.partner.microsoftonline.cn)',
    },
    {
      displayName: 'Timeout (ms)',
      name: 'timeoutMs',
      type: 'number',
      typeOptions: { minValue: 1000 },
      default: 120000,
      description:
        "How long to wait for Dynamics 365 to answer one request. A request it does not answer in time is given up: its records stay queued in the store's outbox and are sent again (keyed, so never twice in Dynamics 365), and the execution goes on. The default suits most accounts (a $batch of many changes can take Dynamics a minute); lower it so a hanging Dynamics 365 does not hold executions.",
    },
  ];

  test: ICredentialTestRequest = {
    request: {
      method: 'POST',
      baseURL: '={{$credentials.authorityUrl.replace(/\\/+$/, "")}}',
      url: '={{"/" + encodeURIComponent($credentials.tenantId) + "/oauth2/v2.0/token"}}',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body:
        '={{"grant_type=client_credentials&client_id=" + encodeURIComponent($credentials.clientId) + "&client_secret=" + encodeURIComponent($credentials.clientSecret) + "&scope=" + encodeURIComponent($credentials.orgUrl.replace(/\\/+$/, "") + "/.default")}}',
    },
    rules: [
      {
        type: 'responseCode',
        properties: { value: 401, message: 'Entra ID refused the client ID or secret: use the secret\'s Value (not its ID), and check that it has not expired' },
      },
      {
        type: 'responseCode',
        properties: { value: 400, message: 'Entra ID refused the request: check the tenant ID, and that the environment URL is your Dynamics 365 environment' },
      },
    ],
  };
}
