import { z } from 'zod/v4';
import { currencyExponent } from '../contracts/money';
import { InputError, issueText } from '../errors';
import { parseJson } from '../config/parse-json';
import { misspeltSetting } from '../config/misspelt-setting';

const Minor = z.number().int('an integer number of minor units (cents, not dollars)').nonnegative();

/**
 * A loyalty program as configuration. Amounts are integer minor units of the program's currency; payments in
 * other currencies neither earn points nor count toward thresholds.
 */
const EnrollmentSchema = z.strictObject({
  lifetimeSpendMinor: Minor.optional(),
  visits: z.number().int().positive().optional(),
  periodSpend: z.strictObject({ minor: Minor, days: z.number().int().positive() }).optional(),
  /** "any": one threshold reached is enough; "all": every configured threshold. */
  rule: z.enum(['any', 'all']).default('any'),
});
const PointsSchema = z.strictObject({
  /** Points per whole currency unit (per dollar, per euro, per yen); fractions of a point are dropped. */
  perUnit: z.number().nonnegative().default(1),
  /** Points expire this many days after they were earned; leave out for points that never expire. */
  expiryDays: z.number().int().positive().optional(),
});
const TierSchema = z.strictObject({ name: z.string().min(1), minSpendMinor: Minor, multiplier: z.number().positive().default(1) });

/**
 * The currencies this runtime's ICU knows (ISO 4217), upper-case three-letter codes: a program in a code no payment
 * carries ("UDS", or a fund code such as UYI, CLF or UYW) would never earn a point, silently. The build writes
 * them into the Node-RED dialogs' resources/editor-core.js, so the Loyalty Enroll dialog marks what this refuses.
 */
export const PROGRAM_CURRENCIES: readonly string[] = Intl.supportedValuesOf('currency');
const KNOWN_CURRENCIES: ReadonlySet<string> = new Set(PROGRAM_CURRENCIES);

/**
 * A program's id: lower-case letters, digits, "-" and "_", at most 64, the first a letter or digit. The build writes
 * it into the Node-RED dialogs' resources/editor-core.js, so the Loyalty Enroll dialog marks what this refuses.
 */
export const PROGRAM_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;
/** The id of a program given none (an empty Program ID field). */
export const DEFAULT_PROGRAM_ID = 'default';

/**
 * A loyalty program as configuration. Amounts are integer minor units of the program's currency; payments in
 * other currencies neither earn points nor count toward thresholds. Strict objects: a misspelt setting
 * ("pointsPerUnit" for points.perUnit) is refused, not left to its default without a word.
 */
export const LoyaltyProgramSchema = z.strictObject({
  id: z.string().regex(PROGRAM_ID_PATTERN, 'lower-case letters, digits, "-" and "_"').default(DEFAULT_PROGRAM_ID),
  name: z.string().min(1).default('Loyalty'),
  currency: z
    .string()
    .regex(/^[A-Za-z]{3}$/, 'a three-letter ISO 4217 code such as USD')
    .transform((c) => c.toUpperCase())
    .refine((c) => KNOWN_CURRENCIES.has(c), 'is not an ISO 4217 currency code, so no payment would ever be in it'),
  /** When a customer becomes a member. No threshold at all: at their first payment. */
  enrollment: EnrollmentSchema.prefault({}),
  points: PointsSchema.prefault({}),
  /** Tiers by net spend over the trailing window, lowest first; the multiplier scales points earned in that tier. */
  tiers: z
    .array(TierSchema)
    .default([])
    .refine((t) => t.every((tier, i) => i === 0 || tier.minSpendMinor > t[i - 1]!.minSpendMinor), 'tiers must be listed lowest first, each needing more spend than the one before'),
  tierWindowDays: z.number().int().positive().default(365),
  /** Our field → the CRM's field name; null leaves it out. */
  crmFields: z
    .partialRecord(z.enum(['tier', 'points', 'memberSince', 'heldPoints']), z.string().nullable())
    .default({ tier: 'loyalty_tier', points: 'loyalty_points', memberSince: 'loyalty_member_since' }),
});

export type LoyaltyProgram = z.infer<typeof LoyaltyProgramSchema>;

export function parseLoyaltyProgram(input: unknown, where = 'loyaltyProgram'): LoyaltyProgram {
  const value = typeof input === 'string' ? parseJson(input) : input;
  if (value instanceof Error) {
    throw new InputError(where, `is not valid JSON (${value.message})`, 'paste the program as a JSON object, e.g. {"currency": "USD"}');
  }
  const r = LoyaltyProgramSchema.safeParse(value);
  if (!r.success) {
    const misspelt = misspeltSetting(LoyaltyProgramSchema, r.error.issues, where, 'a loyalty program');
    if (misspelt) throw misspelt;
    const i = r.error.issues[0]!;
    const path = i.path.join('.');
    throw new InputError(path ? `${where}.${path}` : where, issueText(i), path === 'currency' ? 'set the program currency, e.g. "USD"' : 'correct this setting or remove it to use the default');
  }
  return r.data;
}

/** Points for a payment, whole points only, at the tier's multiplier. */
export function pointsFor(program: LoyaltyProgram, amountMinor: number, multiplier = 1): number {
  const unit = 10 ** currencyExponent(program.currency);
  // Integer arithmetic where the rate allows, so 1 point per dollar on 1999 cents is 19, never 19.999999.
  const scaled = program.points.perUnit * multiplier;
  if (Number.isInteger(scaled)) return Math.floor((amountMinor * scaled) / unit);
  return Math.floor((amountMinor * scaled) / unit + 1e-9);
}

export function tierFor(program: LoyaltyProgram, qualifyingSpendMinor: number): { name: string; multiplier: number } | null {
  let tier: { name: string; multiplier: number } | null = null;
  for (const t of program.tiers) if (qualifyingSpendMinor >= t.minSpendMinor) tier = t;
  return tier;
}

export function hasEnrollmentThresholds(program: LoyaltyProgram): boolean {
  const e = program.enrollment;
  return e.lifetimeSpendMinor !== undefined || e.visits !== undefined || e.periodSpend !== undefined;
}
