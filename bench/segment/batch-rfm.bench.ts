/**
 * Batch RFM + segments over N payments: this pack's code (hash aggregation per customer, rank-based quintiles,
 * segment rules) against DuckDB running the equivalent SQL on the same rows. Each side runs in its own child
 * process so its peak memory is its own; both must produce the same segment counts.
 *
 *   node build/bench/segment/batch-rfm.bench.js [--payments 1000000] [--duckdb-modules DIR]
 *
 * DuckDB comes from the npm package @duckdb/node-api (prebuilt binaries), looked up in the project's
 * node_modules, then in --duckdb-modules / $DUCKDB_NODE_MODULES.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { scoreRfmColumns } from '../../nodes/core/segment/rfm';
import { segmentOf, SegmentRulesSchema } from '../../nodes/core/segment/segments';
import { AS_OF_DAY, generatePayments, writeCsv } from './payments-data';

interface SideResult {
  engine: string;
  seconds: { load: number; compute: number };
  /** CPU seconds (user + system, all threads) of the compute part: robust to a busy machine. */
  cpuSeconds: number;
  customers: number;
  counts: Record<string, number>;
  peakRssMiB: number;
}

const DEFAULT_RULES_SQL = `CASE
      WHEN payments = 1 AND since_first BETWEEN 0 AND 30 THEN 'New'
      WHEN r >= 4 AND fm >= 4 THEN 'Champions'
      WHEN r = 1 AND fm >= 4 THEN 'Can''t lose them'
      WHEN r <= 2 AND fm >= 3 THEN 'At risk'
      WHEN r >= 3 AND fm >= 3 THEN 'Loyal'
      WHEN r >= 4 THEN 'Potential'
      WHEN r = 3 THEN 'Need attention'
      WHEN r = 2 THEN 'Hibernating'
      ELSE 'Lost' END`;

export const DUCKDB_SQL = `
  WITH customers AS (
    SELECT customer_id, COUNT(*) AS payments, SUM(amount_minor - refunded_minor) AS net_minor, MIN(day) AS first_day, MAX(day) AS last_day
    FROM payments GROUP BY customer_id
  ), scored AS (
    SELECT payments, first_day,
      1 + (RANK() OVER (ORDER BY last_day) - 1) * 5 // COUNT(*) OVER () AS r,
      1 + (RANK() OVER (ORDER BY payments) - 1) * 5 // COUNT(*) OVER () AS f,
      1 + (RANK() OVER (ORDER BY net_minor) - 1) * 5 // COUNT(*) OVER () AS m
    FROM customers
  ), graded AS (SELECT payments, r, f, m, (f + m) // 2 AS fm, ${AS_OF_DAY} - first_day AS since_first FROM scored)
  SELECT ${DEFAULT_RULES_SQL} AS segment, COUNT(*)::INTEGER AS n FROM graded GROUP BY 1 ORDER BY 1`;

const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;
const cpuSeconds = (start: NodeJS.CpuUsage) => { const c = process.cpuUsage(start); return (c.user + c.system) / 1e6; };
const peakRssMiB = () => Math.round(process.resourceUsage().maxRSS / 1024);

function runJs(payments: number): SideResult {
  const data = generatePayments(payments);
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  // Group by customer through a hash table, as a database would: key → dense index.
  const index = new Map<number, number>();
  const cap = Math.max(16, Math.ceil(payments / 5));
  let count = new Int32Array(cap), net = new Float64Array(cap), first = new Int32Array(cap), last = new Int32Array(cap);
  let n = 0;
  for (let i = 0; i < data.length; i++) {
    const key = data.customer[i]!;
    let k = index.get(key);
    if (k === undefined) {
      k = n++;
      index.set(key, k);
      if (k >= count.length) {
        const grow = <T extends Int32Array | Float64Array>(a: T): T => { const b = new (a.constructor as new (n: number) => T)(a.length * 2); b.set(a); return b; };
        count = grow(count); net = grow(net); first = grow(first); last = grow(last);
      }
      first[k] = data.day[i]!;
      last[k] = data.day[i]!;
    }
    count[k]!++;
    net[k]! += data.amount[i]! - data.refunded[i]!;
    if (data.day[i]! < first[k]!) first[k] = data.day[i]!;
    if (data.day[i]! > last[k]!) last[k] = data.day[i]!;
  }
  const rfm = scoreRfmColumns(Float64Array.from(last.subarray(0, n)), Float64Array.from(count.subarray(0, n)), net.subarray(0, n));
  const rules = SegmentRulesSchema.parse({});
  const counts: Record<string, number> = {};
  for (let k = 0; k < n; k++) {
    const name = segmentOf(rules, {
      r: rfm.scores[k * 3]!, f: rfm.scores[k * 3 + 1]!, m: rfm.scores[k * 3 + 2]!,
      payments: count[k]!, daysSinceFirst: AS_OF_DAY - first[k]!, daysSinceLast: AS_OF_DAY - last[k]!,
    });
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return { engine: 'terminal-crm (JS)', seconds: { load: 0, compute: seconds(t0) }, cpuSeconds: cpuSeconds(c0), customers: n, counts: sortKeys(counts), peakRssMiB: peakRssMiB() };
}

/** The slice of @duckdb/node-api used here (the package is not a dependency of the pack, so no type import). */
interface DuckDbApi {
  DuckDBInstance: { create(path: string): Promise<{ connect(): Promise<DuckDbConnection> }> };
}
interface DuckDbConnection {
  run(sql: string): Promise<unknown>;
  runAndReadAll(sql: string): Promise<{ getRows(): unknown[][] }>;
}

function loadDuckDb(modulesDir?: string): DuckDbApi {
  const paths = [process.cwd(), modulesDir, process.env.DUCKDB_NODE_MODULES].filter((p): p is string => !!p);
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(require.resolve('@duckdb/node-api', { paths })) as DuckDbApi;
  } catch (e) {
    throw new Error(`@duckdb/node-api is not installed (looked in ${paths.join(', ')}): ${(e as Error).message.split('\n')[0]}. Install it with npm (it ships prebuilt binaries) and pass --duckdb-modules DIR.`);
  }
}

