import { finish, type Steps } from './steps';
import { FIT_OPTIONS, minimizeSteps } from './optimize';
import { lgamma } from './special';

/**
 * Gamma–Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV"; Colombo & Jiang 1999): each purchase's value
 * is Gamma(p, ν) with ν ~ Gamma(q, γ) across customers, independent of how often they buy. Fitted on customers
 * with at least one repeat purchase, from x (repeat purchases) and m (their mean value).
 */
export interface GammaGammaParams {
  p: number;
  q: number;
  gamma: number;
}

export interface SpendSummary {
  frequency: number;
  /** Mean value of the repeat purchases, in any currency unit (floats: this is a model input, not a ledger). */
  monetary: number;
}

export interface GammaGammaFit {
  params: GammaGammaParams;
  logLikelihood: number;
  /** Customers the fit used: those with frequency > 0 and a positive mean value. */
  customers: number;
  evaluations: number;
  converged: boolean;
}

export function usableForSpend(s: SpendSummary): boolean {
  return s.frequency > 0 && s.monetary > 0 && Number.isFinite(s.monetary);
}

function logLikelihoodOf(params: GammaGammaParams, x: Float64Array, m: Float64Array): number {
  const { p, q, gamma } = params;
  if (!(p > 0 && q > 0 && gamma > 0)) return Number.NEGATIVE_INFINITY;
  const shared = -lgamma(q) + q * Math.log(gamma);
  let total = 0;
  for (let i = 0; i < x.length; i++) {
    const px = p * x[i]!;
    total +=
      lgamma(px + q) - lgamma(px) + shared + (px - 1) * Math.log(m[i]!) + px * Math.log(x[i]!) - (px + q) * Math.log(gamma + m[i]! * x[i]!);
  }
  return total;
}

function columns(data: readonly SpendSummary[]): { x: Float64Array; m: Float64Array } {
  const usable = data.filter(usableForSpend);
  return { x: Float64Array.from(usable, (s) => s.frequency), m: Float64Array.from(usable, (s) => s.monetary) };
}

export function gammaGammaLogLikelihood(params: GammaGammaParams, data: readonly SpendSummary[]): number {
  const { x, m } = columns(data);
  return logLikelihoodOf(params, x, m);
}

export function fitGammaGamma(data: readonly SpendSummary[], options: GammaGammaFitOptions = {}): GammaGammaFit {
  return finish(fitGammaGammaSteps(data, options));
}

export interface GammaGammaFitOptions {
  penalizer?: number;
  start?: GammaGammaParams;
}

/** `fitGammaGamma`, stopping after the data is read and after each step of the optimiser. */
export function* fitGammaGammaSteps(data: readonly SpendSummary[], options: GammaGammaFitOptions = {}): Steps<GammaGammaFit> {
  const { x, m } = columns(data);
  if (x.length < 2) throw new Error('the Gamma–Gamma spend model needs at least two customers with repeat purchases to fit');
  yield;
  const penalizer = options.penalizer ?? 0;
  const meanM = m.reduce((s, v) => s + v, 0) / m.length;
  const start = options.start ?? { p: 1, q: 2, gamma: Math.max(meanM, 1e-6) };
  const toParams = (v: readonly number[]): GammaGammaParams => ({ p: Math.exp(v[0]!), q: Math.exp(v[1]!), gamma: Math.exp(v[2]!) });
  const objective = (v: readonly number[]): number => {
    const p = toParams(v);
    return -logLikelihoodOf(p, x, m) / x.length + penalizer * (p.p * p.p + p.q * p.q + p.gamma * p.gamma);
  };
  const result = yield* minimizeSteps(objective, [Math.log(start.p), Math.log(start.q), Math.log(start.gamma)], FIT_OPTIONS);
  const params = toParams(result.x);
  return { params, logLikelihood: logLikelihoodOf(params, x, m), customers: x.length, evaluations: result.evaluations, converged: result.converged };
}

/**
 * Expected value of this customer's future purchases: a weighted mean of the population mean pγ/(q−1) and the
 * customer's own mean, weighted by how much history they have. Needs q > 1 (otherwise the population mean is
 * infinite); then the customer's own mean is the best estimate there is.
 */
export function gammaGammaExpectedValue(params: GammaGammaParams, s: SpendSummary): number {
  const { p, q, gamma } = params;
  const x = s.frequency;
  if (q <= 1) return x > 0 ? s.monetary : Number.NaN;
  const m = x > 0 ? s.monetary : 0;
  return (p * (gamma + x * m)) / (p * x + q - 1);
}
