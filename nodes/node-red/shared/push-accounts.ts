import { InputError } from '../../core/errors';
import { axiosTransport } from '../../core/http/axios-transport';
import { createTerminalPush } from '../../core/terminal-push/create-terminal-push';
import { inPlaceTerms } from '../../core/terminal-push/settings-error';
import type { TerminalPush } from '../../core/terminal-push/terminal-push';
import { configNode } from './config-node';
import type { SourceAccountNode } from './config-types';
import type { NodeRedApi, RuntimeNode } from './red-api';

/** A config node that holds what a vendor's terminal push needs (the Stripe account, the Adyen cloud account). */
export interface PushAccountNode extends RuntimeNode {
  pushSettings(): Record<string, unknown>;
}

interface PushAccount {
  /** The send node's property holding the config node id. */
  property: string;
  type: string;
  label: string;
  /** The push settings' field names → the config node's field labels, for messages. */
  labels: Record<string, string>;
  settings(node: RuntimeNode): Record<string, unknown>;
}

/**
 * Which config node holds each vendor's key. Stripe and Square reuse the trigger's accounts (the key is the same
 * one); Adyen's Terminal API cloud key has its own, since the trigger's Adyen accounts hold webhook secrets.
 */
export const PUSH_ACCOUNTS: Record<string, PushAccount> = {
  stripe: {
    property: 'stripeAccount', type: 'stripe-terminal-account', label: 'Stripe account', labels: { secretKey: 'Secret key' },
    settings: (n) => (n as PushAccountNode).pushSettings(),
  },
  square: {
    property: 'squareAccount', type: 'square-account', label: 'Square account', labels: { accessToken: 'Access token', baseUrl: 'Base URL' },
    settings: (n) => {
      const { accessToken, baseUrl } = (n as SourceAccountNode).sourceCredentials();
      return { accessToken, baseUrl };
    },
  },
  adyen: {
    property: 'adyenAccount', type: 'adyen-cloud-account', label: 'Adyen cloud account', labels: { apiKey: 'API key', baseUrl: 'Terminal API', saleId: 'Sale ID' },
    settings: (n) => (n as PushAccountNode).pushSettings(),
  },
};

/**
 * The vendor's TerminalPush with the settings of the config node the send node points at. A setting the core
 * refuses is named as the Node-RED user sees it ("Stripe account → Secret key").
 */
export function terminalPushFrom(RED: NodeRedApi, processor: string, def: Record<string, unknown>): TerminalPush {
  const account = PUSH_ACCOUNTS[processor];
  if (!account) throw new InputError('Terminals', `"${processor}" is not a terminal this node can push to`, `open this node, choose one of ${Object.keys(PUSH_ACCOUNTS).join(', ')} under Terminals and deploy`);
  const node = configNode<RuntimeNode>(RED, def[account.property], account.type, account.label);
  try {
    return createTerminalPush(processor, { http: axiosTransport(), settings: account.settings(node) });
  } catch (e) {
    throw inPlaceTerms(e, { name: account.label, labels: account.labels, fix: (label) => `open the ${account.label} configuration, fill in ${label} and deploy` });
  }
}
