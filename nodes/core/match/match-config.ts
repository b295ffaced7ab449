import type { CountryCode } from 'libphonenumber-js';
import type { MatchKeyKind } from '../contracts/customer';
import { InputError } from '../errors';
import { compileEmailRules, type CompiledEmailRules, type EmailRules } from './email-providers';
import { MONTH_FIRST_REGIONS } from './normalize-fields';
import type { NormalizeOptions } from './normalized-record';
import { DEFAULT_WEIGHTS, logWeights, validWeights, type MatchWeights } from './weights';

export type ExactKind = Exclude<MatchKeyKind, 'paymentId'>;

/** Everything an operator can tune about matching; every field has a default. */
export interface MatchConfig {
  /** Region for phone numbers written without a country code (ISO 3166, default US). */
  defaultRegion?: CountryCode;
  /** A field-by-field match at or above this confidence is linked (default 0.9). */
  linkThreshold?: number;
  /** Between this and the link threshold a match goes to review; below it a new customer is made (default 0.5). */
  reviewThreshold?: number;
  /** Fellegi–Sunter m/u per field and level; defaults to DEFAULT_WEIGHTS, or what estimateWeights learned. */
  weights?: MatchWeights;
  /** The share of payments made by customers already known (default 0.5); sets the prior odds of a match. */
  priorReturning?: number;
  emailRules?: EmailRules;
  /** Which exact keys the exact tier uses (default all). */
  exactKeys?: readonly ExactKind[];
  /** Run the field-by-field tier when no exact key decides (default true). */
  probabilistic?: boolean;
  /** Apply merges of customers a payment shows to be one person, when they agree (default true). */
  autoMerge?: boolean;
  /** Refresh the index at most this often (ms). 0 (the default) refreshes before every payment. */
  refreshIntervalMs?: number;
  /** See IndexOptions.maxBlockSize (default 40). */
  maxBlockSize?: number;
}

export const EXACT_PRECEDENCE: readonly ExactKind[] = ['processorCustomerId', 'email', 'phone', 'cardToken'];

export interface ResolvedMatchConfig {
  linkThreshold: number;
  reviewThreshold: number;
  weights: MatchWeights;
  logWeights: Float64Array[];
  priorReturning: number;
  exactKeys: readonly ExactKind[];
  probabilistic: boolean;
  autoMerge: boolean;
  refreshIntervalMs: number;
  maxBlockSize: number;
  emailRules: CompiledEmailRules;
  normalize: NormalizeOptions;
  /** Identifies the normalization, so indexes built differently are not shared. */
  indexSignature: string;
}

function probability(v: number | undefined, fallback: number, field: string): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) {
    throw new InputError(field, `${String(v)} is not a number between 0 and 1`, 'write a decimal such as 0.9');
  }
  return v;
}

const cache = new WeakMap<MatchConfig, ResolvedMatchConfig>();

/** The configuration of a step given none: one object, so it is resolved once, not once per payment. */
export const DEFAULT_MATCH_CONFIG: MatchConfig = Object.freeze({});

/** Checks and completes a configuration; the same object resolves once. */
export function resolveMatchConfig(config: MatchConfig = DEFAULT_MATCH_CONFIG): ResolvedMatchConfig {
  const hit = cache.get(config);
  if (hit) return hit;
  const linkThreshold = probability(config.linkThreshold, 0.9, 'linkThreshold');
  const reviewThreshold = probability(config.reviewThreshold, 0.5, 'reviewThreshold');
  if (reviewThreshold > linkThreshold) {
    throw new InputError('reviewThreshold', `${reviewThreshold} is above the link threshold ${linkThreshold}`, 'set the review threshold at or below the link threshold');
  }
  const weights = config.weights ?? DEFAULT_WEIGHTS;
  if (!validWeights(weights)) {
    throw new InputError('weights', 'the m/u table does not have one probability in (0, 1] per field level', 'leave weights empty to use the defaults, or pass what estimateWeights returned');
  }
  const region = config.defaultRegion ?? 'US';
  const emailRules = compileEmailRules(config.emailRules);
  const resolved: ResolvedMatchConfig = {
    linkThreshold,
    reviewThreshold,
    weights,
    logWeights: logWeights(weights),
    priorReturning: Math.min(0.999, Math.max(0.001, probability(config.priorReturning, 0.5, 'priorReturning'))),
    exactKeys: config.exactKeys ?? EXACT_PRECEDENCE,
    probabilistic: config.probabilistic ?? true,
    autoMerge: config.autoMerge ?? true,
    refreshIntervalMs: Math.max(0, config.refreshIntervalMs ?? 0),
    maxBlockSize: Math.max(2, config.maxBlockSize ?? 40),
    emailRules,
    normalize: { defaultRegion: region, emailRules, monthFirst: MONTH_FIRST_REGIONS.has(region) },
    indexSignature: JSON.stringify([region, [...emailRules.dots].sort(), [...emailRules.plus].sort(), config.maxBlockSize ?? 40]),
  };
  cache.set(config, resolved);
  return resolved;
}
