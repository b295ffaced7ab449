import { registerSourceAccount } from './shared/source-account';
import type { NodeRedApi } from './shared/red-api';

/** The square account the terminal payment trigger verifies deliveries with (help: square-account.html). */
export = function register(RED: NodeRedApi): void {
  registerSourceAccount(RED, { type: 'square-account', source: 'square', secrets: ['signatureKey', 'accessToken'], plain: ['notificationUrl', 'baseUrl', 'locationId'] });
};
