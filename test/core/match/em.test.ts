import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { combineM, emPass, estimateU } from '../../../nodes/core/match/em';
import { DEFAULT_WEIGHTS, F, FIELDS, MISSING, type MatchWeights } from '../../../nodes/core/match/weights';
import { Rng } from '../../../bench/match/rng';

function draw(rng: Rng, probs: readonly number[]): number {
  let u = rng.next();
  for (let l = 0; l < probs.length; l++) {
    if (u < probs[l]!) return l;
    u -= probs[l]!;
  }
  return probs.length - 1;
}

const truth: MatchWeights = {
  m: DEFAULT_WEIGHTS.m.map((row) => row.map((_, l) => (l === 0 ? 0.6 : 0.4 / (row.length - 1)))),
  u: DEFAULT_WEIGHTS.u.map((row) => row.map((_, l) => (l === row.length - 1 ? 0.9 : 0.1 / (row.length - 1)))),
};

describe('estimating m and u from unlabelled pairs', () => {
  it('measures u on random pairs, and EM over a blocking pass recovers its share of matches and m with u held', () => {
    const rng = new Rng(1, 1);
    const pairs: Int8Array[] = [];
    const randomPairs: Int8Array[] = [];
    for (let i = 0; i < 20_000; i++) {
      const match = rng.chance(0.3);
      // the pass blocked on the date of birth: it agrees in every pair, whatever the truth
      pairs.push(Int8Array.from(FIELDS, (_, f) => (f === F.dob ? 0 : rng.chance(0.1) ? MISSING : draw(rng, (match ? truth.m : truth.u)[f]!))));
      randomPairs.push(Int8Array.from(FIELDS, (_, f) => draw(rng, truth.u[f]!)));
    }
    const { u, presence } = estimateU(randomPairs, DEFAULT_WEIGHTS);
    for (let f = 0; f < FIELDS.length; f++) assert.ok(Math.abs(u[f]!.at(-1)! - 0.9) < 0.02, `${FIELDS[f]!.field} u ${u[f]!.at(-1)}`);
    assert.deepEqual(presence, FIELDS.map(() => 1));
    const r = emPass({ name: 'date of birth', blockedOn: [F.dob], pairs }, u, DEFAULT_WEIGHTS.m);
    assert.ok(r.converged, `${r.iterations} iterations`);
    assert.ok(Math.abs(r.lambda - 0.3) < 0.02, `pass λ ${r.lambda}`);
    assert.equal(r.m[F.dob], undefined, 'the field the pass blocked on is not estimated by it');
    for (let f = 0; f < FIELDS.length; f++) if (f !== F.dob) assert.ok(Math.abs(r.m[f]![0]! - 0.6) < 0.05, `${FIELDS[f]!.field} m0 ${r.m[f]![0]}`);
    const combined = combineM([r], DEFAULT_WEIGHTS.m);
    assert.deepEqual(combined.m[F.dob], DEFAULT_WEIGHTS.m[F.dob], 'no pass estimated it: the built-in m stays');
    assert.equal(combined.estimated[F.dob], false);
    assert.equal(combined.estimated[F.given], true);
  });

  it('keeps its prior for a level it never saw among random pairs, instead of calling it impossible', () => {
    const randomPairs = Array.from({ length: 500 }, () => Int8Array.from(FIELDS, (f) => f.levels.length - 1));
    const { u } = estimateU(randomPairs, DEFAULT_WEIGHTS);
    assert.equal(u[F.email]![0], DEFAULT_WEIGHTS.u[F.email]![0]);
    assert.ok(u.every((row) => row.every((p) => p > 0)));
  });
});
