import { parseArgs } from 'node:util';
import { portOf } from '../../nodes/core/config/port';
import { InputError } from '../../nodes/core/errors';
import type { Command } from './command';

const usage = `Usage: terminal-crm worker [--webhook-port PORT] [--webhook-host HOST]

Runs the Temporal worker for the payment→CRM workflow until Ctrl-C (or SIGTERM), configured from the
environment:
  TEMPORAL_ADDRESS (127.0.0.1:7233), TEMPORAL_NAMESPACE (default), TEMPORAL_TASK_QUEUE (terminal-crm),
  TEMPORAL_API_KEY / TEMPORAL_TLS_CERT + TEMPORAL_TLS_KEY (+ TEMPORAL_TLS_CA) for Temporal Cloud,
  TERMINAL_CRM_STORE_URL, TERMINAL_CRM_TOKEN_KEYS, TERMINAL_CRM_DEFAULT_REGION,
  TERMINAL_CRM_MATCH_LINK_THRESHOLD (0.9), TERMINAL_CRM_MATCH_REVIEW_THRESHOLD (0.5),
  TERMINAL_CRM_REVIEW_WAIT (72h; 0 = no wait), TERMINAL_CRM_SEGMENT_CONFIG (JSON or file; off),
  TERMINAL_CRM_LOYALTY_PROGRAM (JSON or file; unset = no loyalty), TERMINAL_CRM_SEGMENT_SCHEDULE (cron, 0 3 * * *),
  TERMINAL_CRM_PAYMENT_WORKFLOW (saga; classic), TERMINAL_CRM_REDRIVE_AFTER (5m; off),
  TERMINAL_CRM_STEP_RESULTS_KEEP (7d: the saga's remembered step answers kept this long; off),
  TERMINAL_CRM_CRM (local; hubspot, salesforce, pipedrive, zoho, dynamics with their variables, see the README),
  TERMINAL_CRM_POLL_SOURCES (e.g. square,stripe; none) with TERMINAL_CRM_POLL_SCHEDULE (@every 1m),
  TERMINAL_CRM_SYNC_CRMS (e.g. hubspot; none) with TERMINAL_CRM_SYNC_SCHEDULE (@every 1m).

With --webhook-port it also answers processor webhooks at http://HOST:PORT/webhooks/<source> for every
source (stripe, square, adyen, adyen-terminal, zettle, clover, sumup, and generic when
TERMINAL_CRM_GENERIC_CONFIG describes it), each verified with its own variables (STRIPE_WEBHOOK_SECRET,
SQUARE_WEBHOOK_SIGNATURE_KEY, ADYEN_HMAC_KEY… as the README's Sources table lists them), and starts one
workflow per event. TERMINAL_CRM_PUBLIC_URL is the public base URL when a proxy sits in front (Square signs
the URL). Several workers can share a task queue; run the webhook entry on as many of them as your load
balancer points at. Every source variable that is set, and the key of each source polled, is checked at start
by the source's own rules, with or without --webhook-port; a webhook secret left unset is answered 500 per
delivery, naming it, while the other sources go on.

Needs the Temporal SDK beside the pack:
  npm install @temporalio/client@1.24.0 @temporalio/worker@1.24.0 @temporalio/workflow@1.24.0 @temporalio/activity@1.24.0 @temporalio/common@1.24.0
`;

function requireSdk(): void {
  try {
    require.resolve('@temporalio/worker');
  } catch {
    throw new Error('The Temporal SDK is not installed. Fix: npm install @temporalio/client@1.24.0 @temporalio/worker@1.24.0 @temporalio/workflow@1.24.0 @temporalio/activity@1.24.0 @temporalio/common@1.24.0');
  }
}

export const workerCommand: Command = {
  name: 'worker',
  summary: 'run the Temporal worker (payment→CRM workflow), optionally with a webhook entry',
  usage,
  async run(args, io) {
    const { values } = parseArgs({ args, options: { 'webhook-port': { type: 'string' }, 'webhook-host': { type: 'string' } }, strict: true });
    // Before the SDK and the settings: a typo here is named at once, and processors need a port that stays the same (0 would pick any).
    const port = values['webhook-port'] === undefined ? undefined : webhookPort(values['webhook-port']);
    requireSdk();
    // Loaded only here: the engines' installs of the pack never need the worker runtime.
    const { runWorkerFromEnv } = await import('../../temporal/worker.js');
    // Before the webhook entry answers anyone: a wrong setting stops everything, naming its variable.
    const { checkWorkerSettingsFromEnv } = await import('../../temporal/worker-settings.js');
    checkWorkerSettingsFromEnv(process.env);
    if (port !== undefined) {
      const { startWebhookEntryFromEnv } = await import('../../temporal/webhook-entry.js');
      const entry = await startWebhookEntryFromEnv(process.env, { port, host: values['webhook-host'] }, (l: string) => io.err(`${l}\n`));
      io.err(`webhooks: POST ${entry.url}/webhooks/<source> for ${entry.sources.join(', ')}\n`);
      try {
        await runWorkerFromEnv();
      } finally {
        await entry.close();
      }
    } else {
      await runWorkerFromEnv();
    }
    return 0;
  },
};

/** --webhook-port as typed, spaces around it dropped: a port by the core's one rule (config/port.ts). */
export function webhookPort(typed: string): number {
  const { port, reason } = portOf(typed.trim());
  if (port === undefined) throw new InputError('--webhook-port', `"${typed}" is not a port: ${reason}`, 'give a number from 1 to 65535, the port processors post their webhooks to');
  return port;
}
