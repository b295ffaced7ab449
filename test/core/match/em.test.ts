import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { estimateWeights } from '../../../nodes/core/match/em';
import { DEFAULT_WEIGHTS, FIELDS, MISSING, type MatchWeights } from '../../../nodes/core/match/weights';
import { Rng } from '../../../bench/match/rng';

function draw(rng: Rng, probs: readonly number[]): number {
  let u = rng.next();
  for (let l = 0; l < probs.length; l++) {
    if (u < probs[l]!) return l;
    u -= probs[l]!;
  }
  return probs.length - 1;
}

describe('estimating m and u from unlabelled pairs (EM)', () => {
  it('recovers the share of matches and the m of each level from candidate pairs', () => {
    const truth: MatchWeights = {
      m: DEFAULT_WEIGHTS.m.map((row) => row.map((p, l) => (l === 0 ? 0.6 : (0.4 / (row.length - 1)))) ),
      u: DEFAULT_WEIGHTS.u.map((row) => row.map((_, l) => (l === row.length - 1 ? 0.9 : 0.1 / (row.length - 1)))),
    };
    const rng = new Rng(1, 1);
    const pairs: Int8Array[] = [];
    const randomPairs: Int8Array[] = [];
    for (let i = 0; i < 20_000; i++) {
      const match = rng.chance(0.3);
      pairs.push(Int8Array.from(FIELDS, (_, f) => (rng.chance(0.1) ? MISSING : draw(rng, (match ? truth.m : truth.u)[f]!))));
      randomPairs.push(Int8Array.from(FIELDS, (_, f) => draw(rng, truth.u[f]!)));
    }
    const est = estimateWeights({ pairs, randomPairs }, DEFAULT_WEIGHTS);
    assert.ok(Math.abs(est.matchShare - 0.3) < 0.02, `match share ${est.matchShare}`);
    for (let f = 0; f < FIELDS.length; f++) {
      assert.ok(Math.abs(est.weights.m[f]![0]! - 0.6) < 0.05, `${FIELDS[f]!.field} m0 ${est.weights.m[f]![0]}`);
      assert.ok(Math.abs(est.weights.u[f]!.at(-1)! - 0.9) < 0.02, `${FIELDS[f]!.field} u ${est.weights.u[f]!.at(-1)}`);
    }
  });

  it('keeps its prior for a level it never saw among random pairs, instead of calling it impossible', () => {
    const randomPairs = Array.from({ length: 500 }, () => Int8Array.from(FIELDS, (f) => f.levels.length - 1));
    const est = estimateWeights({ pairs: [], randomPairs }, DEFAULT_WEIGHTS);
    assert.equal(est.weights.u[2]![0], DEFAULT_WEIGHTS.u[2]![0]);
    assert.ok(est.weights.u.every((row) => row.every((p) => p > 0)));
  });
});
