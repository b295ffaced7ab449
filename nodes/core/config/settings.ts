import { readFileSync } from 'node:fs';
import type { CountryCode } from 'libphonenumber-js';
import { getCountries } from 'libphonenumber-js';
import { InputError } from '../errors';
import { parseLoyaltyProgram, type LoyaltyProgram } from '../loyalty/program';
import { parseSegmentConfig, type SegmentConfig } from '../segment/config';

/**
 * Settings every face reads the same way. Engines pass values from their own parameters/credentials;
 * the sandbox and the Temporal worker read them from the environment (names documented in the README).
 */
export interface Settings {
  storeUrl: string;
  tokenKeys: string;
  stripeWebhookSecrets: string[];
  defaultRegion: CountryCode;
  /** The Segment step's configuration; null when turned off. */
  segment: SegmentConfig | null;
  /** The loyalty program; null when there is none. */
  loyalty: LoyaltyProgram | null;
}

export const ENV = {
  storeUrl: 'TERMINAL_CRM_STORE_URL',
  tokenKeys: 'TERMINAL_CRM_TOKEN_KEYS',
  stripeWebhookSecret: 'STRIPE_WEBHOOK_SECRET',
  defaultRegion: 'TERMINAL_CRM_DEFAULT_REGION',
  segmentConfig: 'TERMINAL_CRM_SEGMENT_CONFIG',
  loyaltyProgram: 'TERMINAL_CRM_LOYALTY_PROGRAM',
} as const;

export function parseRegion(value: string | undefined, field: string = ENV.defaultRegion): CountryCode {
  const region = (value ?? 'US').trim().toUpperCase();
  if (!(getCountries() as string[]).includes(region)) {
    throw new InputError(field, `"${value}" is not an ISO 3166 country code`, 'use a two-letter code such as US, GB, DE, JP');
  }
  return region as CountryCode;
}

/** Comma-separated, so an endpoint secret can be rolled while the old one is still signing. */
export function parseSecrets(value: string | undefined): string[] {
  return (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

const OFF = new Set(['off', 'none', 'false', '0', 'no']);

/**
 * A JSON setting given in an environment variable: the JSON itself (starting with "{"), or the path of a file
 * holding it. Undefined when the variable is unset or empty, "off" when it says so.
 */
function jsonSetting(env: NodeJS.ProcessEnv, name: string): { text: string; from: string } | 'off' | undefined {
  const value = env[name]?.trim();
  if (!value) return undefined;
  if (OFF.has(value.toLowerCase())) return 'off';
  if (value.startsWith('{')) return { text: value, from: name };
  try {
    return { text: readFileSync(value, 'utf8'), from: value };
  } catch (e) {
    throw new InputError(name, `cannot read "${value}" (${(e as NodeJS.ErrnoException).code ?? String(e)})`, `set ${name} to the path of a JSON file, or to the JSON itself`);
  }
}

/** The core names the setting it parsed ("segmentConfig.timeZone"); an operator set an environment variable. */
function namingVariable<T>(name: string, prefix: string, from: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    const problem = e.message.slice(e.field.length + 2, e.message.length - `. Fix: ${e.fix}`.length);
    const path = e.field.startsWith(prefix) ? e.field.slice(prefix.length) : `.${e.field}`;
    throw new InputError(`${name}${path}`, from === name ? problem : `${problem} (in ${from})`, e.fix);
  }
}

/** On with the defaults unless the variable says otherwise ("off" turns the Segment step off). */
export function segmentConfigFromEnv(env: NodeJS.ProcessEnv = process.env): SegmentConfig | null {
  const setting = jsonSetting(env, ENV.segmentConfig);
  if (setting === 'off') return null;
  return namingVariable(ENV.segmentConfig, 'segmentConfig', setting?.from ?? ENV.segmentConfig, () => parseSegmentConfig(setting?.text ?? {}));
}

/** Off unless a program is configured: a program needs at least its currency. */
export function loyaltyProgramFromEnv(env: NodeJS.ProcessEnv = process.env): LoyaltyProgram | null {
  const setting = jsonSetting(env, ENV.loyaltyProgram);
  if (setting === undefined || setting === 'off') return null;
  return namingVariable(ENV.loyaltyProgram, 'loyaltyProgram', setting.from, () => parseLoyaltyProgram(setting.text));
}

export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): Settings {
  return {
    storeUrl: env[ENV.storeUrl] ?? '',
    tokenKeys: env[ENV.tokenKeys] ?? '',
    stripeWebhookSecrets: parseSecrets(env[ENV.stripeWebhookSecret]),
    defaultRegion: parseRegion(env[ENV.defaultRegion]),
    segment: segmentConfigFromEnv(env),
    loyalty: loyaltyProgramFromEnv(env),
  };
}
