import { z } from 'zod/v4';
import type { RfmScores } from './rfm';

/**
 * Named segments as an ordered list of rules; the first rule whose every condition holds names the customer.
 * A condition is an inclusive [min, max] range over an RFM score (1–5), `fm` (⌊(F + M) / 2⌋, the usual
 * "frequency-and-money" axis of the RFM grid), the number of payments, or days since the first / last purchase.
 */
const Range = z
  .tuple([z.number(), z.number()])
  .refine(([min, max]) => min <= max, 'a range is [min, max] with min ≤ max, e.g. [4, 5]');

// Strict, as the rest of the Segment settings (config.ts): a misspelt key ("rule", "frequency") is refused, not
// left to fall back to the default rules without a word.
export const SegmentRuleSchema = z.strictObject({
  name: z.string().min(1),
  r: Range.optional(),
  f: Range.optional(),
  m: Range.optional(),
  fm: Range.optional(),
  payments: Range.optional(),
  daysSinceFirst: Range.optional(),
  daysSinceLast: Range.optional(),
});
export type SegmentRule = z.infer<typeof SegmentRuleSchema>;

/**
 * Defaults after the common RFM segment grid (R against ⌊(F+M)/2⌋), with "New" taken first by its own
 * definition (one payment, first seen within 30 days) since a fresh customer has low F and M by construction.
 * The grid is covered completely, so "Other" only appears with custom rules.
 */
export const DEFAULT_SEGMENT_RULES: SegmentRule[] = [
  { name: 'New', payments: [1, 1], daysSinceFirst: [0, 30] },
  { name: 'Champions', r: [4, 5], fm: [4, 5] },
  { name: "Can't lose them", r: [1, 1], fm: [4, 5] },
  { name: 'At risk', r: [1, 2], fm: [3, 5] },
  { name: 'Loyal', r: [3, 5], fm: [3, 5] },
  { name: 'Potential', r: [4, 5], fm: [1, 2] },
  { name: 'Need attention', r: [3, 3], fm: [1, 2] },
  { name: 'Hibernating', r: [2, 2], fm: [1, 2] },
  { name: 'Lost', r: [1, 1], fm: [1, 2] },
];

export const SegmentRulesSchema = z.strictObject({
  rules: z.array(SegmentRuleSchema).min(1).default(DEFAULT_SEGMENT_RULES),
  /** The name given when no rule matches. */
  fallback: z.string().min(1).default('Other'),
});
export type SegmentRules = z.infer<typeof SegmentRulesSchema>;

export interface SegmentFacts extends RfmScores {
  payments: number;
  daysSinceFirst: number;
  daysSinceLast: number;
}

const within = (range: readonly [number, number] | undefined, v: number) => range === undefined || (v >= range[0] && v <= range[1]);

export function segmentOf(rules: SegmentRules, facts: SegmentFacts): string {
  const fm = Math.floor((facts.f + facts.m) / 2);
  for (const rule of rules.rules) {
    if (
      within(rule.r, facts.r) &&
      within(rule.f, facts.f) &&
      within(rule.m, facts.m) &&
      within(rule.fm, fm) &&
      within(rule.payments, facts.payments) &&
      within(rule.daysSinceFirst, facts.daysSinceFirst) &&
      within(rule.daysSinceLast, facts.daysSinceLast)
    ) {
      return rule.name;
    }
  }
  return rules.fallback;
}