async function runDuckDb(csv: string, modulesDir?: string): Promise<SideResult> {
  const duck = loadDuckDb(modulesDir);
  const instance = await duck.DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  const t0 = process.hrtime.bigint();
  await conn.run(`CREATE TABLE payments AS SELECT * FROM read_csv('${csv.replace(/'/g, "''")}', header = true,
    columns = {'customer_id': 'INTEGER', 'day': 'INTEGER', 'amount_minor': 'INTEGER', 'refunded_minor': 'INTEGER'})`);
  const load = seconds(t0);
  const c1 = process.cpuUsage();
  const t1 = process.hrtime.bigint();
  const reader = await conn.runAndReadAll(DUCKDB_SQL);
  const compute = seconds(t1);
  const cpu = cpuSeconds(c1);
  const counts: Record<string, number> = {};
  for (const [segment, n] of reader.getRows()) counts[String(segment)] = Number(n);
  const customers = Object.values(counts).reduce((a, b) => a + b, 0);
  return { engine: 'DuckDB', seconds: { load, compute }, cpuSeconds: cpu, customers, counts: sortKeys(counts), peakRssMiB: peakRssMiB() };
}

function sortKeys(o: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { payments: { type: 'string' }, side: { type: 'string' }, csv: { type: 'string' }, 'duckdb-modules': { type: 'string' } },
    strict: true,
  });
  const payments = Number(values.payments ?? 1_000_000);
  if (values.side === 'js') return void process.stdout.write(JSON.stringify(runJs(payments)));
  if (values.side === 'duckdb') return void process.stdout.write(JSON.stringify(await runDuckDb(values.csv!, values['duckdb-modules'])));

  const dir = mkdtempSync(join(tmpdir(), 'tcrm-bench-rfm-'));
  try {
    const csv = join(dir, 'payments.csv');
    const t = process.hrtime.bigint();
    await writeCsv(generatePayments(payments), csv);
    process.stderr.write(`generated ${payments} payments (${seconds(t).toFixed(1)} s)\n`);
    const child = (side: string, extra: string[] = []) =>
      JSON.parse(execFileSync(process.execPath, [__filename, '--side', side, '--payments', String(payments), ...extra], { encoding: 'utf8', maxBuffer: 1 << 20, stdio: ['ignore', 'pipe', 'inherit'] })) as SideResult;
    const js = child('js');
    const duck = child('duckdb', ['--csv', csv, ...(values['duckdb-modules'] ? ['--duckdb-modules', values['duckdb-modules']] : [])]);
    const same = JSON.stringify(js.counts) === JSON.stringify(duck.counts);
    const report = {
      payments,
      customers: js.customers,
      sameSegmentCounts: same,
      js: { computeSeconds: round(js.seconds.compute), cpuSeconds: round(js.cpuSeconds), peakRssMiB: js.peakRssMiB },
      duckdb: { loadSeconds: round(duck.seconds.load), querySeconds: round(duck.seconds.compute), cpuSeconds: round(duck.cpuSeconds), threads: os.availableParallelism(), peakRssMiB: duck.peakRssMiB },
      ratioJsOverDuckDbQuery: round(js.seconds.compute / duck.seconds.compute),
      ratioJsOverDuckDbCpu: round(js.cpuSeconds / duck.cpuSeconds),
      segmentCounts: js.counts,
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    if (!same) {
      process.stderr.write(`segment counts differ:\n  js     ${JSON.stringify(js.counts)}\n  duckdb ${JSON.stringify(duck.counts)}\n`);
      process.exitCode = 1;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const round = (x: number) => Number(x.toFixed(3));

if (require.main === module) void main();
