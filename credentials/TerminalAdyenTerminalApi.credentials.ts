import type { ICredentialType, INodeProperties } from 'n8n-workflow';

export class TerminalAdyenTerminalApi implements ICredentialType {
  name = 'terminalAdyenTerminalApi';

  displayName = 'Terminal CRM Adyen Terminal API';

  icon = { light: 'file:icons/terminalSource.svg', dark: 'file:icons/terminalSource.dark.svg' } as const;

  documentationUrl = 'https://github.com/terminal-crm/n8n-nodes-terminal-crm#adyen-terminal-api-credential';

  properties: INodeProperties[] = [
    {
      displayName:
        'Fill in one way or both: the terminal\'s encryption key (Key Identifier, Key Passphrase and Key Version, all three) for encrypted messages, or the Username and Password (both) of the basic authentication set for cloud event notifications. With neither, the trigger takes no message.',
      name: 'notice',
      type: 'notice',
      default: '',
    },
    {
      displayName: 'Key Identifier',
      name: 'keyIdentifier',
      type: 'string',
      default: '',
      description:
        'For encrypted local Terminal API messages: the key identifier set on the terminal (Customer Area → Point of sale → Terminal settings → Integrations → Encryption key).',
    },
    {
      displayName: 'Key Passphrase',
      name: 'passphrase',
      type: 'string',
      typeOptions: { password: true },
      default: '',
      description:
        'The passphrase of that encryption key.',
    },
    {
      displayName: 'Key Version',
      name: 'keyVersion',
      type: 'string',
      default: '1',
      placeholder: '1',
      description:
        'The version of that encryption key.',
    },
    {
      displayName: 'Username',
      name: 'basicUsername',
      type: 'string',
      default: '',
      description:
        'For cloud event notifications posted to this trigger: the basic authentication username you configured.',
    },
    {
      displayName: 'Password',
      name: 'basicPassword',
      type: 'string',
      typeOptions: { password: true },
      default: '',
      description:
        'The basic authentication password.',
    },
    {
      displayName: 'Live Account',
      name: 'live',
      type: 'boolean',
      default: false,
      description:
        'Whether the terminals belong to a live Adyen account. Its payments are output with livemode true; a Terminal API message does not say which account it comes from. Off for a test account.',
    },
  ];
}
