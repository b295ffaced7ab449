import { finish, type Steps } from './steps';
import { FIT_OPTIONS, minimizeSteps } from './optimize';
import { hyp2f1SeriesTail, lgamma, logAddExp } from './special';

/**
 * BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way"): while alive a customer buys as a
 * Poisson process with rate λ ~ Gamma(r, α); after each purchase they drop out with probability p ~ Beta(a, b).
 * Times (recency t_x, age T, horizon t) are in one unit chosen by the caller (days or weeks); α is in that unit.
 */
export interface BgNbdParams {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

/** One customer as the model sees them: repeat purchase periods x, time of the last one t_x, and age T. */
export interface PurchaseSummary {
  frequency: number;
  recency: number;
  T: number;
}

export interface BgNbdFit {
  params: BgNbdParams;
  /** Total log-likelihood of the data at the fitted parameters (natural log). */
  logLikelihood: number;
  customers: number;
  evaluations: number;
  converged: boolean;
}

/** Columnar copy of the summaries, with the terms that depend only on x shared between customers. */
interface Prepared {
  x: Float64Array;
  tx: Float64Array;
  T: Float64Array;
  /** Index of each customer's x in `distinctX`. */
  xIndex: Uint32Array;
  distinctX: number[];
  /** How many customers share each distinct x. */
  xCount: number[];
  n: number;
}

export function validateSummary(s: PurchaseSummary, i: number): void {
  const { frequency: x, recency: tx, T } = s;
  if (!(Number.isFinite(x) && x >= 0 && Number.isFinite(tx) && tx >= 0 && Number.isFinite(T) && tx <= T + 1e-9)) {
    throw new Error(
      `customer #${i + 1}: frequency ${x}, recency ${tx}, T ${T} is not a valid summary (need frequency ≥ 0 and 0 ≤ recency ≤ T)`,
    );
  }
}

function prepare(data: readonly PurchaseSummary[]): Prepared {
  const n = data.length;
  const x = new Float64Array(n);
  const tx = new Float64Array(n);
  const T = new Float64Array(n);
  const xIndex = new Uint32Array(n);
  const byX = new Map<number, number>();
  const distinctX: number[] = [];
  const xCount: number[] = [];
  data.forEach((s, i) => {
    validateSummary(s, i);
    x[i] = s.frequency;
    tx[i] = s.recency;
    T[i] = s.T;
    let k = byX.get(s.frequency);
    if (k === undefined) {
      k = distinctX.length;
      byX.set(s.frequency, k);
      distinctX.push(s.frequency);
      xCount.push(0);
    }
    xIndex[i] = k;
    xCount[k]!++;
  });
  return { x, tx, T, xIndex, distinctX, xCount, n };
}

/** ln Γ(r+x) − ln Γ(r). For whole x (purchase counts always are) a sum of logs, which keeps every digit. */
function logRising(r: number, x: number): number {
  if (!Number.isInteger(x) || x > 1000) return lgamma(r + x) - lgamma(r);
  let s = 0;
  for (let i = 0; i < x; i++) s += Math.log(r + i);
  return s;
}

/**
 * ln [B(a, b+x) / B(a, b)] = Σᵢ<ₓ ln(1 − a/(a+b+i)) for whole x. As lgamma differences it cancels
 * catastrophically when b is large (the fit's boundary when hardly anyone drops out) and the optimiser stalls.
 */
function logBetaRatio(a: number, b: number, x: number): number {
  if (!Number.isInteger(x) || x > 1000) return lgamma(a + b) + lgamma(b + x) - lgamma(b) - lgamma(a + b + x);
  let s = 0;
  for (let i = 0; i < x; i++) s += Math.log1p(-a / (a + b + i));
  return s;
}

function logLikelihoodPrepared(p: BgNbdParams, d: Prepared): number {
  const { r, alpha, a, b } = p;
  if (!(r > 0 && alpha > 0 && a > 0 && b > 0)) return Number.NEGATIVE_INFINITY;
  const common = d.distinctX.map((x) => logRising(r, x) + r * Math.log(alpha) + logBetaRatio(a, b, x));
  const dropLog = d.distinctX.map((x) => (x > 0 ? Math.log(a) - Math.log(b + x - 1) : Number.NEGATIVE_INFINITY));
  let total = 0;
  for (let k = 0; k < common.length; k++) total += d.xCount[k]! * common[k]!;
  for (let i = 0; i < d.n; i++) {
    const x = d.x[i]!;
    const k = d.xIndex[i]!;
    const stillAlive = -(r + x) * Math.log(alpha + d.T[i]!);
    const droppedAfterLast = x > 0 ? dropLog[k]! - (r + x) * Math.log(alpha + d.tx[i]!) : Number.NEGATIVE_INFINITY;
    total += logAddExp(stillAlive, droppedAfterLast);
  }
  return total;
}

export function bgNbdLogLikelihood(params: BgNbdParams, data: readonly PurchaseSummary[]): number {
  return logLikelihoodPrepared(params, prepare(data));
}

export interface FitOptions {
  /** L2 penalty on the parameters, as in the `lifetimes` package; 0 (plain maximum likelihood) by default. */
  penalizer?: number;
  start?: BgNbdParams;
}

/** Maximum-likelihood fit, optimising over the logarithms of the parameters so they stay positive. */
export function fitBgNbd(data: readonly PurchaseSummary[], options: FitOptions = {}): BgNbdFit {
  return finish(fitBgNbdSteps(data, options));
}

/**
 * Why BG/NBD cannot be fitted to these customers, or null when it can. With no repeat purchase at all the
 * likelihood only grows as the purchase rate goes to 0 (r → 0, α → ∞): there is no maximum, and the "fit" the
 * optimiser stops at, against its bounds, would forecast no purchase for anyone.
 */
export function whyBgNbdUnfit(data: readonly Pick<PurchaseSummary, 'frequency'>[]): string | null {
  if (data.length === 0) return 'BG/NBD needs at least one customer to fit';
  if (!data.some((s) => s.frequency > 0)) {
    return `BG/NBD cannot be fitted: none of the ${data.length} customers made a repeat purchase (a purchase on a later day than their first), so how often customers come back cannot be estimated: fit the model on a longer history, one with returning customers`;
  }
  return null;
}

/** `fitBgNbd`, stopping after the data is prepared and after each step of the optimiser. */
export function* fitBgNbdSteps(data: readonly PurchaseSummary[], options: FitOptions = {}): Steps<BgNbdFit> {
  const d = prepare(data);
  const unfit = whyBgNbdUnfit(data);
  if (unfit !== null) throw new Error(unfit);
  yield;
  const penalizer = options.penalizer ?? 0;
  const meanT = d.T.reduce((s, t) => s + t, 0) / d.n;
  const start = options.start ?? { r: 1, alpha: Math.max(meanT / 10, 1e-3), a: 1, b: 1 };
  const toParams = (v: readonly number[]): BgNbdParams => ({ r: Math.exp(v[0]!), alpha: Math.exp(v[1]!), a: Math.exp(v[2]!), b: Math.exp(v[3]!) });
  const objective = (v: readonly number[]): number => {
    const p = toParams(v);
    const penalty = penalizer * (p.r * p.r + p.alpha * p.alpha + p.a * p.a + p.b * p.b);
    // Per customer, so the stopping tolerance means the same for 100 customers as for a million.
    return -logLikelihoodPrepared(p, d) / d.n + penalty;
  };
  const result = yield* minimizeSteps(objective, [Math.log(start.r), Math.log(start.alpha), Math.log(start.a), Math.log(start.b)], FIT_OPTIONS);
  const params = toParams(result.x);
  return { params, logLikelihood: logLikelihoodPrepared(params, d), customers: d.n, evaluations: result.evaluations, converged: result.converged };
}

/** Probability that a customer with this history has not dropped out by T. */
export function bgNbdProbabilityAlive(p: BgNbdParams, s: PurchaseSummary): number {
  const { frequency: x, recency: tx, T } = s;
  if (x === 0) return 1;
  const logOdds = Math.log(p.a) - Math.log(p.b + x - 1) + (p.r + x) * (Math.log(p.alpha + T) - Math.log(p.alpha + tx));
  return 1 / (1 + Math.exp(logOdds));
}

/**
 * (c/(a−1)) · [1 − (1−z)^(a−1) · ₂F₁(A, a−1; c; z)]: the shape both expectations share, after Euler's
 * transformation has folded the large power of (1−z) into the hypergeometric factor. Near a = 1 the bracket and
 * the factor both vanish; the limit is taken symmetrically.
 *
 * With a large a (a fit whose dropout hardly differs between customers reaches a and b in the thousands or far
 * more) that series' terms grow by about (a−1)·z a step before they fall, past what a double holds, and every
 * forecast would come out empty. There the same bracket is taken from the untransformed form
 * 1 − (1−z)^P · ₂F₁(P, Q; c; z) (FHL 2005, eq. 10; P = r + x = c − A, Q = b + x = c − a + 1, passed as such: taken
 * back from c, of the order of a, they would keep only half their digits), whose terms shrink from the start there.
 */
function expectationShape(a: number, A: number, c: number, z: number, P: number, Q: number): number {
  if (Math.abs(a - 1) < 1e-7) {
    const h = 1e-5;
    return (expectationShape(1 + h, A + h, c + h, z, P, Q) + expectationShape(1 - h, A - h, c - h, z, P, Q)) / 2;
  }
  const logPower = (a - 1) * Math.log1p(-z);
  const bracket = -Math.expm1(logPower) - Math.exp(logPower) * hyp2f1SeriesTail(A, a - 1, c, z);
  if (Number.isFinite(bracket)) return (c / (a - 1)) * bracket;
  const logPlainPower = P * Math.log1p(-z);
  const plain = -Math.expm1(logPlainPower) - Math.exp(logPlainPower) * hyp2f1SeriesTail(P, Q, c, z);
  return (c / (a - 1)) * plain;
}

/** Expected purchases in (0, t] for a customer just acquired (the population curve). */
export function bgNbdExpectedPurchases(p: BgNbdParams, t: number): number {
  if (t <= 0) return 0;
  const z = t / (p.alpha + t);
  return expectationShape(p.a, p.a + p.b - 1 - p.r, p.a + p.b - 1, z, p.r, p.b);
}

/** Expected purchases in (T, T + t] for a customer with this history (FHL 2005, eq. 10). */
export function bgNbdConditionalExpectedPurchases(p: BgNbdParams, t: number, s: PurchaseSummary): number {
  if (t <= 0) return 0;
  const { frequency: x, recency: tx, T } = s;
  const z = t / (p.alpha + T + t);
  const shape = expectationShape(p.a, p.a + p.b - 1 - p.r, p.a + p.b + x - 1, z, p.r + x, p.b + x);
  const dropTerm = x > 0 ? Math.exp(Math.log(p.a) - Math.log(p.b + x - 1) + (p.r + x) * (Math.log(p.alpha + T) - Math.log(p.alpha + tx))) : 0;
  return shape / (1 + dropTerm);
}
