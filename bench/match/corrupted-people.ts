/**
 * `linkRecords` on the corrupted-person population of test/support/person-corruption (independent of the
 * matcher's own simulator): a two-file link set and a one-file dedup set, scored pairwise against the truth.
 *
 *   node build/bench/match/corrupted-people.js [--size 5000] [--seed 1] [--one-to-one]
 */
import { parseArgs } from 'node:util';
import { linkRecords } from '../../nodes/core/match/link-records';
import { dedupSet, linkSet } from '../../test/support/person-corruption/datasets';
import { matchRecordOf, pairScores } from '../../test/core/match/person-population';

const { values } = parseArgs({ options: { size: { type: 'string', default: '5000' }, seed: { type: 'string', default: '1' }, 'one-to-one': { type: 'boolean' }, verbose: { type: 'boolean' } } });
const size = Number(values.size);
const f4 = (x: number) => x.toFixed(4);
const line = (label: string, s: { precision: number; recall: number; f1: number }) => console.log(`  ${label.padEnd(24)} P=${f4(s.precision)}  R=${f4(s.recall)}  F1=${f4(s.f1)}`);
const diag = values.verbose ? (l: string) => process.stderr.write(`    ${l}\n`) : undefined;

const ls = linkSet({ seed: values.seed!, size });
const truthA = new Map(ls.a.map((r) => [r.row.rec_id, r.row.true_id]));
const truthB = new Map(ls.b.map((r) => [r.row.rec_id, r.row.true_id]));
let predicted = 0;
let correct = 0;
let t = Date.now();
const s1 = linkRecords(ls.a.map(matchRecordOf), ls.b.map(matchRecordOf), { defaultRegion: 'AU', oneToOne: values['one-to-one'] === true }, {
  onPair: (p) => {
    if (p.decision !== 'link') return;
    predicted++;
    if (truthA.get(p.left) === truthB.get(p.right)) correct++;
  },
  onDiagnostic: diag,
});
console.log(`link set ${size} × ${size}: ${((Date.now() - t) / 1000).toFixed(1)} s, λ·pairs ${(s1.learnt ? s1.learnt.lambda * s1.learnt.totalPairs : NaN).toFixed(0)} (truth ${ls.truePairs})`);
line('pairs linked', pairScores(predicted, correct, ls.truePairs));

const ds = dedupSet({ seed: values.seed!, records: size, duplicates: Math.round(size * 0.4) });
const truth = new Map(ds.records.map((r) => [r.row.rec_id, r.row.true_id]));
predicted = 0;
correct = 0;
const clusterOf = new Map<string, string>();
t = Date.now();
const s2 = linkRecords(ds.records.map(matchRecordOf), undefined, { defaultRegion: 'AU' }, {
  onPair: (p) => {
    if (p.decision !== 'link') return;
    predicted++;
    if (truth.get(p.left) === truth.get(p.right)) correct++;
  },
  onCluster: (id, c) => clusterOf.set(id, c),
  onDiagnostic: diag,
});
console.log(`dedup set ${size} records: ${((Date.now() - t) / 1000).toFixed(1)} s, λ·pairs ${(s2.learnt ? s2.learnt.lambda * s2.learnt.totalPairs : NaN).toFixed(0)} (truth ${ds.truePairs})`);
line('pairs linked', pairScores(predicted, correct, ds.truePairs));
const members = new Map<string, string[]>();
for (const [id, c] of clusterOf) members.set(c, [...(members.get(c) ?? []), id]);
let cp = 0;
let cc = 0;
for (const ids of members.values()) for (let i = 0; i < ids.length; i++) for (let j = i + 1; j < ids.length; j++) {
  cp++;
  if (truth.get(ids[i]!) === truth.get(ids[j]!)) cc++;
}
line('clusters', pairScores(cp, cc, ds.truePairs));
