import type { PushAccountNode } from './shared/push-accounts';
import type { NodeDef, NodeRedApi } from './shared/red-api';

/** The Adyen Terminal API cloud key and endpoint terminal send to terminal sends payment requests with (help: adyen-cloud-account.html). */
export = function register(RED: NodeRedApi): void {
  RED.nodes.registerType<PushAccountNode>(
    'adyen-cloud-account',
    function AdyenCloudAccount(this: PushAccountNode, def: NodeDef) {
      RED.nodes.createNode(this, def);
      const plain = (k: string) => (typeof def[k] === 'string' ? (def[k] as string).trim() : '');
      // Empty fields are passed as empty: the core's defaults apply (the test URL, Sale ID "terminal-crm").
      this.pushSettings = () => ({ apiKey: this.credentials?.apiKey ?? '', baseUrl: plain('baseUrl'), saleId: plain('saleId') });
    },
    { credentials: { apiKey: { type: 'password' } } },
  );
};
