import { registerSourceAccount } from './shared/source-account';
import type { NodeRedApi } from './shared/red-api';

/** The adyen-terminal account the terminal payment trigger verifies deliveries with (help: adyen-terminal-account.html). */
export = function register(RED: NodeRedApi): void {
  registerSourceAccount(RED, { type: 'adyen-terminal-account', source: 'adyen-terminal', secrets: ['passphrase', 'basicPassword'], plain: ['keyIdentifier', 'keyVersion', 'basicUsername', 'live'] });
};
