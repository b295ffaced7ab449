import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/** Tested by the nodes that use it (testedBy "terminalTemporalApiTest"): a gRPC connection, not an HTTP request. */
export class TerminalTemporalApi implements ICredentialType {
  name = 'terminalTemporalApi';

  displayName = 'Terminal CRM Temporal API';

  icon = { light: 'file:icons/terminalCrmStore.svg', dark: 'file:icons/terminalCrmStore.dark.svg' } as const;

  documentationUrl = 'https://github.com/terminal-crm/n8n-nodes-terminal-crm#temporal';

  properties: INodeProperties[] = [
    {
      displayName: 'Address',
      name: 'address',
      type: 'string',
      default: '127.0.0.1:7233',
      placeholder: 'your-namespace.a1b2c.tmprl.cloud:7233',
      description: 'The Temporal frontend as host:port (no scheme): a local dev server, your cluster, or Temporal Cloud',
    },
    {
      displayName: 'Namespace',
      name: 'namespace',
      type: 'string',
      default: 'default',
      description: 'The namespace the terminal-crm worker runs in (its TEMPORAL_NAMESPACE); the credential test asks the server for it',
    },
    {
      displayName: 'Task Queue',
      name: 'taskQueue',
      type: 'string',
      default: 'terminal-crm',
      description: 'The task queue the terminal-crm worker polls (its TEMPORAL_TASK_QUEUE)',
    },
    {
      displayName: 'API Key',
      name: 'apiKey',
      type: 'string',
      typeOptions: { password: true },
      default: '',
      description: 'A Temporal Cloud API key. Leave empty for a local server or mTLS. Setting it turns TLS on.',
    },
    {
      displayName: 'TLS',
      name: 'tls',
      type: 'boolean',
      default: false,
      description: 'Whether to connect with TLS without client certificates (on by itself with an API key or certificates)',
    },
    {
      displayName: 'Client Certificate',
      name: 'clientCertificate',
      type: 'string',
      typeOptions: { password: true, rows: 4 },
      default: '',
      description: 'For mTLS: the client certificate as PEM text, with the key below',
    },
    {
      displayName: 'Client Private Key',
      name: 'privateKey',
      type: 'string',
      typeOptions: { password: true, rows: 4 },
      default: '',
      description: 'For mTLS: the private key of the client certificate as PEM text',
    },
    {
      displayName: 'CA Certificate',
      name: 'caCertificate',
      type: 'string',
      typeOptions: { password: true, rows: 4 },
      default: '',
      description: "The server's CA as PEM text, when it is not a public one",
    },
  ];
}
