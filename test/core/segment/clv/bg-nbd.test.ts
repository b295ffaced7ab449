import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  bgNbdConditionalExpectedPurchases,
  bgNbdExpectedPurchases,
  bgNbdLogLikelihood,
  bgNbdProbabilityAlive,
  fitBgNbd,
} from '../../../../nodes/core/segment/clv/bg-nbd';

/** The published CDNOW fit (Fader, Hardie & Lee 2005). */
const CDNOW = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };

/**
 * Expected purchases computed independently with mpmath (40 digits) from the paper's formula in its original
 * form — ₂F₁(r+x, b+x; a+b+x−1; z) without the Euler transformation used in the code.
 */
const CONDITIONAL: [t: number, x: number, tx: number, T: number, expected: number][] = [
  [52, 0, 0, 10, 0.62643750515774504179],
  [52, 200, 38, 38.5, 166.33201944031329339],
  [520, 5, 3, 40, 0.013938115193948657406],
  [4000, 1, 1, 1, 24.491441362680017176],
  [0.1, 3, 20, 30, 0.0060926554825740537262],
];

describe('BG/NBD predictions', () => {
  it('conditional expected purchases match the untransformed formula, from tiny to huge x and z near 1', () => {
    for (const [t, x, tx, T, expected] of CONDITIONAL) {
      const got = bgNbdConditionalExpectedPurchases(CDNOW, t, { frequency: x, recency: tx, T });
      assert.ok(Math.abs(got - expected) <= 1e-10 * expected, `E[Y(${t}) | ${x}, ${tx}, ${T}] = ${got}, want ${expected}`);
    }
  });

  it('stays finite and right at a = 1, where the closed form is 0/0', () => {
    const got = bgNbdConditionalExpectedPurchases({ ...CDNOW, a: 1 }, 52, { frequency: 3, recency: 20, T: 30 });
    assert.ok(Math.abs(got - 2.0283966671056877966) < 1e-8, String(got));
  });

  it('forecasts from a fit whose dropout hardly varies (a and b in the hundreds of millions), as the untransformed formula does', () => {
    // What `terminal-crm clv` fitted to a file of steady buyers; the expected values were summed term by term in
    // mpmath at 60 digits from ₂F₁(r+x, b+x; a+b+x−1; z) (whose terms shrink here), checked against CONDITIONAL above.
    const steady = { r: 2.1664208400356015, alpha: 12.447490632807947, a: 212202047.7568122, b: 485163260.9849788 };
    const cases: [got: number, expected: number][] = [
      [bgNbdConditionalExpectedPurchases(steady, 90 / 7, { frequency: 4, recency: 20.2857, T: 46.5714 }), 0.061113727874232808127],
      [bgNbdConditionalExpectedPurchases(steady, 365 / 7, { frequency: 0, recency: 0, T: 39.7143 }), 1.437736660043002464],
      [bgNbdExpectedPurchases(steady, 52), 2.73053088873756557],
      // Between CDNOW's a and that one: a = 10,000 with the same ratio of b to a.
      [bgNbdConditionalExpectedPurchases({ ...steady, a: 1e4, b: (1e4 * steady.b) / steady.a }, 90 / 7, { frequency: 4, recency: 20.2857, T: 46.5714 }), 0.061123003022091555975],
      [bgNbdExpectedPurchases({ ...steady, a: 1e4, b: (1e4 * steady.b) / steady.a }, 52), 2.7306324175950013792],
    ];
    for (const [i, [got, expected]] of cases.entries()) assert.ok(Math.abs(got - expected) <= 1e-12 * expected, `case ${i}: ${got}, want ${expected}`);
  });

  it('population curve: E[X(t)] is 0 at 0, increasing, and matches mpmath at 39 and 78 weeks', () => {
    const fitted = { r: 0.24259293318643532, alpha: 4.4135324434842875, a: 0.7928859594253941, b: 2.4257528296402695 };
    assert.equal(bgNbdExpectedPurchases(fitted, 0), 0);
    assert.ok(Math.abs(bgNbdExpectedPurchases(fitted, 39) - 1.19501628507836267291) < 1e-12);
    assert.ok(Math.abs(bgNbdExpectedPurchases(fitted, 78) - 1.85797182383112042577) < 1e-12);
  });

  it('P(alive) is 1 without repeat purchases and falls with time since the last one', () => {
    assert.equal(bgNbdProbabilityAlive(CDNOW, { frequency: 0, recency: 0, T: 30 }), 1);
    const recent = bgNbdProbabilityAlive(CDNOW, { frequency: 4, recency: 29, T: 30 });
    const lapsed = bgNbdProbabilityAlive(CDNOW, { frequency: 4, recency: 5, T: 30 });
    assert.ok(recent > 0.8 && lapsed < 0.1 && lapsed > 0, `${recent} ${lapsed}`);
  });

  it('log-likelihood of one customer equals the closed form written out by hand', () => {
    const { r, alpha, a, b } = CDNOW;
    const [x, tx, T] = [2, 30.43, 38.86];
    const beta = (p: number, q: number) => Math.exp(lg(p) + lg(q) - lg(p + q));
    const gammaTerm = Math.exp(lg(r + x) - lg(r)) * Math.pow(alpha, r);
    const byHand = (beta(a, b + x) / beta(a, b)) * gammaTerm / Math.pow(alpha + T, r + x)
      + (beta(a + 1, b + x - 1) / beta(a, b)) * gammaTerm / Math.pow(alpha + tx, r + x);
    assert.ok(Math.abs(bgNbdLogLikelihood(CDNOW, [{ frequency: x, recency: tx, T }]) - Math.log(byHand)) < 1e-12);
  });

  it('refuses customers none of whom bought again, saying why, instead of a fit against its bounds that forecasts nothing', () => {
    const once = Array.from({ length: 40 }, (_, i) => ({ frequency: 0, recency: 0, T: 5 + i }));
    assert.throws(() => fitBgNbd(once), /BG\/NBD cannot be fitted: none of the 40 customers made a repeat purchase.*longer history/);
    // One returning customer is enough for the likelihood to have a maximum.
    const fit = fitBgNbd([...once, { frequency: 2, recency: 10, T: 30 }]);
    assert.ok(fit.params.r > 1e-6 && fit.params.alpha < 1e6, JSON.stringify(fit.params));
  });

  it('rejects a summary whose recency exceeds its age, naming the customer', () => {
    assert.throws(() => bgNbdLogLikelihood(CDNOW, [{ frequency: 1, recency: 5, T: 10 }, { frequency: 1, recency: 12, T: 10 }]), /customer #2/);
  });
});

/** An independent ln Γ (shift the argument up, then Stirling), so the hand-written likelihood shares no code with the one under test. */
function lg(x: number): number {
  // Γ(x) = Γ(x + n) / (x (x+1) … (x+n−1)); Stirling at x + n ≥ 30 is exact to double precision.
  let shift = 0;
  let y = x;
  while (y < 30) {
    shift += Math.log(y);
    y += 1;
  }
  const stirling = (y - 0.5) * Math.log(y) - y + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * y) - 1 / (360 * y ** 3) + 1 / (1260 * y ** 5);
  return stirling - shift;
}
