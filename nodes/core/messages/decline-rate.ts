import { z } from 'zod/v4';
import { InputError, shown } from '../errors';

/** When declines at one terminal (or location) are worth telling operations about. */
export interface DeclineRule {
  per: 'terminal' | 'location';
  /** The window the counts are taken over, ending at the decline being looked at. */
  windowMinutes: number;
  /** At least this many declines in the window… */
  minDeclines: number;
  /** …making at least this share of all attempts there (0–1; 0 counts declines only). */
  minRate: number;
}

export const DEFAULT_DECLINE_RULE: DeclineRule = { per: 'terminal', windowMinutes: 15, minDeclines: 3, minRate: 0.3 };

/** What a rule may hold, for the editors' bounds too: whole minutes up to a week, whole declines, a share of 0–1. */
export const DECLINE_RULE_LIMITS = {
  windowMinutes: { min: 1, max: 10_080, whole: true },
  minDeclines: { min: 1, whole: true },
  minRate: { min: 0, max: 1, whole: false },
} as const;

const L = DECLINE_RULE_LIMITS;
const RuleSchema = z.object({
  per: z.enum(['terminal', 'location']),
  windowMinutes: z.number().int().min(L.windowMinutes.min).max(L.windowMinutes.max),
  minDeclines: z.number().int().min(L.minDeclines.min),
  minRate: z.number().min(L.minRate.min).max(L.minRate.max),
});

/** Each number of a rule in words, for the operator who typed it: what it must be, and an example. */
const NUMBERS = {
  windowMinutes: { what: `a whole number of minutes from ${L.windowMinutes.min} to ${L.windowMinutes.max}`, fix: 'give one such as 15' },
  minDeclines: { what: `a whole number of declines from ${L.minDeclines.min} up`, fix: 'give one such as 3' },
  minRate: { what: `a share from ${L.minRate.min} to ${L.minRate.max}`, fix: 'give one such as 0.3 for 30 %' },
} as const;

export function parseDeclineRule(input: Partial<DeclineRule> | undefined): DeclineRule {
  const merged: Record<string, unknown> = { ...DEFAULT_DECLINE_RULE, ...Object.fromEntries(Object.entries(input ?? {}).filter(([, v]) => v !== undefined && (v as unknown) !== '')) };
  // Checked one by one in words: the schema's own messages ("Too small: expected number to be >=1") are not.
  if (merged.per !== 'terminal' && merged.per !== 'location') throw new InputError('declines.per', `"${shown(merged.per)}" is not terminal or location`, 'count the declines per terminal or per location');
  for (const key of Object.keys(NUMBERS) as Array<keyof typeof NUMBERS>) {
    const v = merged[key];
    const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
    const limits: { min: number; max?: number; whole: boolean } = L[key];
    const fits = typeof n === 'number' && Number.isFinite(n) && n >= limits.min && (limits.max === undefined || n <= limits.max) && (!limits.whole || Number.isInteger(n));
    if (!fits) throw new InputError(`declines.${key}`, `"${shown(v)}" is not ${NUMBERS[key].what}`, NUMBERS[key].fix);
    merged[key] = n;
  }
  return RuleSchema.parse(merged);
}

export interface Attempt {
  failed: boolean;
  reason: string | null;
}

export interface DeclineSummary {
  attempts: number;
  declines: number;
  rate: number;
  /** Decline reasons, most frequent first. */
  reasons: Array<{ reason: string; count: number }>;
}

export function summarizeAttempts(attempts: readonly Attempt[]): DeclineSummary {
  const declines = attempts.filter((a) => a.failed);
  const counts = new Map<string, number>();
  for (const d of declines) counts.set(d.reason ?? 'no reason given', (counts.get(d.reason ?? 'no reason given') ?? 0) + 1);
  const reasons = [...counts].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
  return { attempts: attempts.length, declines: declines.length, rate: attempts.length ? declines.length / attempts.length : 0, reasons };
}

/** The rate rule: enough declines, and a large enough share of the attempts in the window. */
export function declinesExceed(summary: DeclineSummary, rule: DeclineRule): boolean {
  return summary.declines >= rule.minDeclines && summary.rate >= rule.minRate;
}
