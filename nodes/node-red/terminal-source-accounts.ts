import { createSource } from '../core/sources/registry';
import type { Source } from '../core/sources/source';
import type { NodeDef, NodeRedApi } from './shared/red-api';
import type { SourceAccountNode } from './shared/config-types';

/** A source's config node: which fields are secrets (kept in Node-RED's encrypted credentials) and which are plain. */
interface AccountType {
  type: string;
  source: string;
  secrets: string[];
  plain: string[];
}

const SOURCE_ACCOUNT_TYPES: AccountType[] = [
  { type: 'square-account', source: 'square', secrets: ['signatureKey', 'accessToken'], plain: ['notificationUrl', 'baseUrl'] },
  { type: 'adyen-account', source: 'adyen', secrets: ['hmacKey', 'basicUsername', 'basicPassword'], plain: [] },
  { type: 'adyen-terminal-account', source: 'adyen-terminal', secrets: ['passphrase', 'password'], plain: ['keyIdentifier', 'keyVersion', 'username'] },
  { type: 'zettle-account', source: 'zettle', secrets: ['signingKey', 'accessToken'], plain: [] },
  { type: 'clover-account', source: 'clover', secrets: ['authCode', 'apiToken'], plain: ['baseUrl'] },
  { type: 'sumup-account', source: 'sumup', secrets: ['accessToken'], plain: ['baseUrl'] },
  { type: 'signed-webhook-account', source: 'generic', secrets: ['secret'], plain: ['config'] },
];

/**
 * One config node per processor (Stripe's is stripe-terminal-account.ts). The trigger asks it for the core source
 * (a signed-webhook account makes a configured generic source) and the credential record that source parses.
 */
export = function register(RED: NodeRedApi): void {
  for (const account of SOURCE_ACCOUNT_TYPES) {
    RED.nodes.registerType<SourceAccountNode>(
      account.type,
      function SourceAccount(this: SourceAccountNode, def: NodeDef) {
        RED.nodes.createNode(this, def);
        const plain = Object.fromEntries(account.plain.map((k) => [k, typeof def[k] === 'string' ? (def[k] as string).trim() : '']));
        this.sourceCredentials = () => {
          const secrets = Object.fromEntries(account.secrets.map((k) => [k, this.credentials?.[k] ?? '']));
          // Empty fields are left out, so the source's own defaults (base URLs) apply and a missing secret is named.
          return Object.fromEntries(Object.entries({ ...plain, ...secrets }).filter(([, v]) => v !== ''));
        };
        this.source = (): Source<unknown> => (account.source === 'generic' ? createSource('generic', JSON.parse(plain.config || '{}')) : createSource(account.source));
      },
      { credentials: Object.fromEntries(account.secrets.map((k) => [k, { type: 'password' }])) },
    );
  }
};
