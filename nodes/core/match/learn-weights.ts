import { compareRecords } from './compare';
import type { CustomerIndex } from './customer-index';
import { combineM, emPass, estimateU, type EmPassResult } from './em';
import { EXACT_PRECEDENCE, type ResolvedMatchConfig } from './match-config';
import type { NormalizedRecord } from './normalized-record';
import { F, FIELDS, type MatchWeights } from './weights';

export interface LearnInput {
  /** The records to match (a file, payments). */
  probes: readonly NormalizedRecord[];
  /** What they are matched against; the same list when deduplicating. */
  targets: readonly NormalizedRecord[];
  dedupe: boolean;
  /** `targets` indexed, for the candidate pairs of the union of blocking rules. */
  index: CustomerIndex;
  cfg: ResolvedMatchConfig;
  random: () => number;
  /** Probes looked at (default 20,000) and random pairs drawn (default 200,000). */
  sample?: number;
  randomPairs?: number;
}

export interface LearnProblem {
  kind: 'too-few' | 'degenerate';
  reason: string;
  fix: string;
}

export interface Learnt {
  weights: MatchWeights;
  /** Probability that two records drawn at random are one person. */
  lambda: number;
  totalPairs: number;
  /** Estimated over all pairs: pairs a deterministic rule calls one person, and the share of matches those rules find. */
  deterministicPairs: number;
  deterministicRecall: number;
  /** Estimated over all probes: candidate pairs the blocking rules bring together. */
  candidatePairs: number;
  randomPairs: number;
  presence: number[];
  passes: EmPassResult[];
  /** Per field: m estimated by some pass (else the built-in m is kept). */
  estimated: boolean[];
  problem?: LearnProblem;
}

/** The blocking passes EM runs over; each blocks on exact agreement of some fields and estimates m of the others. */
const PASSES: readonly { name: string; blockedOn: readonly number[]; keys(r: NormalizedRecord): readonly string[] }[] = [
  { name: 'given and family name', blockedOn: [F.given, F.family], keys: (r) => (r.given && r.family ? [`${r.given}|${r.family}`] : []) },
  { name: 'date of birth', blockedOn: [F.dob], keys: (r) => (r.dob ? [r.dob] : []) },
  { name: 'postal code', blockedOn: [F.address], keys: (r) => (r.postal ? [r.postal] : []) },
  { name: 'email', blockedOn: [F.email], keys: (r) => r.emails },
  { name: 'phone', blockedOn: [F.phone], keys: (r) => r.phones },
  { name: 'identifier', blockedOn: [F.id], keys: (r) => (r.idNumber ? [r.idNumber] : []) },
];

/**
 * Rules that call a pair one person without weights (each a set of fields agreeing exactly), used to estimate the
 * share of matches on its own: count the pairs they find, divide by their recall (from m) and by all pairs.
 */
export const DETERMINISTIC_RULES: readonly (readonly number[])[] = [
  [F.given, F.family, F.dob],
  [F.family, F.dob, F.address],
  [F.given, F.family, F.address],
  [F.email],
  [F.phone],
  [F.id],
];
const RULE_NAMES = ['given name, family name and birth date', 'family name, birth date and address', 'given name, family name and address', 'email', 'phone', 'identifier'];

const MIN_PASS_PAIRS = 30;
const MIN_PASS_MATCHES = 5;
const PASS_PARTNERS = 60;
const PASS_MAX_PAIRS = 50_000;

function pick<T>(list: readonly T[], n: number, random: () => number): readonly T[] {
  if (list.length <= n) return list;
  return Array.from({ length: n }, () => list[Math.floor(random() * list.length)]!);
}

const fires = (levels: Int8Array, rule: readonly number[]) => rule.every((f) => levels[f] === 0);

/** Recall of the union of the deterministic rules among matches, by inclusion–exclusion with fields independent. */
export function deterministicRecall(m: readonly (readonly number[])[], presence: readonly number[]): number {
  const n = DETERMINISTIC_RULES.length;
  let recall = 0;
  for (let mask = 1; mask < 1 << n; mask++) {
    const fields = new Set<number>();
    let bits = 0;
    for (let r = 0; r < n; r++) if (mask & (1 << r)) {
      bits++;
      for (const f of DETERMINISTIC_RULES[r]!) fields.add(f);
    }
    let p = 1;
    for (const f of fields) p *= presence[f]! * m[f]![0]!;
    recall += bits % 2 ? p : -p;
  }
  return recall;
}

