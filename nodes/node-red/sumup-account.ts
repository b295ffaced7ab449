import { registerSourceAccount } from './shared/source-account';
import type { NodeRedApi } from './shared/red-api';

/** The SumUp account the terminal payment trigger verifies deliveries with (help: sumup-account.html). */
export = function register(RED: NodeRedApi): void {
  registerSourceAccount(RED, { type: 'sumup-account', source: 'sumup', secrets: ['accessToken', 'signingSecret'], plain: ['baseUrl', 'merchantCode'] });
};
