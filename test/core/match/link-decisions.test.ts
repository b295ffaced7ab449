import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clustersOf, oneToOne } from '../../../nodes/core/match/link-decisions';
import type { LinkPair } from '../../../nodes/core/match/link-decisions';
import { linkRecords } from '../../../nodes/core/match/link-records';
import { dedupSet, linkSet } from '../../support/person-corruption/datasets';
import { matchRecordOf } from './person-population';

const pair = (left: string, right: string, confidence: number): LinkPair => ({ left, right, confidence, decision: 'link', matchedOn: [], explanation: 'Same person.', evidence: [] });

describe('decisions over pairs, clusters over records', { timeout: 120_000 }, () => {
  it('one-to-one takes the best link of each record first and turns the others into reviews that say why', () => {
    const out = oneToOne([pair('a1', 'b2', 0.95), pair('a1', 'b1', 0.99), pair('a2', 'b2', 0.97), pair('a3', 'b1', 0.93)]);
    const byKey = new Map(out.map((p) => [`${p.left}-${p.right}`, p]));
    assert.equal(byKey.get('a1-b1')!.decision, 'link');
    assert.equal(byKey.get('a2-b2')!.decision, 'link');
    assert.equal(byKey.get('a1-b2')!.decision, 'review');
    assert.match(byKey.get('a1-b2')!.explanation, /one-to-one, and a1 is already linked to b1/);
    assert.match(byKey.get('a3-b1')!.explanation, /b1 is already linked to a1/);
  });

  it('links each record of two deduplicated files at most once with --one-to-one', () => {
    const set = linkSet({ seed: 'one-to-one', size: 300 });
    const a = set.a.map(matchRecordOf);
    // the second file carries one person twice: without one-to-one both copies are linked to the same record
    const b = [...set.b.map(matchRecordOf), { ...matchRecordOf(set.b.find((r) => r.row.true_id === set.a[0]!.row.true_id)!), id: 'copy' }];
    const count = (oneToOneFlag: boolean) => {
      const lefts = new Map<string, number>();
      const rights = new Map<string, number>();
      linkRecords(a, b, { defaultRegion: 'AU', oneToOne: oneToOneFlag }, {
        onPair: (p) => {
          if (p.decision !== 'link') return;
          lefts.set(p.left, (lefts.get(p.left) ?? 0) + 1);
          rights.set(p.right, (rights.get(p.right) ?? 0) + 1);
        },
      });
      return { lefts, rights };
    };
    const loose = count(false);
    assert.equal(loose.lefts.get(set.a[0]!.row.rec_id), 2, 'the planted copy is linked too without one-to-one');
    const strict = count(true);
    assert.ok([...strict.lefts.values(), ...strict.rights.values()].every((n) => n === 1));
    assert.ok(strict.lefts.size >= 280, `${strict.lefts.size} of 300 linked`);
  });

  it('names clusters after their first record and gives every record one', () => {
    const clusters = clustersOf(['a', 'b', 'c', 'd', 'e', 'f'], [{ left: 'c', right: 'b' }, { left: 'b', right: 'a' }, { left: 'e', right: 'd' }]);
    assert.deepEqual([...clusters], [['a', 'a'], ['b', 'a'], ['c', 'a'], ['d', 'd'], ['e', 'd'], ['f', 'f']]);
  });

  it('deduplicating one file returns the clusters of its people', () => {
    const set = dedupSet({ seed: 'clusters', records: 600, duplicates: 200 });
    const recs = set.records.map(matchRecordOf);
    const truth = new Map(set.records.map((r) => [r.row.rec_id, r.row.true_id]));
    const clusterOf = new Map<string, string>();
    const summary = linkRecords(recs, undefined, { defaultRegion: 'AU' }, { onPair: () => undefined, onCluster: (id, c) => clusterOf.set(id, c) });
    assert.equal(clusterOf.size, recs.length);
    const people = new Set(truth.values()).size;
    const clusters = new Set(clusterOf.values()).size;
    assert.ok(Math.abs(clusters - people) <= people * 0.05, `${clusters} clusters for ${people} people`);
    assert.equal(summary.clusters, new Set([...clusterOf].filter(([id, c]) => id !== c).map(([, c]) => c)).size);
    // most clusters hold one person only
    const members = new Map<string, Set<string>>();
    for (const [id, c] of clusterOf) members.set(c, (members.get(c) ?? new Set()).add(truth.get(id)!));
    const pure = [...members.values()].filter((s) => s.size === 1).length;
    assert.ok(pure / members.size > 0.97, `${pure} of ${members.size} clusters are one person`);
  });
});
