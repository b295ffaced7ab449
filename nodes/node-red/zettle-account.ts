import { registerSourceAccount } from './shared/source-account';
import type { NodeRedApi } from './shared/red-api';

/** The zettle account the terminal payment trigger verifies deliveries with (help: zettle-account.html). */
export = function register(RED: NodeRedApi): void {
  registerSourceAccount(RED, { type: 'zettle-account', source: 'zettle', secrets: ['signingKey', 'apiKey', 'accessToken'], plain: ['clientId'] });
};
