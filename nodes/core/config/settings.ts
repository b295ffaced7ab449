import { readFileSync } from 'node:fs';
import type { CountryCode } from 'libphonenumber-js';
import { getCountries } from 'libphonenumber-js';
import { InputError } from '../errors';

/**
 * How the core reads a setting from the environment. The settings a face reads as one (Settings, settingsFromEnv)
 * are composed in pipeline/settings.ts, above the folders whose settings they hold.
 */

export const ENV = {
  storeUrl: 'TERMINAL_CRM_STORE_URL',
  tokenKeys: 'TERMINAL_CRM_TOKEN_KEYS',
  stripeWebhookSecret: 'STRIPE_WEBHOOK_SECRET',
  defaultRegion: 'TERMINAL_CRM_DEFAULT_REGION',
  segmentConfig: 'TERMINAL_CRM_SEGMENT_CONFIG',
  loyaltyProgram: 'TERMINAL_CRM_LOYALTY_PROGRAM',
  matchLinkThreshold: 'TERMINAL_CRM_MATCH_LINK_THRESHOLD',
  matchReviewThreshold: 'TERMINAL_CRM_MATCH_REVIEW_THRESHOLD',
  reviewWait: 'TERMINAL_CRM_REVIEW_WAIT',
} as const;

/** Three days: a review raised on a Friday evening is still open on Monday morning. */
export const DEFAULT_REVIEW_WAIT_MS = 72 * 60 * 60 * 1000;

/** The country a phone number without a +prefix belongs to when none is set. */
export const DEFAULT_REGION = 'US';

/** The countries a default region may be (libphonenumber's; the Node-RED store dialog reads them through resources/editor-core.js). */
export const REGIONS: readonly string[] = getCountries();

export function parseRegion(value: string | undefined, field: string = ENV.defaultRegion): CountryCode {
  const region = (value ?? DEFAULT_REGION).trim().toUpperCase();
  if (!REGIONS.includes(region)) {
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
export function jsonSetting(env: NodeJS.ProcessEnv, name: string): { text: string; from: string } | 'off' | undefined {
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
export function namingVariable<T>(name: string, prefix: string, from: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    const problem = e.message.slice(e.field.length + 2, e.message.length - `. Fix: ${e.fix}`.length);
    const path = e.field.startsWith(prefix) ? e.field.slice(prefix.length) : `.${e.field}`;
    throw new InputError(`${name}${path}`, from === name ? problem : `${problem} (in ${from})`, e.fix);
  }
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * How long a review waits, from TERMINAL_CRM_REVIEW_WAIT: "72h" (the default), "30m", "2d", "1h30m", or "0"
 * (also "off") for no wait. A bare number other than 0 is refused: minutes and hours are too easy to mix up.
 */
export function reviewWaitFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[ENV.reviewWait];
  const value = raw?.trim().toLowerCase().replace(/\s+/g, '');
  if (!value) return DEFAULT_REVIEW_WAIT_MS;
  if (OFF.has(value)) return 0;
  const fix = 'write a duration such as 72h, 30m, 2d or 1h30m, or 0 to record review payments under a new customer at once';
  if (!/^(\d+(\.\d+)?(ms|s|m|h|d))+$/.test(value)) throw new InputError(ENV.reviewWait, `"${raw}" is not a duration`, fix);
  let ms = 0;
  for (const [, n, , unit] of value.matchAll(/(\d+(\.\d+)?)(ms|s|m|h|d)/g)) ms += Number(n) * UNIT_MS[unit!]!;
  return Math.round(ms);
}

/**
 * A duration an operator writes for a setting ("5m", "30s", "1h30m", "7d", "0" — the review wait's grammar, read by
 * that same rule), `fallbackMs` when blank, `null` for "off" (also "false", "no"). Anything else is refused, naming
 * `field` and giving `fix`.
 */
export function durationOrOff(field: string, raw: string | undefined, fallbackMs: number, fix: string): number | null {
  const value = raw?.trim().toLowerCase();
  if (!value) return fallbackMs;
  if (value === 'off' || value === 'false' || value === 'no') return null;
  try {
    return reviewWaitFromEnv({ [ENV.reviewWait]: value });
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    throw new InputError(field, `"${raw}" is not a duration`, fix);
  }
}
