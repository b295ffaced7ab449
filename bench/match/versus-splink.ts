/**
 * The pack's `terminal-crm link` beside Splink on the same files, in the same run: a two-file link set
 * (5,000 × 5,000, FEBRL4's shape) and a one-file dedup set (5,000 records, 2,000 duplicates, FEBRL3's shape),
 * both from test/support/person-corruption (a corruption process independent of the matcher's own simulator).
 *
 *   npm run build && npm run build:test && node build/bench/match/versus-splink.js [--size 5000] [--seed 1]
 *     [--threshold 0.9] [--keep DIR]
 *
 * The pack runs as an operator would run it (dist/bin/terminal-crm.js, `link … --id rec_id --columns
 * city=suburb --region AU`); its `link` decisions are scored as pairs and as the clusters they make. Splink 5
 * (DuckDB) is installed on first use into a venv in the pack's cache by bench/match/splink/install.sh and run
 * by run_splink.py (unsupervised training as its docs describe). Scores are pairwise against the true_id column,
 * which neither matcher is given.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { dedupSet, linkSet, writeDedupSet, writeLinkSet } from '../../test/support/person-corruption/datasets';
import { scoreClusters, scorePairs, truthOf, type Scores } from '../../test/support/person-corruption/score';

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '5000' },
    seed: { type: 'string', default: '1' },
    threshold: { type: 'string', default: '0.9' },
    keep: { type: 'string' },
  },
});
const size = Number(values.size);
const threshold = Number(values.threshold);
const root = resolve(__dirname, '..', '..', '..');
const cli = join(root, 'dist', 'bin', 'terminal-crm.js');
const splinkDir = join(root, 'bench', 'match', 'splink');
const log = (s: string) => process.stderr.write(`${s}\n`);

if (!existsSync(cli)) {
  log(`versus-splink: ${cli} is missing; run \`npm run build\` first.`);
  process.exit(2);
}
const dir = values.keep ? resolve(values.keep) : mkdtempSync(join(tmpdir(), 'versus-splink-'));
mkdirSync(dir, { recursive: true });

interface Run {
  matcher: string;
  pairs: Scores;
  clusters: Scores;
  seconds: number;
  /** What the matcher says of the share of matches (its own words: the pack's summary line, Splink's λ). */
  note: string;
}

function runPack(args: string[], truth: Map<string, string>, truePairs: number, sideOf?: (id: string) => string): Run {
  const started = process.hrtime.bigint();
  const out = spawnSync(process.execPath, [cli, 'link', ...args, '--id', 'rec_id', '--columns', 'city=suburb', '--region', 'AU', '--link-threshold', String(threshold)], {
    cwd: dir, encoding: 'utf8', maxBuffer: 1 << 30, timeout: 600_000,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (out.status !== 0) throw new Error(`terminal-crm link failed (${out.status ?? out.signal}): ${out.stderr}`);
  const links: [string, string][] = [];
  for (const line of out.stdout.split('\n')) {
    if (!line) continue;
    const p = JSON.parse(line) as { left: string; right: string; decision: string };
    if (p.decision === 'link') links.push([p.left, p.right]);
  }
  const summary = out.stderr.trim().split('\n').filter((l) => !l.includes('\r')).pop() ?? '';
  return { matcher: 'terminal-crm link', pairs: scorePairs(links, truth, truePairs), clusters: scoreClusters(links, truth, truePairs, sideOf), seconds, note: summary.replace(/^terminal-crm link: /, '') };
}

function splinkPython(): string {
  return execFileSync(join(splinkDir, 'install.sh'), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 900_000 }).trim().split('\n').pop()!;
}

function runSplink(python: string, args: string[]): Run {
  const out = spawnSync(python, [join(splinkDir, 'run_splink.py'), ...args, '--threshold', String(threshold)], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 28, timeout: 900_000 });
  if (out.status !== 0) throw new Error(`run_splink.py failed (${out.status ?? out.signal}): ${out.stderr.slice(-4000)}`);
  const r = JSON.parse(out.stdout.trim().split('\n').pop()!) as { splink: string; seconds: number; matchProportion: number; truePairs: number; pairs: Scores; clusters: Scores };
  return { matcher: `Splink ${r.splink}`, pairs: r.pairs, clusters: r.clusters, seconds: r.seconds, note: `λ (probability two random records match) ${r.matchProportion.toExponential(3)}` };
}

const pct = (x: number) => x.toFixed(4);

function report(dataset: string, truePairs: number, truthLambda: number, runs: Run[]): object {
  log(`\n${dataset}: ${truePairs} true pairs; true λ ${truthLambda.toExponential(3)}`);
  log(`  ${'matcher'.padEnd(20)} ${'view'.padEnd(9)} ${'precision'.padStart(9)} ${'recall'.padStart(9)} ${'F1'.padStart(9)} ${'seconds'.padStart(8)}`);
  for (const r of runs) {
    for (const [view, s] of [['pairs', r.pairs], ['clusters', r.clusters]] as const) {
      log(`  ${r.matcher.padEnd(20)} ${view.padEnd(9)} ${pct(s.precision).padStart(9)} ${pct(s.recall).padStart(9)} ${pct(s.f1).padStart(9)} ${r.seconds.toFixed(1).padStart(8)}`);
    }
    log(`    ${r.note}`);
  }
  const [pack, splink] = runs as [Run, Run];
  log(`  F1 ratio pack / Splink: pairs ${(pack.pairs.f1 / splink.pairs.f1).toFixed(3)}, clusters ${(pack.clusters.f1 / splink.clusters.f1).toFixed(3)}`);
  return { dataset, truePairs, truthLambda, runs, ratio: { pairs: pack.pairs.f1 / splink.pairs.f1, clusters: pack.clusters.f1 / splink.clusters.f1 } };
}

const python = splinkPython();
const results: object[] = [];

const link = linkSet({ seed: values.seed!, size });
const paths = writeLinkSet(dir, link);
const linkTruth = truthOf([...link.a, ...link.b]);
const side = (id: string) => id[0]!;
log(`versus-splink: link set ${link.a.length} × ${link.b.length}, dedup set; files in ${dir}`);
results.push(report(`link ${link.a.length} × ${link.b.length}`, link.truePairs, link.truePairs / (link.a.length * link.b.length), [
  runPack([paths.a, '--against', paths.b], linkTruth, link.truePairs, side),
  runSplink(python, ['--link', paths.a, paths.b]),
]));

const dedup = dedupSet({ seed: values.seed!, records: size, duplicates: Math.round(size * 0.4) });
const dedupPath = writeDedupSet(dir, dedup);
const n = dedup.records.length;
results.push(report(`dedup ${n} (${Math.round(size * 0.4)} duplicates)`, dedup.truePairs, dedup.truePairs / ((n * (n - 1)) / 2), [
  runPack([dedupPath], truthOf(dedup.records), dedup.truePairs),
  runSplink(python, ['--dedupe', dedupPath]),
]));

process.stdout.write(`${JSON.stringify({ seed: values.seed, size, threshold, results })}\n`);
if (!values.keep) rmSync(dir, { recursive: true, force: true });
