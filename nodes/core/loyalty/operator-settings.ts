import { currencyOf, minorUnitsOf, optionalCount } from '../config/amounts';
import { InputError, shown } from '../errors';
import { DEFAULT_PROGRAM_ID, parseLoyaltyProgram, PROGRAM_ID_PATTERN, type LoyaltyProgram } from './program';

/**
 * A loyalty program as the n8n and Node-RED editors let an operator fill it in: amounts in the program's
 * currency as on a receipt (500, not 50000 cents), thresholds that are 0 when unused, tiers as rows. Errors name
 * the field by its label in the editor (n8n's by default; Node-RED passes its own).
 */
export interface LoyaltySettings {
  programId?: string;
  programName?: string;
  currency?: string;
  /** "firstPayment": everyone who pays is a member; "threshold": once a threshold below is reached. */
  enrollWhen?: 'firstPayment' | 'threshold' | string;
  enrollLifetimeSpend?: number | string;
  enrollVisits?: number | string;
  enrollPeriodSpend?: number | string;
  enrollPeriodDays?: number | string;
  enrollRule?: 'any' | 'all' | string;
  pointsPerUnit?: number | string;
  pointsExpiryDays?: number | string;
  tiers?: Array<{ name?: string; minSpend?: number | string; multiplier?: number | string }>;
  tierWindowDays?: number | string;
  tierField?: string;
  pointsField?: string;
  memberSinceField?: string;
}

export const LOYALTY_LABELS = {
  programId: 'Program ID',
  programName: 'Program Name',
  currency: 'Currency',
  enrollWhen: 'Enroll Customers',
  enrollLifetimeSpend: 'Enroll After Lifetime Spend',
  enrollVisits: 'Enroll After Visits',
  enrollPeriodSpend: 'Enroll After Spend Within Period',
  enrollPeriodDays: 'Period (Days)',
  enrollRule: 'Thresholds Needed',
  pointsPerUnit: 'Points per Currency Unit',
  pointsExpiryDays: 'Points Expire After (Days)',
  tiers: 'Tiers',
  tierWindowDays: 'Tier Window (Days)',
  tierField: 'Tier Field in CRM',
  pointsField: 'Points Field in CRM',
  memberSinceField: 'Member Since Field in CRM',
  programJson: 'Program (JSON)',
} as const;

export type LoyaltyLabels = Record<keyof typeof LOYALTY_LABELS, string>;

/** The program both editors start from, and what their JSON box shows: members from the first payment, two tiers. */
export const DEFAULT_LOYALTY_PROGRAM_JSON = {
  id: 'default',
  name: 'Loyalty',
  currency: 'USD',
  enrollment: {},
  points: { perUnit: 1 },
  tiers: [
    { name: 'Silver', minSpendMinor: 50_000, multiplier: 1 },
    { name: 'Gold', minSpendMinor: 200_000, multiplier: 1.5 },
  ],
  tierWindowDays: 365,
  crmFields: { tier: 'loyalty_tier', points: 'loyalty_points', memberSince: 'loyalty_member_since' },
};

/**
 * A text field as an expression may give it: a number or a switch is its text; an object or a list is refused by name, where
 * dropping it would put the default program ID in place, or stop writing a CRM field, without a word.
 */
function textField(v: unknown, label: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v.trim();
  if (typeof v !== 'object') return String(v);
  throw new InputError(label, `is ${Array.isArray(v) ? 'a list' : 'an object'}, not text`, 'type the text, or map it to one value of the item, not the object that holds it');
}

function positiveNumber(value: unknown, label: string, fix: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'string' ? Number(value.trim()) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) throw new InputError(label, `"${String(value)}" is not a number of 0 or more`, fix);
  return n;
}

function tiersOf(rows: LoyaltySettings['tiers'], currency: string, label: string): LoyaltyProgram['tiers'] {
  if (rows !== undefined && !Array.isArray(rows)) throw new InputError(label, 'is not a list of tiers', 'add the tiers as rows (name, minimum spend, points multiplier), or none');
  const tiers = (rows ?? []).map((row, i) => {
    const name = textField(row.name, `${label} ${i + 1}: Name`);
    if (!name) throw new InputError(`${label} ${i + 1}: Name`, 'is empty', 'name the tier (e.g. Gold) or remove the row');
    const minSpendMinor = minorUnitsOf(row.minSpend ?? 0, currency, `${label} "${name}": Minimum Spend`) ?? 0;
    const multiplier = positiveNumber(row.multiplier, `${label} "${name}": Points Multiplier`, 'type e.g. 1 for normal points, 2 for double') ?? 1;
    if (multiplier === 0) throw new InputError(`${label} "${name}": Points Multiplier`, 'is 0', 'type e.g. 1 for normal points, 2 for double');
    return { name, minSpendMinor, multiplier };
  });
  // Rows may be entered in any order; the program lists them lowest first.
  tiers.sort((a, b) => a.minSpendMinor - b.minSpendMinor);
  const same = tiers.find((t, i) => i > 0 && t.minSpendMinor === tiers[i - 1]!.minSpendMinor);
  if (same) throw new InputError(`${label} "${same.name}": Minimum Spend`, 'is the same as another tier\'s', 'give every tier a different minimum spend');
  return tiers;
}

