import { registerSourceAccount } from './shared/source-account';
import type { NodeRedApi } from './shared/red-api';

/** The adyen account the terminal payment trigger verifies deliveries with (help: adyen-account.html). */
export = function register(RED: NodeRedApi): void {
  registerSourceAccount(RED, { type: 'adyen-account', source: 'adyen', secrets: ['hmacKey', 'basicUsername', 'basicPassword'], plain: [] });
};
