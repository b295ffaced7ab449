import { isAbsolute, join, resolve } from 'node:path';
import { portOf } from '../../nodes/core/config/port';
import { ENV, parseRegion, parseSecrets } from '../../nodes/core/config/settings';
import { InputError } from '../../nodes/core/errors';
import { keyProviderFromSpec } from '../../nodes/core/tokenize/key-provider';
import { sandboxCrmFromEnv, type SandboxCrm } from './crm/sandbox-crm';
import { loadSandboxSecrets } from './sandbox-secrets';
import { sourceKeysFromEnv, type SourceKeys } from './source-keys';

/** Every setting of `terminal-crm sandbox`, by environment variable. */
export const SANDBOX_ENV = {
  dir: 'TERMINAL_CRM_SANDBOX_DIR',
  password: 'TERMINAL_CRM_SANDBOX_PASSWORD',
  temporalPort: 'TERMINAL_CRM_TEMPORAL_PORT',
  temporalUiPort: 'TERMINAL_CRM_TEMPORAL_UI_PORT',
  webhookPort: 'TERMINAL_CRM_WEBHOOK_PORT',
  nodeRedPort: 'TERMINAL_CRM_NODE_RED_PORT',
  n8nPort: 'TERMINAL_CRM_N8N_PORT',
  mailSmtpPort: 'TERMINAL_CRM_MAIL_SMTP_PORT',
  mailPort: 'TERMINAL_CRM_MAIL_PORT',
  simulatorIntervalMs: 'TERMINAL_CRM_SIMULATOR_INTERVAL_MS',
} as const;

/** The mail catcher's SMTP and listing ports follow the usual local mail catchers' (MailHog, Mailpit). */
export const DEFAULT_PORTS = { temporal: 7233, temporalUi: 8233, webhook: 3100, nodeRed: 1880, n8n: 5678, mailSmtp: 1025, mail: 8025 } as const;
export const DEFAULT_SIMULATOR_INTERVAL_MS = 4000;
/** The n8n owner's login; n8n wants an email address, this one can never be delivered to. */
export const SANDBOX_N8N_EMAIL = 'sandbox@terminal-crm.test';

export interface SandboxPorts {
  temporal: number;
  temporalUi: number;
  /** The Temporal worker's webhook entry. */
  webhook: number;
  nodeRed: number;
  n8n: number;
  /** The mail catcher's SMTP server, which the thank-you templates send to. */
  mailSmtp: number;
  /** The mail catcher's listing (/mail). */
  mail: number;
}

export interface SandboxConfig {
  /** The state folder: store, Temporal database, n8n and Node-RED folders, logs, generated secrets. */
  dir: string;
  storeUrl: string;
  tokenKeys: string;
  /** Every Stripe signing secret the engines accept; the simulator signs with the first. */
  webhookSecrets: string[];
  /** Every source's keys (Stripe's included), from the variables named after the source or generated. */
  sourceKeys: SourceKeys;
  defaultRegion: string;
  /** TERMINAL_CRM_CRM: the CRM the flows' CRM Upserts and the worker write to, with its account from the environment. */
  crm: SandboxCrm;
  n8nOwner: { email: string; password: string };
  /** Where each generated value came from, for the start-up summary. */
  from: { tokenKeys: string; webhookSecrets: string; password: string; storeUrl: string; secretsFile: string };
  nodeRedCredentialSecret: string;
  ports: SandboxPorts;
  /** 0: no simulator. */
  simulatorIntervalMs: number;
}

const PORT_VARIABLES: Record<keyof SandboxPorts, string> = {
  temporal: SANDBOX_ENV.temporalPort,
  temporalUi: SANDBOX_ENV.temporalUiPort,
  webhook: SANDBOX_ENV.webhookPort,
  nodeRed: SANDBOX_ENV.nodeRedPort,
  n8n: SANDBOX_ENV.n8nPort,
  mailSmtp: SANDBOX_ENV.mailSmtpPort,
  mail: SANDBOX_ENV.mailPort,
};

function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const { port, reason } = portOf(raw);
  if (port === undefined) throw new InputError(name, `"${raw}" is not a port: ${reason}`, 'use a number from 1 to 65535');
  return port;
}

