import type { CountryCode } from 'libphonenumber-js';
import { ENV, jsonSetting, namingVariable, parseRegion, reviewWaitFromEnv } from '../config/settings';
import { InputError } from '../errors';
import { parseLoyaltyProgram, type LoyaltyProgram } from '../loyalty/program';
import { MATCH_DEFAULTS } from '../match/operator-settings';
import { parseSegmentConfig, type SegmentConfig } from '../segment/config';

/**
 * Settings every face reads the same way. Engines pass values from their own parameters/credentials;
 * the sandbox and the Temporal worker read them from the environment (names documented in the README).
 */
export interface Settings {
  storeUrl: string;
  tokenKeys: string;
  defaultRegion: CountryCode;
  /** The Segment step's configuration; null when turned off. */
  segment: SegmentConfig | null;
  /** The loyalty program; null when there is none. */
  loyalty: LoyaltyProgram | null;
  /** Match confidences: link at or above `linkThreshold`, review between the two, a new customer below. */
  match: MatchThresholds;
  /** How long a payment in the review band waits for an operator (ms); 0: recorded under a new customer at once. */
  reviewWaitMs: number;
}

export interface MatchThresholds {
  linkThreshold: number;
  reviewThreshold: number;
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

function thresholdFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = env[name]?.trim();
  if (!value) return fallback;
  const n = Number(value.replace(',', '.'));
  if (!Number.isFinite(n) || n < 0 || n > 1) {
    throw new InputError(name, `"${env[name]}" is not a number from 0 to 1`, `write a decimal such as ${fallback}, or leave it unset for ${fallback}`);
  }
  return n;
}

/** The matcher's defaults (0.9 and 0.5) unless the variables say otherwise. */
export function matchThresholdsFromEnv(env: NodeJS.ProcessEnv = process.env): MatchThresholds {
  const linkThreshold = thresholdFromEnv(env, ENV.matchLinkThreshold, MATCH_DEFAULTS.linkThreshold);
  const reviewThreshold = thresholdFromEnv(env, ENV.matchReviewThreshold, MATCH_DEFAULTS.reviewThreshold);
  if (reviewThreshold > linkThreshold) {
    throw new InputError(
      ENV.matchReviewThreshold,
      `${reviewThreshold} is above ${ENV.matchLinkThreshold} ${linkThreshold}, so no payment could go to review`,
      `set it at or below the link threshold (e.g. ${MATCH_DEFAULTS.reviewThreshold} and ${MATCH_DEFAULTS.linkThreshold}); set both equal for no review band`,
    );
  }
  return { linkThreshold, reviewThreshold };
}

export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): Settings {
  return {
    storeUrl: env[ENV.storeUrl] ?? '',
    tokenKeys: env[ENV.tokenKeys] ?? '',
    defaultRegion: parseRegion(env[ENV.defaultRegion]),
    segment: segmentConfigFromEnv(env),
    loyalty: loyaltyProgramFromEnv(env),
    match: matchThresholdsFromEnv(env),
    reviewWaitMs: reviewWaitFromEnv(env),
  };
}
