import type { FieldEvidence, MatchField } from '../contracts/customer';

export interface LevelSpec {
  /** How the comparison came out, in words an operator reads in the explanation. */
  name: string;
  outcome: FieldEvidence['outcome'];
}

/**
 * A field the comparison knows: the contract's match fields, and an identifier (a national or tax id, a member or
 * customer number both systems hold) which only record files carry (`link --columns idNumber=…`).
 */
export type ComparedField = MatchField | 'idNumber';

/** One field's part in a comparison; the contract's FieldEvidence, for any compared field. */
export type MatchEvidence = Omit<FieldEvidence, 'field'> & { field: ComparedField };

export interface FieldSpec {
  field: ComparedField;
  /** Best agreement first, plain disagreement last. */
  levels: readonly LevelSpec[];
}

const agree = (name: string): LevelSpec => ({ name, outcome: 'agree' });
const partial = (name: string): LevelSpec => ({ name, outcome: 'partial' });
const different: LevelSpec = { name: 'different', outcome: 'disagree' };

/** The comparison vector of the probabilistic tier: one entry per field, each with its agreement levels. */
export const FIELDS: readonly FieldSpec[] = [
  { field: 'givenName', levels: [agree('same'), agree('nickname'), partial('similar spelling'), partial('close spelling'), partial('initial or loose spelling'), different] },
  { field: 'familyName', levels: [agree('same'), partial('similar spelling'), partial('close spelling'), partial('part of the name or loose spelling'), different] },
  { field: 'email', levels: [agree('same mailbox'), partial('same name at another domain'), partial('one typo apart'), partial('similar name'), different] },
  { field: 'phone', levels: [agree('same number'), partial('one digit off'), different] },
  {
    field: 'address',
    levels: [agree('same street and postal code'), partial('same street, postal code or city differs'), partial('same postal code'), partial('same city or postal code one character off'), different],
  },
  { field: 'dateOfBirth', levels: [agree('same'), partial('day and month swapped'), partial('one digit off'), partial('year one apart'), different] },
  { field: 'card', levels: [agree('same card token'), agree('same BIN, last 4 and expiry'), partial('same last 4 and expiry'), partial('same BIN and last 4'), different] },
  // Last, so weights stored before it existed keep every other field in place (stored-weights.ts).
  { field: 'idNumber', levels: [agree('same'), partial('one edit or transposition'), partial('two edits'), different] },
];

export const F = { given: 0, family: 1, email: 2, phone: 3, address: 4, dob: 5, card: 6, id: 7 } as const;
export const MISSING = -1;

/** True when the field was present on both sides and plainly different (its last level). */
export function differs(levels: Int8Array, field: number): boolean {
  return levels[field] === FIELDS[field]!.levels.length - 1;
}

/**
 * A different given name with family name and address agreeing is the pattern of a household, not of one person:
 * then what a household shares is not counted as evidence, and the pair is never linked unasked. The same birth
 * date is not what a household shares (twins aside), so with it the pair is one person whose given name was
 * written differently (a middle name, a name used instead of the registered one). So is a pair with the same
 * identifier: it is one person's (a national id, a member number; a card a family shares is not one).
 */
export function householdOnly(levels: Int8Array): boolean {
  return differs(levels, F.given) && levels[F.dob] !== 0 && levels[F.id] !== 0;
}

/**
 * Fellegi–Sunter parameters. m: how often a level occurs when both records are the same person; u: how often
 * it occurs between two different people. A level's weight is log2(m/u): positive evidence for agreement,
 * negative for disagreement, zero when either record lacks the field.
 */
export interface MatchWeights {
  m: number[][];
  u: number[][];
}

/**
 * Starting values, used as they are until the data has been seen and as the prior EM starts from. Roughly:
 * names are retyped with errors a few percent of the time, people change email and phone more often than
 * their name, and a person pays with a new card about a third of the time. The u of card levels is set from
 * the arithmetic of card numbers, because random pairs almost never show it: two people's cards share a BIN
 * a few times in a thousand (issuers are concentrated), the last four digits once in 10,000, the expiry once
 * in about 60; with a card and a half per person, BIN + last 4 + expiry comes to about 1e-8. An identifier is
 * one person's and is retyped now and then; two people's ids are rarely one or two keystrokes apart (of a
 * 7-digit number's 10^7 values, about 70 are one edit away and a few thousand two).
 */
export const DEFAULT_WEIGHTS: MatchWeights = {
  m: [
    [0.78, 0.08, 0.04, 0.02, 0.03, 0.05],
    [0.87, 0.04, 0.02, 0.02, 0.05],
    [0.75, 0.04, 0.04, 0.05, 0.12],
    [0.85, 0.04, 0.11],
    [0.66, 0.06, 0.12, 0.04, 0.12],
    [0.9, 0.02, 0.03, 0.01, 0.04],
    [0.5, 0.12, 0.04, 0.02, 0.32],
    [0.85, 0.06, 0.03, 0.06],
  ],
  u: [
    [0.01, 0.004, 0.004, 0.004, 0.028, 0.95],
    [0.003, 0.001, 0.002, 0.007, 0.987],
    [1e-7, 2e-6, 1e-5, 5e-4, 0.999487],
    [1e-7, 1e-6, 0.9999989],
    [2e-5, 1e-4, 1e-3, 0.01, 0.98888],
    [6e-5, 3e-6, 5e-4, 1.2e-4, 0.999317],
    [1e-12, 1e-8, 3e-6, 6e-7, 0.9999964],
    [1e-6, 1e-5, 3e-4, 0.999689],
  ],
};

export function cloneWeights(w: MatchWeights): MatchWeights {
  return { m: w.m.map((r) => [...r]), u: w.u.map((r) => [...r]) };
}

/** log2(m/u) per field and level, computed once per weights. */
export function logWeights(w: MatchWeights): Float64Array[] {
  return FIELDS.map((f, i) => Float64Array.from(f.levels, (_, l) => Math.log2(w.m[i]![l]! / w.u[i]![l]!)));
}

/** Checks operator-supplied weights: one probability per level, each in (0, 1]. */
export function validWeights(w: MatchWeights): boolean {
  return FIELDS.every((f, i) =>
    [w.m[i], w.u[i]].every((row) => Array.isArray(row) && row.length === f.levels.length && row.every((p) => p > 0 && p <= 1)),
  );
}
