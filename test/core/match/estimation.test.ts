import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError } from '../../../nodes/core/errors';
import { compareRecords } from '../../../nodes/core/match/compare';
import { CustomerIndex } from '../../../nodes/core/match/customer-index';
import { checkLearnt, learnWeights, type Learnt } from '../../../nodes/core/match/learn-weights';
import { linkRecords } from '../../../nodes/core/match/link-records';
import { resolveMatchConfig } from '../../../nodes/core/match/match-config';
import type { MatchRecord } from '../../../nodes/core/contracts/match-record';
import { normalizeRecord } from '../../../nodes/core/match/normalized-record';
import { DEFAULT_WEIGHTS, F, FIELDS } from '../../../nodes/core/match/weights';
import { dedupSet, linkSet } from '../../support/person-corruption/datasets';
import { matchRecordOf } from './person-population';

describe('estimating the weights so that they cannot collapse', { timeout: 120_000 }, () => {
  it('puts the share of matches within a factor of two of the truth, from passes that each converged', () => {
    const set = linkSet({ seed: 'estimation', size: 500 });
    const a = set.a.map(matchRecordOf);
    const b = set.b.map(matchRecordOf);
    const lines: string[] = [];
    const summary = linkRecords(a, b, { defaultRegion: 'AU' }, { onPair: () => undefined, onDiagnostic: (l) => lines.push(l) });
    const truth = set.truePairs / (a.length * b.length);
    const l = summary.learnt!;
    assert.ok(l, summary.notLearnt);
    assert.ok(l.lambda >= truth / 2 && l.lambda <= truth * 2, `λ ${l.lambda} vs truth ${truth}`);
    assert.equal(summary.matchProportion, l.lambda);
    assert.ok(l.passes.length >= 3 && l.passes.every((p) => p.converged), JSON.stringify(l.passes.map((p) => [p.name, p.converged])));
    // agreement is evidence for, disagreement against, on every field that was estimated
    for (const f of [F.given, F.family, F.address, F.dob]) {
      const lastLevel = FIELDS[f]!.levels.length - 1;
      assert.ok(l.weights.m[f]![0]! > l.weights.u[f]![0]! * 10, `${FIELDS[f]!.field} exact agreement`);
      assert.ok(l.weights.m[f]![lastLevel]! < l.weights.u[f]![lastLevel]!, `${FIELDS[f]!.field} disagreement`);
    }
    assert.ok(summary.estimatedRecall! > 0.9 && summary.estimatedRecall! <= 1, `blocking recall ${summary.estimatedRecall}`);
    // the diagnostic an operator reads: the match proportion, m/u per level, the candidates and recall per rule
    assert.match(lines[0]!, /^match proportion λ \S+: ≈ \d+ matching pairs of 250000/);
    assert.ok(lines.some((x) => /^ {2}dateOfBirth: same m=\S+ u=\S+ \(\+\d/.test(x)), lines.join('\n'));
    assert.ok(lines.some((x) => /^blocking: \d+ candidate pairs over the union of \d+ rules, estimated recall \d/.test(x)));
    assert.ok(lines.some((x) => /^ {2}date of birth: \d+ pairs, \d+ expected matches \(\d+\.\d% of matches\)/.test(x)));
  });

  it('estimates the share of matches within one file too', () => {
    const set = dedupSet({ seed: 'estimation', records: 500, duplicates: 200 });
    const recs = set.records.map(matchRecordOf);
    const summary = linkRecords(recs, undefined, { defaultRegion: 'AU' }, { onPair: () => undefined });
    const truth = set.truePairs / ((recs.length * (recs.length - 1)) / 2);
    assert.ok(summary.matchProportion! >= truth / 2 && summary.matchProportion! <= truth * 2, `λ ${summary.matchProportion} vs truth ${truth}`);
  });

  it('refuses weights from data where every pair looks like a match, with the reason and the fix', () => {
    // one household-like crowd: everyone shares family name, birth date and address, so the exact rules fire on
    // every pair; what that makes of the share of matches is impossible, and must be said, not used
    const crowd = (side: string): MatchRecord[] => Array.from({ length: 150 }, (_, i) => ({
      id: `${side}${i}`, givenName: ['Ann', 'Bob', 'Cat', 'Dan', 'Eve', 'Fay'][i % 6], familyName: 'Smith', dateOfBirth: '1980-01-01', street: '1 Main St', postalCode: '2000',
    }));
    assert.throws(
      () => linkRecords(crowd('a'), crowd('b'), {}, { onPair: () => undefined }),
      (e: unknown) => e instanceof InputError && /learnt weights: refused: .*(collapsed|did not converge|m ≈ u)/.test(e.message) && /--no-learn/.test(e.message),
    );
    const pairs: string[] = [];
    linkRecords(crowd('a'), crowd('b'), { learn: false }, { onPair: (p) => pairs.push(p.left) });
    assert.ok(pairs.length > 0, 'with --no-learn the built-in weights are used as asked');
  });

  it('names each kind of degenerate estimate: not converged, m ≈ u everywhere, too many matches', () => {
    const base: Learnt = {
      weights: { m: DEFAULT_WEIGHTS.m.map((r) => [...r]), u: DEFAULT_WEIGHTS.u.map((r) => [...r]) },
      lambda: 1e-4, totalPairs: 1e6, deterministicPairs: 50, deterministicRecall: 0.5, candidatePairs: 5000, randomPairs: 100_000,
      presence: FIELDS.map(() => 1), estimated: FIELDS.map(() => true),
      passes: [{ name: 'date of birth', pairs: 500, lambda: 0.8, expectedMatches: 400, iterations: 7, converged: true, m: [] }],
    };
    assert.equal(checkLearnt(base, 1000), undefined);
    const stuck = checkLearnt({ ...base, passes: [{ ...base.passes[0]!, converged: false, iterations: 200 }] }, 1000);
    assert.match(stuck!.reason, /EM did not converge on the pass blocked on date of birth \(200 iterations over 500 pairs\)/);
    const flat = checkLearnt({ ...base, weights: { m: base.weights.u.map((r) => [...r]), u: base.weights.u } }, 1000);
    assert.match(flat!.reason, /m ≈ u for every field/);
    const many = checkLearnt({ ...base, lambda: 0.01 }, 1000);
    assert.match(many!.reason, /more than twice as many as there are records on the smaller side \(1000\): the estimation collapsed/);
    assert.match(checkLearnt({ ...base, lambda: 0.6 }, 1e9)!.reason, /collapsed/);
    for (const p of [stuck, flat, many]) {
      assert.equal(p!.kind, 'degenerate');
      assert.match(p!.fix, /--no-learn/);
    }
  });

  it('learns u from random pairs, not from the candidates blocking brings together', () => {
    const set = linkSet({ seed: 'estimation-u', size: 400 });
    const cfg = resolveMatchConfig({ defaultRegion: 'AU' });
    const index = new CustomerIndex({ normalize: cfg.normalize });
    for (const r of set.b) index.upsert(matchRecordOf(r));
    const probes = set.a.map((r) => normalizeRecord(matchRecordOf(r), cfg.normalize));
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const l = learnWeights({ probes, targets: [...index.records()], dedupe: false, index, cfg, random });
    // among random pairs two people share a birth date a few times in ten thousand; among candidates most do
    assert.ok(l.weights.u[F.dob]![0]! < 0.01, `u(dob same) ${l.weights.u[F.dob]![0]}`);
    assert.ok(l.weights.m[F.dob]![0]! > 0.4, `m(dob same) ${l.weights.m[F.dob]![0]}`);
  });
});

describe('term-frequency adjustment', () => {
  it('makes two Smiths agree for less than two people with a rare family name', () => {
    const cfg = resolveMatchConfig({});
    const index = new CustomerIndex({ normalize: cfg.normalize });
    for (let i = 0; i < 60; i++) index.upsert({ id: `s${i}`, givenName: `Given${i}`, familyName: 'Smith' });
    for (let i = 0; i < 60; i++) index.upsert({ id: `o${i}`, givenName: `Other${i}`, familyName: `Family${i}` });
    index.upsert({ id: 'z', givenName: 'Anna', familyName: 'Zwolinski' });
    const weightOf = (family: string) => {
      const a = normalizeRecord({ id: 'p', givenName: 'Anna', familyName: family });
      const b = normalizeRecord({ id: 'q', givenName: 'Anna', familyName: family });
      return compareRecords(a, b, cfg.logWeights, cfg.weights.m, index.frequencies).weight;
    };
    const smith = weightOf('Smith');
    const rare = weightOf('Zwolinski');
    assert.ok(rare - smith > 4, `Smith ${smith.toFixed(2)} bits, Zwolinski ${rare.toFixed(2)} bits`);
    // without frequencies both weigh the level's average
    const flat = (family: string) => compareRecords(normalizeRecord({ id: 'p', familyName: family }), normalizeRecord({ id: 'q', familyName: family }), cfg.logWeights, cfg.weights.m).weight;
    assert.equal(flat('Smith'), flat('Zwolinski'));
  });
});
