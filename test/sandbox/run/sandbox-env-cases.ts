/**
 * Wrong values the sandbox (`npm start`, sandboxConfigFromEnv) must refuse before it starts anything, naming the
 * variable: its own settings, TERMINAL_CRM_CRM, and the source keys it reads (sandbox/run/source-keys.ts), where the
 * source's schema checks their form. test/temporal/worker-env-errors.test.ts counts these toward its inventory.
 */
export const SANDBOX_CASES: Record<string, readonly string[]> = {
  TERMINAL_CRM_SANDBOX_PASSWORD: ['short'],
  // 3100 is the webhook entry's default: the variable set is named, not the part's default one.
  TERMINAL_CRM_TEMPORAL_PORT: ['abc', '0', '70000', '1.5', '-80', '3100', '0x50', '1e3', '07233'],
  TERMINAL_CRM_TEMPORAL_UI_PORT: ['abc', '0', '70000'],
  // 7233 is the Temporal port's default: two parts on one port.
  TERMINAL_CRM_WEBHOOK_PORT: ['abc', '0', '70000', '7233'],
  TERMINAL_CRM_NODE_RED_PORT: ['abc', '0', '70000', '5678'],
  TERMINAL_CRM_N8N_PORT: ['abc', '0', '70000'],
  TERMINAL_CRM_MAIL_SMTP_PORT: ['abc', '0', '70000'],
  TERMINAL_CRM_MAIL_PORT: ['abc', '0', '70000', '1025'],
  TERMINAL_CRM_SIMULATOR_INTERVAL_MS: ['abc', '-5', '1.5', '4s'],
};

/** The source keys the sandbox reads whose form the source checks. */
export const SANDBOX_SOURCE_CASES: Record<string, readonly string[]> = {
  ADYEN_HMAC_KEY: ['not-hex', 'ABC'],
  ADYEN_TERMINAL_KEY_VERSION: ['one', '-1', '0x10', '1e1'],
  SQUARE_WEBHOOK_URL: ['example.com/webhooks/square', 'ftp://example.com'],
  // Not a secret of any form: one token, mId:token pairs or a JSON map of them, as the Clover source reads it.
  CLOVER_API_TOKEN: ['mId:', 'tok-1,tok-2', '{"mId": 5}'],
};

/**
 * Variables with no wrong value for the sandbox to refuse, and why: secrets of any form, or variables the sandbox does
 * not read (it hands its worker each source's variables itself, the ones it does not set empty); the worker checks
 * those at start (test/temporal/worker-env-errors.test.ts has their cases).
 */
const WORKER_READS = 'not read by the sandbox, which hands its worker none; the worker checks it at start';
const WORKER_TAKES_ANY = 'not read by the sandbox, which hands its worker none; any text to the worker';

export const NO_SANDBOX_CASE: Record<string, string> = {
  TERMINAL_CRM_SANDBOX_DIR: 'any folder path; it is created',
  STRIPE_WEBHOOK_SECRET: 'a secret of any form (Stripe whsec_… in practice, but test secrets differ)',
  SQUARE_WEBHOOK_SIGNATURE_KEY: 'a secret of any form',
  ADYEN_TERMINAL_KEY_ID: 'a key name of any form',
  ADYEN_TERMINAL_PASSPHRASE: 'a secret of any form',
  ZETTLE_SIGNING_KEY: 'a secret of any form',
  CLOVER_AUTH_CODE: 'a secret of any form',
  SUMUP_ACCESS_TOKEN: 'a secret of any form',
  SUMUP_WEBHOOK_SECRET: 'a secret of any form',
  TERMINAL_CRM_WEBHOOK_SECRET: 'a secret of any form',
  STRIPE_SECRET_KEY: WORKER_READS,
  SQUARE_ACCESS_TOKEN: WORKER_READS,
  SQUARE_BASE_URL: WORKER_READS,
  SQUARE_API_VERSION: WORKER_READS,
  SQUARE_LOCATION_ID: WORKER_TAKES_ANY,
  ADYEN_WEBHOOK_USERNAME: WORKER_READS,
  ADYEN_WEBHOOK_PASSWORD: WORKER_READS,
  ADYEN_TERMINAL_USERNAME: WORKER_READS,
  ADYEN_TERMINAL_PASSWORD: WORKER_READS,
  ADYEN_TERMINAL_LIVE: WORKER_READS,
  ZETTLE_ACCESS_TOKEN: WORKER_TAKES_ANY,
  ZETTLE_API_KEY: WORKER_TAKES_ANY,
  ZETTLE_CLIENT_ID: WORKER_READS,
  ZETTLE_PURCHASE_BASE_URL: WORKER_READS,
  ZETTLE_OAUTH_BASE_URL: WORKER_READS,
  CLOVER_MERCHANT_ID: WORKER_TAKES_ANY,
  CLOVER_BASE_URL: WORKER_READS,
  CLOVER_CURRENCY: WORKER_READS,
  SUMUP_MERCHANT_CODE: WORKER_TAKES_ANY,
  SUMUP_BASE_URL: WORKER_READS,
};
