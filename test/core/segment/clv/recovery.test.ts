import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bgNbdExpectedPurchases, bgNbdLogLikelihood, fitBgNbd } from '../../../../nodes/core/segment/clv/bg-nbd';
import { fitGammaGamma, gammaGammaLogLikelihood } from '../../../../nodes/core/segment/clv/gamma-gamma';
import { simulatePopulation } from '../support/simulate-population';

/**
 * Fits recover the parameters of a population simulated from the models themselves (20,000 customers, fixed
 * seed). Stated tolerances, set from the spread of estimates over six seeds (roughly 1.5–3× the largest error seen):
 * - BG/NBD: r and α within 10%, a and b within 30% (the dropout parameters are the least identified), and the
 *   well-identified quantity — expected purchases of a new customer over a year, E[X(52)] — within 5%;
 * - Gamma–Gamma: q within 10%, p and γ within 25% (they trade off against each other: only pγ is sharp), and
 *   the population's mean spend pγ/(q−1) within 5%;
 * - both: the likelihood-ratio statistic 2·(LL_fit − LL_true) is ≥ 0 (the fit is a maximum) and below the
 *   99.9% point of χ² with 4 (resp. 3) degrees of freedom.
 */
const TRUE_PURCHASE = { r: 0.5, alpha: 8, a: 0.8, b: 3 };
const TRUE_SPEND = { p: 6, q: 4, gamma: 15 };

const relErr = (got: number, want: number) => Math.abs(got - want) / want;

describe('fits recover simulated parameters', () => {
  const population = simulatePopulation(20_000, TRUE_PURCHASE, TRUE_SPEND, { seed: 20240501, minT: 10, maxT: 52 });

  it('BG/NBD: r, α within 10%, a, b within 30%, E[X(52)] within 5%, likelihood ratio consistent with the truth', () => {
    const fit = fitBgNbd(population);
    const p = fit.params;
    assert.ok(fit.converged, 'optimizer converged');
    assert.ok(relErr(p.r, TRUE_PURCHASE.r) < 0.1, `r ${p.r}`);
    assert.ok(relErr(p.alpha, TRUE_PURCHASE.alpha) < 0.1, `alpha ${p.alpha}`);
    assert.ok(relErr(p.a, TRUE_PURCHASE.a) < 0.3, `a ${p.a}`);
    assert.ok(relErr(p.b, TRUE_PURCHASE.b) < 0.3, `b ${p.b}`);
    assert.ok(relErr(bgNbdExpectedPurchases(p, 52), bgNbdExpectedPurchases(TRUE_PURCHASE, 52)) < 0.05, 'E[X(52)]');
    const lr = 2 * (fit.logLikelihood - bgNbdLogLikelihood(TRUE_PURCHASE, population));
    assert.ok(lr >= -1e-6 && lr < 18.5, `likelihood ratio ${lr}`);
  });

  it('Gamma–Gamma: q within 10%, p and γ within 25%, mean spend within 5%, likelihood ratio consistent with the truth', () => {
    const fit = fitGammaGamma(population);
    const p = fit.params;
    assert.ok(fit.customers > 3000, `${fit.customers} repeat customers`);
    assert.ok(relErr(p.p, TRUE_SPEND.p) < 0.25, `p ${p.p}`);
    assert.ok(relErr(p.q, TRUE_SPEND.q) < 0.1, `q ${p.q}`);
    assert.ok(relErr(p.gamma, TRUE_SPEND.gamma) < 0.25, `gamma ${p.gamma}`);
    const meanSpend = (g: typeof p) => (g.p * g.gamma) / (g.q - 1);
    assert.ok(relErr(meanSpend(p), meanSpend(TRUE_SPEND)) < 0.05, `mean spend ${meanSpend(p)}`);
    const lr = 2 * (fit.logLikelihood - gammaGammaLogLikelihood(TRUE_SPEND, population));
    assert.ok(lr >= -1e-6 && lr < 16.3, `likelihood ratio ${lr} (χ² 3 df, 99.9%: 16.27)`);
  });
});
