import { parseSecrets } from '../core/config/settings';
import { createSource } from '../core/sources/registry';
import { ACCOUNT_TYPE, type AccountNode } from './shared/config-types';
import type { NodeDef, NodeRedApi } from './shared/red-api';

/** The Stripe webhook endpoint's signing secrets; several are accepted so a secret can be rolled without downtime. */
export = function register(RED: NodeRedApi): void {
  RED.nodes.registerType<AccountNode>(
    ACCOUNT_TYPE,
    function StripeTerminalAccount(this: AccountNode, def: NodeDef) {
      RED.nodes.createNode(this, def);
      this.signingSecrets = () => parseSecrets(this.credentials?.webhookSecrets);
      this.sourceCredentials = () => ({ signingSecret: this.signingSecrets() });
      this.source = () => createSource('stripe');
    },
    { credentials: { webhookSecrets: { type: 'password' } } },
  );
};
