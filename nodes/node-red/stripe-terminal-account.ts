import { parseSecrets } from '../core/config/settings';
import { createSource } from '../core/sources/registry';
import { ACCOUNT_TYPE, type AccountNode } from './shared/config-types';
import type { PushAccountNode } from './shared/push-accounts';
import { accountPlace } from './shared/source-account';
import type { NodeDef, NodeRedApi } from './shared/red-api';

/**
 * The Stripe account: the webhook endpoint's signing secrets for the trigger (several are accepted so a secret can
 * be rolled without downtime), and the secret API key Send to Terminal creates PaymentIntents with.
 */
export = function register(RED: NodeRedApi): void {
  RED.nodes.registerType<AccountNode & PushAccountNode>(
    ACCOUNT_TYPE,
    function StripeTerminalAccount(this: AccountNode & PushAccountNode, def: NodeDef) {
      RED.nodes.createNode(this, def);
      const secretKey = () => this.credentials?.secretKey?.trim() || undefined;
      this.signingSecrets = () => parseSecrets(this.credentials?.webhookSecrets);
      this.sourceCredentials = () => ({ signingSecret: this.signingSecrets(), ...(secretKey() ? { secretKey: secretKey() } : {}) });
      this.pushSettings = () => ({ secretKey: secretKey() });
      this.source = () => createSource('stripe');
      this.credentialPlace = accountPlace(RED, ACCOUNT_TYPE, ['signingSecret', 'secretKey'], { signingSecret: 'webhookSecrets' });
    },
    { credentials: { webhookSecrets: { type: 'password' }, secretKey: { type: 'password' } } },
  );
};
