import { FIELDS, MISSING, cloneWeights, type MatchWeights } from './weights';

export interface EstimateInput {
  /** Comparison levels of candidate pairs (what blocking brings together): matches and non-matches mixed. */
  pairs: readonly Int8Array[];
  /** Comparison levels of random pairs: nearly all non-matches, so they measure u directly. */
  randomPairs: readonly Int8Array[];
}

export interface EstimateResult {
  weights: MatchWeights;
  /** Share of candidate pairs EM takes to be matches. */
  matchShare: number;
  iterations: number;
  /** Per field: how many candidate pairs had it on both sides. */
  observed: number[];
}

/** Levels seen fewer times than this among random pairs keep their prior u: zero sightings is not zero chance. */
const MIN_U_COUNT = 20;

/**
 * Learns Fellegi–Sunter weights from unlabelled data. u comes from random pairs (two random customers are
 * almost never the same person); m and the match share come from expectation–maximisation over candidate
 * pairs, with `start` as a Dirichlet prior of `priorStrength` pairs per field so that a field seen rarely
 * keeps sensible values instead of running to 0 or 1.
 */
export function estimateWeights(input: EstimateInput, start: MatchWeights, options: { iterations?: number; priorStrength?: number } = {}): EstimateResult {
  const w = cloneWeights(start);
  const nf = FIELDS.length;
  for (let f = 0; f < nf; f++) {
    const counts = new Array<number>(FIELDS[f]!.levels.length).fill(0);
    let n = 0;
    for (const v of input.randomPairs) {
      const l = v[f]!;
      if (l === MISSING) continue;
      counts[l]!++;
      n++;
    }
    if (n < 100) continue;
    const u = counts.map((c, l) => (c >= MIN_U_COUNT ? c / n : start.u[f]![l]!));
    const last = u.length - 1;
    const rest = u.slice(0, last).reduce((a, b) => a + b, 0);
    u[last] = Math.max(1e-6, 1 - rest);
    w.u[f] = u;
  }

  const beta = options.priorStrength ?? 20;
  const maxIter = options.iterations ?? 50;
  const pairs = input.pairs;
  const observed = new Array<number>(nf).fill(0);
  for (const v of pairs) for (let f = 0; f < nf; f++) if (v[f] !== MISSING) observed[f]!++;
  let lambda = 0.1;
  let iterations = 0;
  const logM = w.m.map((r) => r.map(Math.log));
  const logU = w.u.map((r) => r.map(Math.log));
  for (; iterations < maxIter && pairs.length > 0; iterations++) {
    const acc = w.m.map((r) => r.map(() => 0));
    const tot = new Array<number>(nf).fill(0);
    let gSum = 0;
    const logLambda = Math.log(lambda);
    const logNot = Math.log(1 - lambda);
    for (const v of pairs) {
      let lm = logLambda;
      let lu = logNot;
      for (let f = 0; f < nf; f++) {
        const l = v[f]!;
        if (l === MISSING) continue;
        lm += logM[f]![l]!;
        lu += logU[f]![l]!;
      }
      const g = 1 / (1 + Math.exp(lu - lm));
      gSum += g;
      for (let f = 0; f < nf; f++) {
        const l = v[f]!;
        if (l === MISSING) continue;
        acc[f]![l]! += g;
        tot[f]! += g;
      }
    }
    const next = Math.min(0.999, Math.max(1e-6, gSum / pairs.length));
    for (let f = 0; f < nf; f++) {
      w.m[f] = acc[f]!.map((a, l) => (a + beta * start.m[f]![l]!) / (tot[f]! + beta));
      logM[f] = w.m[f]!.map(Math.log);
    }
    const done = Math.abs(next - lambda) < 1e-7;
    lambda = next;
    if (done) break;
  }
  return { weights: w, matchShare: lambda, iterations, observed };
}
