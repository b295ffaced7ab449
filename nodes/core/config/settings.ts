import type { CountryCode } from 'libphonenumber-js';
import { getCountries } from 'libphonenumber-js';
import { InputError } from '../errors';

/**
 * Settings every face reads the same way. Engines pass values from their own parameters/credentials;
 * the sandbox and the Temporal worker read them from the environment (names documented in the README).
 */
export interface Settings {
  storeUrl: string;
  tokenKeys: string;
  stripeWebhookSecrets: string[];
  defaultRegion: CountryCode;
}

export const ENV = {
  storeUrl: 'TERMINAL_CRM_STORE_URL',
  tokenKeys: 'TERMINAL_CRM_TOKEN_KEYS',
  stripeWebhookSecret: 'STRIPE_WEBHOOK_SECRET',
  defaultRegion: 'TERMINAL_CRM_DEFAULT_REGION',
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

export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): Settings {
  return {
    storeUrl: env[ENV.storeUrl] ?? '',
    tokenKeys: env[ENV.tokenKeys] ?? '',
    stripeWebhookSecrets: parseSecrets(env[ENV.stripeWebhookSecret]),
    defaultRegion: parseRegion(env[ENV.defaultRegion]),
  };
}
