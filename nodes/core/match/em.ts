import { FIELDS, MISSING, type MatchWeights } from './weights';

/** Levels seen fewer times than this among random pairs keep their prior u: zero sightings is not zero chance. */
const MIN_U_COUNT = 20;
/** Fewer random pairs than this measure nothing. */
const MIN_RANDOM_PAIRS = 100;

export interface UEstimate {
  u: number[][];
  /** Per field: share of random pairs that have it on both sides. */
  presence: number[];
  /** Per field: whether u was measured (enough random pairs had the field). */
  measured: boolean[];
}

/**
 * u from random pairs: two records drawn at random are almost never one person, so how often their fields agree
 * at each level is how often different people agree. Never from blocked candidates, which are mostly matches.
 */
export function estimateU(randomPairs: readonly Int8Array[], start: MatchWeights): UEstimate {
  const nf = FIELDS.length;
  const u = start.u.map((r) => [...r]);
  const presence = new Array<number>(nf).fill(0);
  const measured = new Array<boolean>(nf).fill(false);
  for (let f = 0; f < nf; f++) {
    const counts = new Array<number>(FIELDS[f]!.levels.length).fill(0);
    let n = 0;
    for (const v of randomPairs) {
      const l = v[f]!;
      if (l === MISSING) continue;
      counts[l]!++;
      n++;
    }
    presence[f] = randomPairs.length ? n / randomPairs.length : 0;
    if (n < MIN_RANDOM_PAIRS) continue;
    measured[f] = true;
    const row = counts.map((c, l) => (c >= MIN_U_COUNT ? c / n : Math.min(start.u[f]![l]!, MIN_U_COUNT / n)));
    const last = row.length - 1;
    row[last] = Math.max(1e-6, 1 - row.slice(0, last).reduce((a, b) => a + b, 0));
    u[f] = row;
  }
  return { u, presence, measured };
}

export interface EmPass {
  /** What the pass blocked on, for the diagnostic. */
  name: string;
  /** Fields the pass blocked on: they agree by construction, so this pass says nothing about their m. */
  blockedOn: readonly number[];
  /** Comparison levels of the pairs the pass's blocking brought together. */
  pairs: readonly Int8Array[];
}

export interface EmPassResult {
  name: string;
  pairs: number;
  /** Share of the pass's pairs EM takes to be matches (high by design: it blocked on agreement). */
  lambda: number;
  /** Expected matching pairs among the pass's pairs: the data behind its m. */
  expectedMatches: number;
  iterations: number;
  converged: boolean;
  /** m per field as this pass estimated it; undefined for the fields it blocked on or never saw. */
  m: (number[] | undefined)[];
}

/**
 * Expectation–maximisation over one blocking pass with u held fixed: only m of the fields the pass did not block
 * on, and the pass's own share of matches, are free. Holding u fixed is what keeps EM from calling every pair
 * a match (it would have to make m equal to the candidates' distribution, which the fixed u then outweighs
 * nowhere). A Dirichlet prior of `priorStrength` pairs towards `startM` keeps a rarely seen level off 0 and 1.
 */
export function emPass(pass: EmPass, u: readonly (readonly number[])[], startM: readonly (readonly number[])[], options: { iterations?: number; priorStrength?: number } = {}): EmPassResult {
  const nf = FIELDS.length;
  const free = FIELDS.map((_, f) => !pass.blockedOn.includes(f));
  const beta = options.priorStrength ?? 2;
  const maxIter = options.iterations ?? 200;
  const m = startM.map((r) => [...r]);
  const logU = u.map((r) => r.map(Math.log));
  let logM = m.map((r) => r.map(Math.log));
  const seen = new Array<number>(nf).fill(0);
  for (const v of pass.pairs) for (let f = 0; f < nf; f++) if (free[f] && v[f] !== MISSING) seen[f]!++;
  let lambda = 0.5;
  let iterations = 0;
  let converged = false;
  let gSum = 0;
  const pairs = pass.pairs;
  for (; iterations < maxIter && pairs.length > 0; iterations++) {
    const acc = m.map((r) => r.map(() => 0));
    const tot = new Array<number>(nf).fill(0);
    gSum = 0;
    const logLambda = Math.log(lambda);
    const logNot = Math.log(1 - lambda);
    for (const v of pairs) {
      let lm = logLambda;
      let lu = logNot;
      for (let f = 0; f < nf; f++) {
        const l = v[f]!;
        if (l === MISSING || !free[f]) continue;
        lm += logM[f]![l]!;
        lu += logU[f]![l]!;
      }
      const g = 1 / (1 + Math.exp(lu - lm));
      gSum += g;
      for (let f = 0; f < nf; f++) {
        const l = v[f]!;
        if (l === MISSING || !free[f]) continue;
        acc[f]![l]! += g;
        tot[f]! += g;
      }
    }
    const next = Math.min(1 - 1e-9, Math.max(1e-9, gSum / pairs.length));
    let change = Math.abs(next - lambda);
    for (let f = 0; f < nf; f++) {
      if (!free[f]) continue;
      const row = acc[f]!.map((a, l) => (a + beta * startM[f]![l]!) / (tot[f]! + beta));
      for (let l = 0; l < row.length; l++) change = Math.max(change, Math.abs(row[l]! - m[f]![l]!));
      m[f] = row;
    }
    logM = m.map((r) => r.map(Math.log));
    lambda = next;
    if (change < 1e-6) {
      converged = true;
      iterations++;
      break;
    }
  }
  return {
    name: pass.name,
    pairs: pairs.length,
    lambda,
    expectedMatches: gSum,
    iterations,
    converged: converged || pairs.length === 0,
    m: m.map((row, f) => (free[f] && seen[f]! > 0 ? row : undefined)),
  };
}

/**
 * m per field: the average of the passes that estimated it, each weighted by the matches it saw; fields no pass
 * estimated keep `startM`.
 */
export function combineM(results: readonly EmPassResult[], startM: readonly (readonly number[])[]): { m: number[][]; estimated: boolean[] } {
  const estimated = FIELDS.map(() => false);
  const m = startM.map((row, f) => {
    let w = 0;
    const sum = row.map(() => 0);
    for (const r of results) {
      const mf = r.m[f];
      if (!mf) continue;
      for (let l = 0; l < row.length; l++) sum[l]! += mf[l]! * r.expectedMatches;
      w += r.expectedMatches;
    }
    if (w <= 0) return [...row];
    estimated[f] = true;
    return sum.map((s) => Math.max(1e-6, s / w));
  });
  return { m, estimated };
}
