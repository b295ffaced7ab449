import type { CountryCode } from 'libphonenumber-js';
import type { MatchResult } from '../contracts/customer';
import { InputError, shown } from '../errors';
import type { MatchConfig } from './match-config';

/**
 * The Match Customer settings as the n8n and Node-RED editors show them. Errors name each setting by its label
 * in the editor (n8n's by default; Node-RED passes its own), not by the MatchConfig field behind it.
 */
export interface MatchSettings {
  /** A number, or text from an editor field; empty means the default. */
  linkThreshold?: number | string;
  reviewThreshold?: number | string;
  autoMerge?: boolean | string;
  fieldByField?: boolean | string;
  defaultRegion?: CountryCode;
}

export const MATCH_LABELS = {
  linkThreshold: 'Link Threshold',
  reviewThreshold: 'Review Threshold',
  autoMerge: 'Auto-Merge',
  fieldByField: 'Use Field-by-Field Matching',
} as const;

export type MatchLabels = Record<keyof typeof MATCH_LABELS, string>;

export const MATCH_DEFAULTS = { linkThreshold: 0.9, reviewThreshold: 0.5, autoMerge: true, fieldByField: true } as const;

const isBlank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

function threshold(v: unknown, key: 'linkThreshold' | 'reviewThreshold', labels: MatchLabels): number {
  if (isBlank(v)) return MATCH_DEFAULTS[key];
  const n = typeof v === 'string' ? Number(v.trim().replace(',', '.')) : v;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0 || n > 1) {
    throw new InputError(labels[key], `"${shown(v)}" is not a number from 0 to 1`, `write a decimal such as ${MATCH_DEFAULTS[key]}, or leave it empty for ${MATCH_DEFAULTS[key]}`);
  }
  return n;
}

function flag(v: unknown, key: 'autoMerge' | 'fieldByField', labels: MatchLabels): boolean {
  if (isBlank(v)) return MATCH_DEFAULTS[key];
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'false') return v === 'true';
  throw new InputError(labels[key], `"${shown(v)}" is not on or off`, 'switch it on or off');
}

/** Checks the editor's settings and turns them into the matcher's configuration. */
export function matchConfigFromSettings(s: MatchSettings = {}, labels: MatchLabels = MATCH_LABELS): MatchConfig {
  const linkThreshold = threshold(s.linkThreshold, 'linkThreshold', labels);
  const reviewThreshold = threshold(s.reviewThreshold, 'reviewThreshold', labels);
  if (reviewThreshold > linkThreshold) {
    throw new InputError(
      labels.reviewThreshold,
      `${reviewThreshold} is above the ${labels.linkThreshold} ${linkThreshold}, so no payment could go to review`,
      `set ${labels.reviewThreshold} at or below ${labels.linkThreshold} (e.g. ${MATCH_DEFAULTS.reviewThreshold} and ${MATCH_DEFAULTS.linkThreshold}); set both equal for no review band`,
    );
  }
  return {
    linkThreshold,
    reviewThreshold,
    autoMerge: flag(s.autoMerge, 'autoMerge', labels),
    probabilistic: flag(s.fieldByField, 'fieldByField', labels),
    ...(s.defaultRegion ? { defaultRegion: s.defaultRegion } : {}),
  };
}

/** Which output of a two-output Match Customer a matched payment leaves on: 0 matched or new, 1 needs review. */
export function matchOutputOf(message: { match?: Pick<MatchResult, 'decision'> }): 0 | 1 {
  return message.match?.decision === 'review' ? 1 : 0;
}
