/**
 * Match benchmark: a seeded, labelled population with realistic noise, streamed through the matcher.
 *
 *   node build/bench/match/run.js [--customers 1000000] [--payments 1000000] [--seed 42] [--learn-sample 20000]
 *
 * Prints precision, recall and F1 of the exact-email baseline, of the exact tier alone and of exact +
 * probabilistic with the built-in and with EM-learnt weights (each run's links split by tier), and the time per
 * payment with the CRM indexed. A million customers need about 2 GB of heap: run it with
 * node --max-old-space-size=6000.
 */
import { parseArgs } from 'node:util';
import { resolveMatchConfig, type MatchConfig } from '../../nodes/core/match/match-config';
import { describeLearnt, learnWeights } from '../../nodes/core/match/learn-weights';
import { normalizeRecord } from '../../nodes/core/match/normalized-record';
import { payment, Population } from './population';
import { Rng } from './rng';
import { buildIndex, f1, liveHeap, precision, recall, runStream, timeMatching, type StreamResult } from './simulate';

const { values } = parseArgs({
  options: {
    customers: { type: 'string', default: '100000' },
    payments: { type: 'string', default: '200000' },
    seed: { type: 'string', default: '42' },
    'learn-sample': { type: 'string', default: '20000' },
    only: { type: 'string' },
    'link-threshold': { type: 'string' },
    'max-block': { type: 'string' },
  },
});
const customers = Number(values.customers);
const payments = Number(values.payments);
const seed = Number(values.seed);
// 85% of people are in the CRM before the payments start: size the population so the CRM holds `customers`
const pop = new Population({ seed, persons: Math.round(customers / 0.85 / 1.02) });
const log = (s: string) => process.stderr.write(`${s}\n`);

function learn(): MatchConfig {
  const n = Number(values['learn-sample']);
  if (!n || (values.only && !'exact + probabilistic (EM m/u)'.startsWith(values.only))) return {};
  const base = resolveMatchConfig({});
  const index = buildIndex(pop, seed, base, new Map(), new Map());
  // a separate stretch of the stream, so the weights are not learnt on the payments they are scored on
  const probes = Array.from({ length: n }, (_, i) => normalizeRecord(payment(pop, seed, payments + 1 + i).record, base.normalize));
  const rng = new Rng(seed, 99);
  const t = Date.now();
  const targets = [...index.records()];
  const learned = learnWeights({ probes, targets, dedupe: false, index, cfg: base, random: () => rng.next() });
  log(`learnt in ${((Date.now() - t) / 1000).toFixed(1)} s${learned.problem ? ` — REFUSED: ${learned.problem.reason}` : ''}`);
  for (const line of describeLearnt(learned)) log(`  ${line}`);
  if (learned.problem) return {};
  return { weights: learned.weights };
}

const fmt = (x: number) => x.toFixed(4);
function row(label: string, c: { positives: number; links: number; correct: number }): string {
  const p = precision(c);
  const r = recall(c);
  return `${label.padEnd(36)} P=${fmt(p)}  R=${fmt(r)}  F1=${fmt(f1(p, r))}`;
}

function report(r: StreamResult): void {
  console.log(row(r.label, r.all));
  console.log(row('    linkable payments only', r.linkable));
  const pp = r.pairs.predicted ? r.pairs.correct / r.pairs.predicted : 1;
  const pr = r.pairs.actual ? r.pairs.correct / r.pairs.actual : 1;
  console.log(`${'    payment pairs, end state'.padEnd(36)} P=${fmt(pp)}  R=${fmt(pr)}  F1=${fmt(f1(pp, pr))}`);
  for (const tier of ['exact', 'probabilistic'] as const) {
    const t = r.byTier[tier];
    if (!t.links) continue;
    console.log(`    ${tier} tier: ${t.links} links, precision ${fmt(precision(t))}, recall share ${fmt(recall({ ...r.all, correct: t.correct }))}`);
  }
  console.log(`    ${r.events} payments (${r.all.positives} by known payers, ${r.linkable.positives} linkable): ${r.all.links} links, ${r.reviews} reviews (candidate right ${r.reviewsRight}), ${r.creates} creates, ${r.merges} merges (wrong ${r.mergesWrong})`);
  const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
  const built = r.heapAfterBuild - r.heapBeforeBuild;
  console.log(`    heap ${mib(r.heapBeforeBuild)} before building the index, ${mib(r.heapAfterBuild)} after: ${mib(built)}, ${(built / r.indexedAtStart).toFixed(0)} bytes per customer (with the bench's id → person maps)`);
  console.log(`    stream wall time ${r.streamMicros.toFixed(1)} µs/payment (p50 ${r.p50Micros}, p99 ${r.p99Micros}); ${r.indexedAtStart}→${r.indexedAtEnd} customers indexed; index built in ${r.buildSeconds.toFixed(1)} s`);
}

const tuning: MatchConfig = {
  ...(values['link-threshold'] ? { linkThreshold: Number(values['link-threshold']) } : {}),
  ...(values['max-block'] ? { maxBlockSize: Number(values['max-block']) } : {}),
};
const started = Date.now();
console.log(`match benchmark: seed ${seed}, ${pop.persons} people, ~${customers} CRM customers, ${payments} payments (node ${process.version})${Object.keys(tuning).length ? `, ${JSON.stringify(tuning)}` : ''}`);
const learned = learn();
const runs: [string, MatchConfig][] = [
  ['baseline: exact email only', { exactKeys: ['email'], probabilistic: false }],
  ['exact tier (all keys)', { probabilistic: false }],
  ['exact + probabilistic (default m/u)', { ...tuning }],
  ['exact + probabilistic (EM m/u)', { ...tuning, ...learned }],
];
for (const [label, config] of runs) {
  if (values.only && !label.startsWith(values.only)) continue;
  const cfg = resolveMatchConfig(config);
  let r: StreamResult | undefined = runStream(pop, seed, payments, cfg, label, (done) => log(`  ${label}: ${done}/${payments}`));
  report(r);
  const n = Math.min(100_000, payments);
  const cpu = timeMatching(pop, seed, r.index, cfg, payments + 100_000, n);
  const indexed = r.index.size;
  console.log(`    CPU time ${cpu.toFixed(1)} µs/payment over ${n} further payments with ${indexed} customers indexed`);
  // The index alone: the heap it frees when dropped, nothing of the bench's bookkeeping counted.
  const withIndex = liveHeap();
  r = undefined;
  const index = withIndex - liveHeap();
  console.log(`    index memory ${(index / 2 ** 20).toFixed(0)} MiB for ${indexed} customers, ${(index / indexed).toFixed(0)} bytes per customer (live heap freed when it is dropped)`);
}
console.log(`total ${((Date.now() - started) / 1000).toFixed(0)} s, peak RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
