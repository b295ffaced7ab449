import { join } from 'node:path';
import { SANDBOX_ENV } from './sandbox-config';
import type { RunningSandbox } from './start-sandbox';
import { ENGINES } from './start-sandbox';

/** What the operator needs once the sandbox is up: where to click, where Stripe should post, where data lives. */
export function readyBlock(s: RunningSandbox): string {
  const { config, urls } = s;
  const simulator = config.simulatorIntervalMs > 0
    ? `one event of a café's day every ${config.simulatorIntervalMs} ms to each engine, below (${SANDBOX_ENV.simulatorIntervalMs}=0 turns it off)`
    : `off (${SANDBOX_ENV.simulatorIntervalMs}=0)`;
  return [
    '',
    `Terminal CRM sandbox is running (ready in ${(s.readyMs / 1000).toFixed(1)} s). Press Ctrl-C to stop everything.`,
    '',
    'Open:',
    `  n8n editor       ${urls.n8n}   log in as ${config.n8nOwner.email} / ${config.n8nOwner.password}`,
    `  Node-RED editor  ${urls.nodeRed}`,
    `  Temporal UI      ${urls.temporalUi}   (server ${urls.temporal})`,
    '',
    'Stripe webhook URLs (signed with the secret in ' + config.from.webhookSecrets + '):',
    `  n8n              ${urls.webhooks.n8n}`,
    `  Node-RED         ${urls.webhooks['node-red']}`,
    `  Temporal         ${urls.webhooks.temporal}`,
    '  They listen on 127.0.0.1 only; to send real test-mode events, run `stripe listen --forward-to <one of them>`',
    '  and set STRIPE_WEBHOOK_SECRET to the whsec_… it prints (comma-separate several).',
    '',
    `Store:      ${config.storeUrl}`,
    `            shared by the three engines; each gets its own copy of every simulated event, ids ending in ${ENGINES.map((e) => `_${e.till}`).join(', ')}`,
    `State:      ${config.dir}  (temporal.db, n8n/, node-red/, logs/, sandbox-secrets.json)`,
    `Simulator:  ${simulator}`,
    '',
    'Settings (environment variables): ' + [
      SANDBOX_ENV.dir, 'TERMINAL_CRM_STORE_URL', 'TERMINAL_CRM_TOKEN_KEYS', 'STRIPE_WEBHOOK_SECRET', 'TERMINAL_CRM_DEFAULT_REGION',
      SANDBOX_ENV.password, SANDBOX_ENV.n8nPort, SANDBOX_ENV.nodeRedPort, SANDBOX_ENV.temporalPort, SANDBOX_ENV.temporalUiPort,
      SANDBOX_ENV.webhookPort, SANDBOX_ENV.simulatorIntervalMs,
    ].join(', '),
    `Logs:       ${join(config.dir, 'logs')}`,
    '',
  ].join('\n');
}
