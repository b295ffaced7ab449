import { join } from 'node:path';
import { crmLine, SANDBOX_CRM_ENV } from './crm/sandbox-crm';
import { SANDBOX_ENV } from './sandbox-config';
import { sourceVariables } from './source-keys';
import { sandboxSource, SANDBOX_SOURCES } from '../simulator/sandbox-sources';
import type { RunningSandbox } from './start-sandbox';
import { ENGINES } from './start-sandbox';

/** What the operator needs once the sandbox is up: where to click, where Stripe should post, where data lives. */
export function readyBlock(s: RunningSandbox): string {
  const { config, urls } = s;
  const simulator = config.simulatorIntervalMs > 0
    ? `one event of a café's day every ${config.simulatorIntervalMs} ms to each engine, every source in turn, below (${SANDBOX_ENV.simulatorIntervalMs}=0 turns it off)`
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
    `Webhook URLs for every source (${SANDBOX_SOURCES.join(', ')}) and engine: ${s.endpointsFile}`,
    '  Stripe:',
    `    n8n            ${urls.webhooks.n8n}`,
    `    Node-RED       ${urls.webhooks['node-red']}`,
    `    Temporal       ${urls.webhooks.temporal}`,
    `  The others: Node-RED ${urls.nodeRed}/terminal-crm/<source>, Temporal ${new URL(urls.webhooks.temporal).origin}/webhooks/<source>, n8n one workflow each.`,
    '  They listen on 127.0.0.1 only; to send real test-mode Stripe events, run `stripe listen --forward-to <one of them>`',
    '  and set STRIPE_WEBHOOK_SECRET to the whsec_… it prints (comma-separate several).',
    `Keys:       ${keysLine(s)}`,
    '',
    `CRM:        ${crmLine(config.crm)}`,
    `Mail:       ${mailLine(s)}`,
    '',
    `Store:      ${config.storeUrl}`,
    `            shared by the three engines; each gets its own copy of every simulated event (its own ids; Stripe's end in ${ENGINES.map((e) => `_${e.till}`).join(', ')})`,
    `State:      ${config.dir}  (temporal.db, n8n/, node-red/, logs/, sandbox-secrets.json, endpoints.json)`,
    `Simulator:  ${simulator}`,
    '',
    'Settings (environment variables): ' + [
      SANDBOX_ENV.dir, 'TERMINAL_CRM_STORE_URL', 'TERMINAL_CRM_TOKEN_KEYS', ...sourceVariables(), 'TERMINAL_CRM_DEFAULT_REGION',
      SANDBOX_ENV.password, SANDBOX_ENV.n8nPort, SANDBOX_ENV.nodeRedPort, SANDBOX_ENV.temporalPort, SANDBOX_ENV.temporalUiPort,
      SANDBOX_ENV.webhookPort, SANDBOX_ENV.mailSmtpPort, SANDBOX_ENV.mailPort, SANDBOX_ENV.simulatorIntervalMs,
      `${SANDBOX_CRM_ENV} (and the CRM's own: terminal-crm sync --help)`,
    ].join(', '),
    `Logs:       ${join(config.dir, 'logs')}`,
    '',
  ].join('\n');
}

function keysLine(s: RunningSandbox): string {
  const set = SANDBOX_SOURCES.flatMap((name) => s.config.sourceKeys.fromEnv[name]);
  const generated = SANDBOX_SOURCES.filter((name) => s.config.sourceKeys.fromEnv[name].length === 0).map((name) => sandboxSource(name).label);
  return [
    generated.length ? `generated for ${generated.join(', ')} and kept in ${s.config.from.secretsFile}` : '',
    set.length ? `from ${set.join(', ')}` : '',
  ].filter(Boolean).join('; ');
}

function mailLine(s: RunningSandbox): string {
  if ('missing' in s.mail) {
    return `no mail catcher, so no message templates: they need the smtp-server and mailparser packages, which a clone of the repo has (npm install there) and the installed package does not (${s.mail.missing})`;
  }
  const names = Object.keys(s.templates.n8n);
  const width = Math.max(0, ...names.map((n) => n.length));
  return [
    `the message templates send to a mail catcher (SMTP 127.0.0.1:${s.mail.smtpPort}) and post to its Slack receiver (${s.mail.slackUrl}/<template>);`,
    `            n8n's mail comes from …+n8n@, Node-RED's from …+node-red@. Read what arrived: ${s.mail.pageUrl} (JSON: ${s.mail.listUrl}, ${s.mail.slackUrl})`,
    `Templates:  each in n8n and Node-RED with its own Stripe trigger, beside the payment flow; every simulated Stripe event goes to each:`,
    ...names.map((name) => `  ${name.padEnd(width)}  n8n ${s.templates.n8n[name]}   Node-RED ${s.templates['node-red'][name] ?? '(not deployed)'}`),
  ].join('\n');
}
