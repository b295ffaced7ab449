import { countBelow } from './clv/count-below';
import { finish, type Steps } from './clv/steps';

/**
 * RFM scores: each customer's recency, frequency and monetary value placed in quintiles of the population.
 *
 * The definition is rank-based so that plain SQL computes exactly the same numbers:
 *   score = 1 + ⌊5 · (rank − 1) / n⌋, rank = 1 + (customers with a strictly smaller value)
 * i.e. `1 + (RANK() OVER (ORDER BY v) - 1) * 5 / COUNT(*) OVER ()` with integer division. Ties share a score, so
 * a population where most customers bought once puts them all in F = 1, as it should.
 * Higher is better on all three: recency is ranked on the day of the last purchase (later day, higher score).
 */
export const QUANTILES = 5;

export interface RfmValues {
  /** Day number (days since 1970-01-01 UTC) of the last purchase. */
  lastDay: number;
  /** Payments. */
  frequency: number;
  /** Net spend in minor units. */
  monetaryMinor: number;
}

export interface RfmScores {
  r: number;
  f: number;
  m: number;
}

/**
 * Per dimension, the four thresholds between quintiles: score = 1 + (thresholds strictly below the value).
 * Kept with each batch run so a customer who changes between runs is scored against the same population.
 */
export interface RfmCuts {
  r: number[];
  f: number[];
  m: number[];
  customers: number;
}

export interface RfmBatch {
  /** Scores in input order, packed as r,f,m per customer. */
  scores: Uint8Array;
  cuts: RfmCuts;
  /** Net spend at each whole percentile 0..100 (nearest rank), for "top N%" flags. */
  monetaryPercentiles: number[];
}

function sortedCopy(values: Float64Array): Float64Array {
  return Float64Array.from(values).sort();
}

/** The value a customer must exceed to reach score k+1: the largest value still scored ≤ k, for k = 1..4. */
function thresholds(sorted: Float64Array): number[] {
  const n = sorted.length;
  const out: number[] = [];
  for (let k = 1; k < QUANTILES; k++) {
    // score ≥ k+1 ⇔ (customers below) ≥ ⌈k·n/5⌉ ⇔ value > sorted[⌈k·n/5⌉ − 1]
    const need = Math.ceil((k * n) / QUANTILES);
    out.push(need >= 1 ? sorted[need - 1]! : Number.NEGATIVE_INFINITY);
  }
  return out;
}

export function scoreAgainst(cuts: readonly number[], value: number): number {
  let s = 1;
  for (const c of cuts) if (value > c) s++;
  return s;
}

/** Exact rank-based quintile scores over a population given as columns. */
export function scoreRfmColumns(lastDay: Float64Array, frequency: Float64Array, monetaryMinor: Float64Array): RfmBatch {
  return finish(scoreRfmColumnsSteps(lastDay, frequency, monetaryMinor));
}

/** Customers scored between two stops of `scoreRfmColumnsSteps`: some tens of milliseconds. */
const SCORE_BLOCK = 65_536;

/** `scoreRfmColumns`, stopping after each column is sorted and after each block of customers is scored. */
export function* scoreRfmColumnsSteps(lastDay: Float64Array, frequency: Float64Array, monetaryMinor: Float64Array): Steps<RfmBatch> {
  const n = lastDay.length;
  const scores = new Uint8Array(n * 3);
  const columns = [lastDay, frequency, monetaryMinor];
  const sorted: Float64Array[] = [];
  for (const col of columns) {
    sorted.push(sortedCopy(col));
    yield;
  }
  for (let d = 0; d < 3; d++) {
    const col = columns[d]!;
    const s = sorted[d]!;
    for (let from = 0; from < n; from += SCORE_BLOCK) {
      const to = Math.min(n, from + SCORE_BLOCK);
      for (let i = from; i < to; i++) scores[i * 3 + d] = 1 + Math.floor((QUANTILES * countBelow(s, col[i]!)) / n);
      yield;
    }
  }
  const m = sorted[2]!;
  const monetaryPercentiles = n === 0 ? [] : Array.from({ length: 101 }, (_, p) => m[Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1))]!);
  return { scores, cuts: { r: thresholds(sorted[0]!), f: thresholds(sorted[1]!), m: thresholds(m), customers: n }, monetaryPercentiles };
}

export function scoreRfm(rows: readonly RfmValues[]): RfmBatch {
  return scoreRfmColumns(
    Float64Array.from(rows, (r) => r.lastDay),
    Float64Array.from(rows, (r) => r.frequency),
    Float64Array.from(rows, (r) => r.monetaryMinor),
  );
}

/** Between batch runs: the customer's current values placed against the last run's thresholds. */
export function approximateRfm(cuts: RfmCuts, v: RfmValues): RfmScores {
  return { r: scoreAgainst(cuts.r, v.lastDay), f: scoreAgainst(cuts.f, v.frequency), m: scoreAgainst(cuts.m, v.monetaryMinor) };
}