export function loyaltyProgramFromSettings(s: LoyaltySettings, L: LoyaltyLabels = LOYALTY_LABELS): LoyaltyProgram {
  const currency = currencyOf(s.currency, L.currency);
  const id = textField(s.programId, L.programId) || DEFAULT_PROGRAM_ID;
  if (!PROGRAM_ID_PATTERN.test(id)) {
    throw new InputError(L.programId, `"${id}" has characters a program ID cannot have`, 'use lower-case letters, digits, "-" and "_", e.g. "default" or "vip-club"');
  }
  const enrollment: Record<string, unknown> = {};
  const when = s.enrollWhen === undefined || s.enrollWhen === null || s.enrollWhen === '' ? 'firstPayment' : s.enrollWhen;
  // Read as the first payment, an unknown choice would make members of customers the operator meant to hold back.
  if (when !== 'firstPayment' && when !== 'threshold') throw new InputError(L.enrollWhen, `"${shown(when)}" is not a choice`, 'choose at the first payment (firstPayment) or at a threshold (threshold)');
  if (when === 'threshold') {
    const lifetime = minorUnitsOf(s.enrollLifetimeSpend, currency, L.enrollLifetimeSpend);
    const visits = optionalCount(s.enrollVisits, L.enrollVisits, 'type the number of payments, e.g. 5, or 0 to not use it');
    const period = minorUnitsOf(s.enrollPeriodSpend, currency, L.enrollPeriodSpend);
    if (lifetime !== undefined) enrollment.lifetimeSpendMinor = lifetime;
    if (visits !== undefined) enrollment.visits = visits;
    if (period !== undefined) {
      const days = optionalCount(s.enrollPeriodDays, L.enrollPeriodDays, 'type the number of days the spend is counted over, e.g. 30');
      if (days === undefined) throw new InputError(L.enrollPeriodDays, 'is not set', `type the number of days "${L.enrollPeriodSpend}" is counted over, e.g. 30`);
      enrollment.periodSpend = { minor: period, days };
    }
    if (Object.keys(enrollment).length === 0) {
      throw new InputError(L.enrollWhen, 'enrolls at a threshold, but no threshold is set', `set ${L.enrollLifetimeSpend}, ${L.enrollVisits} or ${L.enrollPeriodSpend}, or enroll at the first payment`);
    }
    const rule = s.enrollRule ?? 'any';
    if (rule !== 'any' && rule !== 'all') throw new InputError(L.enrollRule, `"${String(rule)}" is not a choice`, 'choose "any" (one threshold is enough) or "all"');
    enrollment.rule = rule;
  }
  const perUnit = positiveNumber(s.pointsPerUnit, L.pointsPerUnit, 'type e.g. 1 for one point per dollar (or euro…), 0 for no points') ?? 1;
  const expiryDays = optionalCount(s.pointsExpiryDays, L.pointsExpiryDays, 'type a number of days, or 0 for points that never expire');
  const tierWindowDays = optionalCount(s.tierWindowDays, L.tierWindowDays, 'type the number of days of spend that count toward a tier, e.g. 365');
  const field = (v: unknown, fallback: string, label: string) => (v === undefined ? fallback : textField(v, label) || null);
  return parseLoyaltyProgram({
    id,
    name: textField(s.programName, L.programName) || 'Loyalty',
    currency,
    enrollment,
    points: { perUnit, ...(expiryDays ? { expiryDays } : {}) },
    tiers: tiersOf(s.tiers, currency, L.tiers),
    ...(tierWindowDays ? { tierWindowDays } : {}),
    crmFields: {
      tier: field(s.tierField, 'loyalty_tier', L.tierField),
      points: field(s.pointsField, 'loyalty_points', L.pointsField),
      memberSince: field(s.memberSinceField, 'loyalty_member_since', L.memberSinceField),
    },
  });
}

/**
 * The program from the editor's JSON box; a blank box is the default program. `label`: the box as the editor shows
 * it, which names what the program's parser refuses (n8n's Program (JSON) by default).
 */
export function loyaltyProgramFromJson(input: unknown, label: string = LOYALTY_LABELS.programJson): LoyaltyProgram {
  if (input === undefined || input === null || (typeof input === 'string' && input.trim() === '')) return parseLoyaltyProgram(DEFAULT_LOYALTY_PROGRAM_JSON);
  // A wrong setting is named inside the box it was typed in ("Program (JSON).tiers.0.name"), not as the CLI's setting.
  return parseLoyaltyProgram(input, label);
}
