import { InputError } from '../../nodes/core/errors';
import { availableSources } from '../../nodes/core/sources/registry';
import { parseSourceCredentials } from '../../nodes/core/sources/source-credentials';
import { sandboxSource, SANDBOX_SOURCES, type SandboxSource, type SourceCredentialRecord, type SourceCredentials } from '../simulator/sandbox-sources';
import type { SandboxSecrets } from './sandbox-secrets';

/** The Adyen terminal key the sandbox plays: its passphrase is generated, the identifier and version are fixed. */
export const SANDBOX_TERMINAL_KEY = { keyIdentifier: 'SandboxTerminalKey', keyVersion: '1' } as const;

/**
 * What the sandbox fills in per source: a generated value (by its name in the secrets file) or a fixed one.
 * The variable of each field is the one the core's source declares (`Source.env`), so the worker, the sandbox
 * and the README name the same variables. Square's notification URL and the Clover and SumUp base URLs depend
 * on where things listen, so they are added at start (see withEndpointFields).
 */
const FIELDS: Record<SandboxSource, Record<string, keyof SandboxSecrets | { fixed: string }>> = {
  stripe: { signingSecret: 'webhookSecret' },
  square: { signatureKey: 'squareSignatureKey' },
  adyen: { hmacKey: 'adyenHmacKey' },
  'adyen-terminal': { keyIdentifier: { fixed: SANDBOX_TERMINAL_KEY.keyIdentifier }, passphrase: 'adyenTerminalPassphrase', keyVersion: { fixed: SANDBOX_TERMINAL_KEY.keyVersion } },
  zettle: { signingKey: 'zettleSigningKey' },
  clover: { authCode: 'cloverAuthCode', apiToken: 'cloverApiToken' },
  sumup: { accessToken: 'sumupAccessToken', signingSecret: 'sumupWebhookSecret' },
  generic: { secret: 'genericWebhookSecret' },
};

/** The variables the sandbox reads each source's keys from (Square's notification URL included). */
export function sourceVariablesBySource(): Array<[SandboxSource, string[]]> {
  return SANDBOX_SOURCES.map((name) => {
    const env = sandboxSource(name).env;
    const fields = Object.keys(FIELDS[name]).map((field) => env[field]!);
    return [name, name === 'square' ? [...fields, env.notificationUrl!] : fields];
  });
}

/** Every variable the sandbox reads a source's key from, in source order. */
export function sourceVariables(): string[] {
  return sourceVariablesBySource().flatMap(([, variables]) => variables);
}

export interface SourceKeys {
  credentials: SourceCredentials;
  /** SQUARE_WEBHOOK_URL: the URL Square signs, when every engine should check that one instead of its own. */
  squareNotificationUrl?: string;
  /** The variables that were set, per source (the rest was generated). */
  fromEnv: Record<SandboxSource, string[]>;
}

/**
 * Each source's keys: the environment variable named after the field where it is set, else the generated value
 * kept in the state folder. Every record is parsed by its source here, so a wrong key (an Adyen HMAC key that is
 * not hex) fails at start with the variable to fix, not later in three engines' logs.
 */
export function sourceKeysFromEnv(env: NodeJS.ProcessEnv, secrets: SandboxSecrets): SourceKeys {
  const missing = availableSources().filter((s) => !(SANDBOX_SOURCES as readonly string[]).includes(s));
  if (missing.length) throw new Error(`the sandbox does not run the source(s) ${missing.join(', ')} yet; add them to SANDBOX_SOURCES`);
  const credentials = {} as SourceCredentials;
  const fromEnv = {} as Record<SandboxSource, string[]>;
  for (const name of SANDBOX_SOURCES) {
    const source = sandboxSource(name);
    const record: SourceCredentialRecord = {};
    fromEnv[name] = [];
    for (const [field, spec] of Object.entries(FIELDS[name])) {
      const variable = source.env[field];
      const set = variable ? env[variable]?.trim() : undefined;
      if (set) {
        record[field] = set;
        fromEnv[name].push(variable!);
      } else {
        record[field] = typeof spec === 'string' ? secrets[spec] : spec.fixed;
      }
    }
    try {
      parseSourceCredentials(source, record);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      const variable = source.env[e.field];
      throw variable ? renamed(e, variable) : e;
    }
    credentials[name] = record;
  }
  const square = sandboxSource('square');
  const squareUrlVariable = square.env.notificationUrl!;
  const squareUrl = env[squareUrlVariable]?.trim();
  if (squareUrl) {
    try {
      parseSourceCredentials(square, { ...credentials.square, notificationUrl: squareUrl });
    } catch (e) {
      if (e instanceof InputError) throw renamed(e, squareUrlVariable, 'each engine then checks the URL it was called on');
      throw e;
    }
    fromEnv.square.push(squareUrlVariable);
  }
  return { credentials, squareNotificationUrl: squareUrl || undefined, fromEnv };
}

/** The same problem, named after the variable the operator set rather than the credential field. */
function renamed(e: InputError, variable: string, unset = 'the key the sandbox generates is used'): InputError {
  const problem = e.message.slice(e.field.length + 2, e.message.lastIndexOf('. Fix: '));
  return new InputError(variable, problem, `correct ${variable}, or unset it: ${unset}`);
}

/** Where this run's own servers are: the simulated Clover and SumUp APIs. */
export interface EndpointFields {
  cloverBaseUrl: string;
  sumupBaseUrl: string;
}

/**
 * Every engine's credential records for this run: the keys, the API base URLs of the simulated Clover and SumUp,
 * and Square's notification URL only when SQUARE_WEBHOOK_URL is set; otherwise each engine checks Square's
 * signature against the URL it was called on, its own.
 */
export function withEndpointFields(keys: SourceKeys, at: EndpointFields): SourceCredentials {
  return {
    ...keys.credentials,
    square: keys.squareNotificationUrl ? { ...keys.credentials.square, notificationUrl: keys.squareNotificationUrl } : keys.credentials.square,
    clover: { ...keys.credentials.clover, baseUrl: at.cloverBaseUrl },
    sumup: { ...keys.credentials.sumup, baseUrl: at.sumupBaseUrl },
  };
}

/**
 * The variables, per source, a worker reads these records from (Source.env). Every other variable of a source is
 * set empty ("not set"), so one left in the operator's shell (a real SQUARE_ACCESS_TOKEN) does not reach a worker
 * fed with simulated payments.
 */
export function credentialEnv(credentials: SourceCredentials): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of SANDBOX_SOURCES) {
    const vars = sandboxSource(name).env;
    for (const variable of Object.values(vars)) env[variable] = '';
    for (const [field, value] of Object.entries(credentials[name])) {
      const variable = vars[field];
      if (!variable) throw new Error(`the ${name} source has no environment variable for "${field}"`);
      env[variable] = value;
    }
  }
  return env;
}
