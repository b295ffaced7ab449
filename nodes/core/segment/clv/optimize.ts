import { finish, type Steps } from './steps';

/**
 * Nelder–Mead minimisation, with restarts. The likelihoods fitted here have three or four parameters and no
 * cheap gradient, which is exactly what this method is good at; restarting from the best point with a fresh
 * simplex guards against the simplex collapsing early on a ridge (a known weakness of the plain method).
 */
export interface MinimizeOptions {
  /** Coordinates are kept within ±bound (the objective is treated as infinite outside). */
  bound?: number;
  /** Stop when the spread of function values over the simplex falls below this (absolute). */
  tolerance?: number;
  maxEvaluations?: number;
  /** Size of the first simplex's steps, per coordinate. */
  step?: number;
  restarts?: number;
}

export interface MinimizeResult {
  x: number[];
  value: number;
  evaluations: number;
  converged: boolean;
}

export function minimize(f: (x: readonly number[]) => number, start: readonly number[], options: MinimizeOptions = {}): MinimizeResult {
  return finish(minimizeSteps(f, start, options));
}

/** `minimize`, stopping after each simplex move, and between the evaluations of its first points and of a shrink. */
export function* minimizeSteps(f: (x: readonly number[]) => number, start: readonly number[], options: MinimizeOptions = {}): Steps<MinimizeResult> {
  const tolerance = options.tolerance ?? 1e-10;
  const maxEvaluations = options.maxEvaluations ?? 20_000;
  const restarts = options.restarts ?? 3;
  const bound = options.bound;
  if (bound !== undefined) {
    const inner = f;
    // A wall, not a clamp: a maximum on the boundary then makes the simplex collapse against it and stop.
    f = (x) => (x.some((v) => Math.abs(v) > bound) ? Number.POSITIVE_INFINITY : inner(x));
  }
  let best = yield* nelderMead(f, start, options.step ?? 0.5, tolerance, maxEvaluations);
  let evaluations = best.evaluations;
  for (let i = 0; i < restarts && evaluations < maxEvaluations; i++) {
    const again = yield* nelderMead(f, best.x, 0.1, tolerance, maxEvaluations - evaluations);
    evaluations += again.evaluations;
    const improved = best.value - again.value;
    if (again.value <= best.value) best = again;
    if (improved <= tolerance * 10) break;
  }
  return { ...best, evaluations };
}

function* nelderMead(f: (x: readonly number[]) => number, start: readonly number[], step: number, tolerance: number, maxEvaluations: number): Steps<MinimizeResult> {
  const n = start.length;
  // Adaptive coefficients (Gao & Han 2012) keep the method effective as the dimension grows.
  const alpha = 1;
  const beta = 1 + 2 / n;
  const gamma = 0.75 - 1 / (2 * n);
  const delta = 1 - 1 / n;
  let evaluations = 0;
  const value = (x: number[]): number => {
    evaluations++;
    const v = f(x);
    return Number.isFinite(v) ? v : Number.POSITIVE_INFINITY;
  };
  const points: number[][] = [start.slice()];
  for (let i = 0; i < n; i++) {
    const p = start.slice();
    p[i] = p[i]! + (p[i] === 0 ? step : step * Math.max(1, Math.abs(p[i]!)));
    points.push(p);
  }
  // Every evaluation reads the whole sample (some milliseconds per 10,000 customers): the simplex's first points and a
  // shrink's are yielded between, so a step never holds more than two of them.
  const values: number[] = [];
  for (const p of points) {
    values.push(value(p));
    yield;
  }
  const order = () => {
    const idx = points.map((_, i) => i).sort((i, j) => values[i]! - values[j]!);
    const p = idx.map((i) => points[i]!);
    const v = idx.map((i) => values[i]!);
    points.splice(0, points.length, ...p);
    values.splice(0, values.length, ...v);
  };
  const along = (from: number[], to: number[], t: number): number[] => from.map((x, i) => x + t * (to[i]! - x));
  let converged = false;
  let best = Number.POSITIVE_INFINITY;
  let lastImprovement = 0;
  while (evaluations < maxEvaluations) {
    order();
    if (values[0]! < best - tolerance) {
      best = values[0]!;
      lastImprovement = evaluations;
    }
    const shrunk = Math.abs(values[n]! - values[0]!) <= tolerance && spread(points) <= 1e-9;
    // Also converged when the best value has stopped improving for long: the simplex then wanders along a flat
    // ridge, which is what a maximum at the boundary (say, no one ever drops out) looks like.
    if (shrunk || evaluations - lastImprovement > STALL_EVALUATIONS_PER_DIMENSION * n) {
      converged = true;
      break;
    }
    const centroid = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) centroid[j]! += points[i]![j]! / n;
    const worst = points[n]!;
    const reflected = along(centroid, worst, -alpha);
    const fr = value(reflected);
    if (fr < values[0]!) {
      const expanded = along(centroid, worst, -alpha * beta);
      const fe = value(expanded);
      if (fe < fr) replaceWorst(expanded, fe);
      else replaceWorst(reflected, fr);
    } else if (fr < values[n - 1]!) {
      replaceWorst(reflected, fr);
    } else {
      const outside = fr < values[n]!;
      const contracted = along(centroid, worst, outside ? -alpha * gamma : gamma);
      const fc = value(contracted);
      if (fc < Math.min(fr, values[n]!)) {
        replaceWorst(contracted, fc);
      } else {
        for (let i = 1; i <= n; i++) {
          points[i] = along(points[0]!, points[i]!, delta);
          values[i] = value(points[i]!);
          if (i < n) yield;
        }
      }
    }
    yield;
  }
  order();
  return { x: points[0]!, value: values[0]!, evaluations, converged };

  function replaceWorst(p: number[], v: number): void {
    points[n] = p;
    values[n] = v;
  }
}

const STALL_EVALUATIONS_PER_DIMENSION = 200;

function spread(points: number[][]): number {
  let max = 0;
  for (let i = 1; i < points.length; i++) {
    for (let j = 0; j < points[0]!.length; j++) max = Math.max(max, Math.abs(points[i]![j]! - points[0]![j]!));
  }
  return max;
}

/**
 * What the model fits use: log-parameters within ±20 (e^20 ≈ 5·10⁸ covers any spend in minor units; e^−20 is as
 * good as zero), a per-customer tolerance far below what changes a prediction, and a bounded run time.
 */
export const FIT_OPTIONS: MinimizeOptions = { tolerance: 1e-11, bound: 20, maxEvaluations: 8_000 };
