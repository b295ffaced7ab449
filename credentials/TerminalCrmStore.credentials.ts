import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/** Tested by the nodes that use it (testedBy "terminalCrmStoreTest"): the test is local, no HTTP involved. */
export class TerminalCrmStore implements ICredentialType {
  name = 'terminalCrmStore';

  displayName = 'Terminal CRM Store';

  icon = { light: 'file:icons/terminalCrmStore.svg', dark: 'file:icons/terminalCrmStore.dark.svg' } as const;

  documentationUrl = 'https://github.com/terminal-crm/n8n-nodes-terminal-crm#terminal-crm-store-credential';

  properties: INodeProperties[] = [
    {
      displayName: 'Store Location',
      name: 'storeUrl',
      type: 'string',
      default: '',
      placeholder: 'sqlite:/home/node/.terminal-crm/store.db',
      description:
        'Where customers and transactions are kept: a file path or sqlite:/path/to/store.db on the machine n8n runs on, or postgres://user:password@host:5432/database for one database shared by n8n instances on several machines. Leave empty for ~/.terminal-crm/store.db. The file or the tables are created on first use.',
    },
    {
      displayName: 'Token Keys',
      name: 'tokenKeys',
      type: 'string',
      typeOptions: { password: true },
      required: true,
      default: '',
      placeholder: 'k1:<64 hex characters>',
      description:
        'The secret that turns card fingerprints into card tokens, written as k1:<secret>. Create a secret with "openssl rand -hex 32". To rotate, put the new key first and keep the old one: k2:<new>,k1:<old>. Keep a copy: a lost key makes every known card look new.',
    },
    {
      displayName: 'Default Region',
      name: 'defaultRegion',
      type: 'string',
      default: 'US',
      placeholder: 'US',
      description:
        'Two-letter country code used to read phone numbers written without a country prefix, e.g. US, GB, DE',
    },
  ];
}
