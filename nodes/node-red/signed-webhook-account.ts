import { registerGatewayCheck } from './shared/gateway-check';
import { registerSourceAccount } from './shared/source-account';
import type { NodeRedApi } from './shared/red-api';

/** The generic account the terminal payment trigger verifies deliveries with (help: signed-webhook-account.html). */
export = function register(RED: NodeRedApi): void {
  registerSourceAccount(RED, { type: 'signed-webhook-account', source: 'generic', secrets: ['secret'], plain: ['config'] });
  registerGatewayCheck(RED, 'signed-webhook-account');
};
