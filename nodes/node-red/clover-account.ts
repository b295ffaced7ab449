import { registerSourceAccount } from './shared/source-account';
import type { NodeRedApi } from './shared/red-api';

/** The clover account the terminal payment trigger verifies deliveries with (help: clover-account.html). */
export = function register(RED: NodeRedApi): void {
  registerSourceAccount(RED, { type: 'clover-account', source: 'clover', secrets: ['authCode', 'apiToken'], plain: ['merchantId', 'currency', 'baseUrl'] });
};