function interval(env: NodeJS.ProcessEnv): number {
  const raw = env[SANDBOX_ENV.simulatorIntervalMs]?.trim();
  if (!raw) return DEFAULT_SIMULATOR_INTERVAL_MS;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new InputError(SANDBOX_ENV.simulatorIntervalMs, `"${raw}" is not a number of milliseconds`, 'use e.g. 4000, or 0 to turn the simulator off');
  return n;
}

/**
 * The sandbox's settings: environment first, then what the state folder remembers (secrets generated on the
 * first run, so tokens and signatures stay valid across restarts), then the built-in defaults.
 */
export function sandboxConfigFromEnv(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): SandboxConfig {
  const rawDir = env[SANDBOX_ENV.dir]?.trim();
  const dir = rawDir ? (isAbsolute(rawDir) ? rawDir : resolve(cwd, rawDir)) : join(cwd, '.sandbox');
  const ports: SandboxPorts = {
    temporal: port(env, SANDBOX_ENV.temporalPort, DEFAULT_PORTS.temporal),
    temporalUi: port(env, SANDBOX_ENV.temporalUiPort, DEFAULT_PORTS.temporalUi),
    webhook: port(env, SANDBOX_ENV.webhookPort, DEFAULT_PORTS.webhook),
    nodeRed: port(env, SANDBOX_ENV.nodeRedPort, DEFAULT_PORTS.nodeRed),
    n8n: port(env, SANDBOX_ENV.n8nPort, DEFAULT_PORTS.n8n),
    mailSmtp: port(env, SANDBOX_ENV.mailSmtpPort, DEFAULT_PORTS.mailSmtp),
    mail: port(env, SANDBOX_ENV.mailPort, DEFAULT_PORTS.mail),
  };
  // Named by the variable the operator set (a part's own name is not what they typed), the other one by its own.
  const taken = new Map<number, string>();
  for (const [part, p] of Object.entries(ports)) {
    const variable = PORT_VARIABLES[part as keyof SandboxPorts];
    const other = taken.get(p);
    if (other) {
      const [named, rest] = env[variable]?.trim() || !env[other]?.trim() ? [variable, other] : [other, variable];
      throw new InputError(named, `${p} is also the port of ${rest}${env[rest]?.trim() ? '' : ' (its default)'}`, `give ${named} a port no other part uses`);
    }
    taken.set(p, variable);
  }
  const defaultRegion = parseRegion(env[ENV.defaultRegion]);
  const crm = sandboxCrmFromEnv(env);
  const envKeys = env[ENV.tokenKeys]?.trim();
  if (envKeys) keyProviderFromSpec(envKeys, ENV.tokenKeys); // a wrong key fails here, not in three engines' logs
  const envPassword = env[SANDBOX_ENV.password];
  if (envPassword !== undefined && envPassword.length < 8) {
    throw new InputError(SANDBOX_ENV.password, 'is shorter than 8 characters', 'choose a longer password, or unset it to use the generated one');
  }
  const { secrets, file } = loadSandboxSecrets(dir);
  const sourceKeys = sourceKeysFromEnv(env, secrets);
  const stripeFromEnv = sourceKeys.fromEnv.stripe.includes(ENV.stripeWebhookSecret);
  const envStore = env[ENV.storeUrl]?.trim();
  return {
    dir,
    storeUrl: envStore || `sqlite:${join(dir, 'store.db')}`,
    tokenKeys: envKeys || secrets.tokenKeys,
    webhookSecrets: parseSecrets(sourceKeys.credentials.stripe.signingSecret),
    sourceKeys,
    defaultRegion,
    crm,
    n8nOwner: { email: SANDBOX_N8N_EMAIL, password: envPassword || secrets.n8nPassword },
    from: {
      tokenKeys: envKeys ? ENV.tokenKeys : file,
      webhookSecrets: stripeFromEnv ? ENV.stripeWebhookSecret : file,
      password: envPassword ? SANDBOX_ENV.password : file,
      storeUrl: envStore ? ENV.storeUrl : 'the state folder',
      secretsFile: file,
    },
    nodeRedCredentialSecret: secrets.nodeRedCredentialSecret,
    ports,
    simulatorIntervalMs: interval(env),
  };
}