/** Total variation distance between m and u of a field: 0 when the field cannot tell matches from others. */
const separation = (m: readonly number[], u: readonly number[]) => m.reduce((s, p, l) => s + Math.abs(p - u[l]!), 0) / 2;

/**
 * Learns Fellegi–Sunter weights without labels, as Splink does: u from random pairs, m by EM over several
 * blocking passes (each holding u fixed and not estimating the fields it blocked on), and the prior share of
 * matches λ on its own, from deterministic rules' pairs over the number of possible pairs. Returns a `problem`
 * instead of weights that cannot be trusted.
 */
export function learnWeights(input: LearnInput): Learnt {
  const { probes, targets, dedupe, index, cfg, random } = input;
  const start = cfg.weights;
  const totalPairs = dedupe ? (probes.length * (probes.length - 1)) / 2 : probes.length * targets.length;
  const levels = () => new Int8Array(FIELDS.length);
  const cmp = (a: NormalizedRecord, b: NormalizedRecord) => compareRecords(a, b, cfg.logWeights, start.m, undefined, levels()).levels;

  // u: random pairs
  const randomPairs: Int8Array[] = [];
  const nRandom = Math.min(input.randomPairs ?? 100_000, Math.max(0, Math.round(totalPairs)));
  for (let tries = 0; randomPairs.length < nRandom && tries < nRandom * 3; tries++) {
    const a = probes[Math.floor(random() * probes.length)]!;
    const b = targets[Math.floor(random() * targets.length)]!;
    if (a.id === b.id && dedupe) continue;
    randomPairs.push(cmp(a, b));
  }
  const { u, presence } = estimateU(randomPairs, start);

  // m: EM over blocking passes
  const sample = pick(probes, input.sample ?? 20_000, random);
  const passes: EmPassResult[] = [];
  for (const pass of PASSES) {
    const groups = new Map<string, NormalizedRecord[]>();
    for (const t of targets) for (const k of pass.keys(t)) {
      const g = groups.get(k);
      if (g) g.push(t);
      else groups.set(k, [t]);
    }
    const pairs: Int8Array[] = [];
    for (const p of sample) {
      for (const k of pass.keys(p)) {
        for (const t of pick(groups.get(k) ?? [], PASS_PARTNERS, random)) if (t.id !== p.id) pairs.push(cmp(p, t));
      }
      if (pairs.length >= PASS_MAX_PAIRS) break;
    }
    if (pairs.length < MIN_PASS_PAIRS) continue;
    const r = emPass({ name: pass.name, blockedOn: pass.blockedOn, pairs }, u, start.m);
    if (r.expectedMatches >= MIN_PASS_MATCHES) passes.push(r);
  }
  const { m, estimated } = combineM(passes, start.m);
  const weights: MatchWeights = { m, u };

  // λ: deterministic rules over the candidate pairs of the blocking rules
  let det = 0;
  let candidates = 0;
  const found: NormalizedRecord[] = [];
  for (const p of sample) {
    index.candidates(p, found);
    for (const kind of EXACT_PRECEDENCE) {
      const values = kind === 'email' ? p.emails : kind === 'phone' ? p.phones : kind === 'cardToken' ? p.tokens : p.processorIds;
      for (const v of values) {
        const hit = index.findKey(kind, v);
        if (hit && !found.includes(hit)) found.push(hit);
      }
    }
    for (const t of found) {
      if (t.id === p.id) continue;
      candidates++;
      const l = cmp(p, t);
      if (DETERMINISTIC_RULES.some((rule) => fires(l, rule))) det++;
    }
  }
  const scale = (sample.length ? probes.length / sample.length : 0) / (dedupe ? 2 : 1);
  const deterministicPairs = det * scale;
  const recall = deterministicRecall(m, presence);
  const lambda = deterministicPairs / Math.max(recall, 1e-9) / Math.max(totalPairs, 1);
  const learnt: Learnt = {
    weights, lambda, totalPairs, deterministicPairs, deterministicRecall: recall, candidatePairs: candidates * scale,
    randomPairs: randomPairs.length, presence, passes, estimated,
  };
  const problem = checkLearnt(learnt, dedupe ? probes.length : Math.min(probes.length, targets.length));
  return problem ? { ...learnt, problem } : learnt;
}

