// n8n's own lint for community node packages, self-hosted flavour: this pack ships runtime dependencies
// (stripe, zod, the Temporal SDK), which the n8n Cloud rules forbid.
import { configWithoutCloudSupport } from '@n8n/node-cli/eslint';

export default [
  ...configWithoutCloudSupport,
  {
    // "Terminal CRM Store" is a local database, not an API: like n8n's own Postgres or Redis credentials it
    // does not carry the "Api" suffix these naming rules ask for.
    files: ['credentials/TerminalCrmStore.credentials.ts', 'nodes/n8n/**/*.ts'],
    rules: {
      'n8n-nodes-base/cred-class-name-unsuffixed': 'off',
      'n8n-nodes-base/cred-class-field-name-unsuffixed': 'off',
      'n8n-nodes-base/cred-class-field-display-name-missing-api': 'off',
      'n8n-nodes-base/node-class-description-credentials-name-unsuffixed': 'off',
    },
  },
];
