import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hyp2f1, lbeta, lgamma, logAddExp } from '../../../../nodes/core/segment/clv/special';

/** Reference values computed with mpmath 1.4.1 at 40 significant digits (loggamma, hyp2f1). */
const LGAMMA: [number, number][] = [
  [1e-8, 18.420680738180208905], [0.1, 2.2527126517342059599], [0.5, 0.57236494292470008707], [1, 0],
  [1.5, -0.12078223763524522235], [2, 0], [3.7, 1.4280723266653879219], [10, 12.801827480081469611],
  [100.25, 360.28455963776423497], [1e5, 1051287.7089736568949], [1e9, 19723265827.503716771],
];
const HYP2F1: [number, number, number, number, number][] = [
  [1, 1, 2, 0.5, 1.3862943611198906188],
  [0.5, 0.5, 1.5, 0.25, 1.0471975511965977462],
  [2.3, 4.1, 1.7, 0.6, 109.61766714648018187],
  [0.24, 2.4, 3.2, 0.9, 1.3776759178236935138],
  [50.2, 52.4, 52.2, 0.5, 1479876085424356.1517],
  [1.5, 2.5, 3.0, 0.99, 164.93970787168768266],
  [-0.45, -0.21, 2.2, 0.95, 1.044327649464672796],
];

const close = (actual: number, expected: number, relative: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= relative * Math.max(1, Math.abs(expected)), `${what}: ${actual} vs ${expected}`);

describe('special functions against mpmath', () => {
  it('ln Γ to 1e-13 over twelve orders of magnitude', () => {
    for (const [x, expected] of LGAMMA) close(lgamma(x), expected, 1e-13, `lgamma(${x})`);
    assert.ok(Number.isNaN(lgamma(0)) && Number.isNaN(lgamma(-1)));
  });

  it('ln B from ln Γ', () => {
    close(lbeta(2, 3), Math.log(1 / 12), 1e-14, 'lbeta(2,3)');
  });

  it('₂F₁ to 1e-12, including c − a − b < 0 (Euler branch) and z = 0.99', () => {
    for (const [a, b, c, z, expected] of HYP2F1) {
      const got = hyp2f1(a, b, c, z);
      assert.ok(Math.abs(got - expected) <= 1e-12 * Math.abs(expected), `2F1(${a},${b};${c};${z}) = ${got}, want ${expected}`);
    }
    assert.equal(hyp2f1(1, 2, 3, 0), 1);
    assert.ok(Number.isNaN(hyp2f1(1, 2, 3, 1)), 'z = 1 is outside the domain');
  });

  it('log-add-exp does not overflow', () => {
    close(logAddExp(1000, 1000), 1000 + Math.log(2), 1e-15, 'logAddExp');
    assert.equal(logAddExp(-Infinity, 3), 3);
  });
});