const FIX = 'map the name, birth date, address, email, phone or identifier columns (--columns) so that records have fields to compare, or run with --no-learn to use the built-in weights';

/** Why learnt weights must not be used, or undefined when they may. */
export function checkLearnt(l: Learnt, smallerSide: number): LearnProblem | undefined {
  if (l.randomPairs < 100) return { kind: 'too-few', reason: `only ${l.randomPairs} ${l.randomPairs === 1 ? 'pair' : 'pairs'} of records exist, too few to measure how often different people agree`, fix: 'give more records, or run with --no-learn' };
  if (!l.passes.length) {
    return { kind: 'too-few', reason: `no blocking pass (${PASSES.map((p) => p.name).join(', ')}) found ${MIN_PASS_MATCHES} or more likely matches to estimate m from`, fix: 'give more records, or run with --no-learn' };
  }
  const stuck = l.passes.find((p) => !p.converged);
  if (stuck) return { kind: 'degenerate', reason: `EM did not converge on the pass blocked on ${stuck.name} (${stuck.iterations} iterations over ${stuck.pairs} pairs)`, fix: FIX };
  const fields = FIELDS.map((_, f) => f).filter((f) => l.estimated[f] && l.presence[f]! > 0);
  if (fields.length && fields.every((f) => separation(l.weights.m[f]!, l.weights.u[f]!) < 0.1)) {
    return { kind: 'degenerate', reason: 'm ≈ u for every field: matches and non-matches agree alike, so the weights could not tell them apart', fix: FIX };
  }
  if (!(l.deterministicPairs > 0)) {
    return { kind: 'degenerate', reason: `no pair of records agrees exactly on ${RULE_NAMES.join('; or ')}, so the share of matches cannot be estimated`, fix: FIX };
  }
  if (!(l.deterministicRecall >= 0.01)) {
    return { kind: 'degenerate', reason: `the deterministic rules would find only ${(l.deterministicRecall * 100).toFixed(2)}% of matches, too few to estimate the share of matches from`, fix: FIX };
  }
  const expected = l.lambda * l.totalPairs;
  if (l.lambda >= 0.5 || expected > 2 * Math.max(1, smallerSide)) {
    return {
      kind: 'degenerate',
      reason: `the estimate says ${(l.lambda * 100).toPrecision(3)}% of all pairs (${Math.round(expected)}) are one person, more than twice as many as there are records on the smaller side (${smallerSide}): the estimation collapsed`,
      fix: FIX,
    };
  }
  return undefined;
}

const sci = (x: number) => (x === 0 ? '0' : x >= 0.01 ? x.toFixed(3) : x.toExponential(1));

/** What was learnt, in lines an operator reads: the diagnostic that would have shown a collapse. */
export function describeLearnt(l: Learnt): string[] {
  const lines = [
    `match proportion λ ${sci(l.lambda)}: ≈ ${Math.round(l.lambda * l.totalPairs)} matching pairs of ${Math.round(l.totalPairs)}; ` +
      `${Math.round(l.deterministicPairs)} pairs agree on a deterministic rule, which finds an estimated ${(l.deterministicRecall * 100).toFixed(0)}% of matches`,
    `u from ${l.randomPairs} random pairs; m by EM over ${l.passes.length} blocking passes:`,
    ...l.passes.map((p) => `  blocked on ${p.name}: ${p.pairs} pairs, ${(p.lambda * 100).toFixed(1)}% matches, ${p.converged ? 'converged' : 'NOT converged'} in ${p.iterations} iterations`),
  ];
  if (l.problem?.kind === 'too-few') return lines;
  FIELDS.forEach((f, i) => {
    if (l.presence[i] === 0) return;
    const levels = f.levels.map((lv, j) => {
      const m = l.weights.m[i]![j]!;
      const u = l.weights.u[i]![j]!;
      return `${lv.name} m=${sci(m)} u=${sci(u)} (${Math.log2(m / u) >= 0 ? '+' : ''}${Math.log2(m / u).toFixed(1)})`;
    });
    lines.push(`  ${f.field}${l.estimated[i] ? '' : ' (m built in)'}: ${levels.join(' | ')}`);
  });
  return lines;
}

