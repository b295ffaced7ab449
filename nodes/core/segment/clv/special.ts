/**
 * The special functions the lifetime-value models need. Written here rather than taken from a package because
 * no maintained npm package provides the Gaussian hypergeometric function, and the two below are short enough to
 * check against reference values (test/core/segment/clv/special.test.ts).
 */

/** Lanczos coefficients for g = 7, n = 9 (accurate to about 15 significant digits for positive arguments). */
const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];
const HALF_LOG_TWO_PI = 0.9189385332046728;

/** ln Γ(x) for x > 0 (the models only ever need positive arguments). */
export function lgamma(x: number): number {
  if (!(x > 0)) return Number.NaN;
  if (x < 0.5) {
    // Reflection keeps the accuracy for small arguments: Γ(x)Γ(1−x) = π / sin(πx).
    return Math.log(Math.PI / Math.sin(Math.PI * x)) - lgamma(1 - x);
  }
  if (x > 1e7) {
    // Stirling with two correction terms: exact to double precision out here and cheaper than Lanczos.
    return (x - 0.5) * Math.log(x) - x + HALF_LOG_TWO_PI + 1 / (12 * x) - 1 / (360 * x * x * x);
  }
  const z = x - 1;
  let sum = LANCZOS[0]!;
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i]! / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return HALF_LOG_TWO_PI + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** ln B(a, b). */
export function lbeta(a: number, b: number): number {
  return lgamma(a) + lgamma(b) - lgamma(a + b);
}

/** ln(e^x + e^y) without overflow. */
export function logAddExp(x: number, y: number): number {
  if (x === -Infinity) return y;
  if (y === -Infinity) return x;
  return x > y ? x + Math.log1p(Math.exp(y - x)) : y + Math.log1p(Math.exp(x - y));
}

const SERIES_TOLERANCE = 1e-16;
const SERIES_MAX_TERMS = 2_000_000;

/**
 * Σₙ≥₁ (a)ₙ(b)ₙ/((c)ₙ n!) zⁿ, i.e. ₂F₁ − 1, kept apart so callers that subtract the leading 1 lose no digits.
 * Converges for |z| < 1; returns NaN when it has not converged within the term budget (z within ~1e-5 of 1).
 */
export function hyp2f1SeriesTail(a: number, b: number, c: number, z: number): number {
  let term = 1;
  let sum = 0;
  let compensation = 0;
  for (let n = 0; n < SERIES_MAX_TERMS; n++) {
    term *= ((a + n) * (b + n)) / ((c + n) * (n + 1)) * z;
    if (term === 0) return sum;
    // Kahan summation: near z = 1 the series takes thousands of terms.
    const y = term - compensation;
    const t = sum + y;
    compensation = t - sum - y;
    sum = t;
    if (!Number.isFinite(sum)) return Number.NaN;
    if (n > 2 && Math.abs(term) <= SERIES_TOLERANCE * Math.max(1, Math.abs(sum))) {
      // Once past the largest term the ratio stays below one and the rest is bounded by a geometric series.
      const ratio = Math.abs(((a + n + 1) * (b + n + 1)) / ((c + n + 1) * (n + 2)) * z);
      if (ratio < 1 && (Math.abs(term) * ratio) / (1 - ratio) <= SERIES_TOLERANCE * Math.max(1, Math.abs(sum))) return sum;
    }
  }
  return Number.NaN;
}

/** The plain power series of ₂F₁(a, b; c; z). */
export function hyp2f1Series(a: number, b: number, c: number, z: number): number {
  return 1 + hyp2f1SeriesTail(a, b, c, z);
}

/**
 * The Gaussian hypergeometric function ₂F₁(a, b; c; z) for 0 ≤ z < 1 and c > 0. When c − a − b < 0 the plain
 * series grows like (1 − z)^(c−a−b), so Euler's transformation ₂F₁(a,b;c;z) = (1−z)^(c−a−b) ₂F₁(c−a, c−b; c; z)
 * is used instead: its terms shrink from the start.
 */
export function hyp2f1(a: number, b: number, c: number, z: number): number {
  if (!(z >= 0 && z < 1) || !(c > 0)) return Number.NaN;
  if (z === 0) return 1;
  if (c - a - b < 0) return Math.pow(1 - z, c - a - b) * hyp2f1Series(c - a, c - b, c, z);
  return hyp2f1Series(a, b, c, z);
}
