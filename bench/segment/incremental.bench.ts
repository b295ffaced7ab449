/**
 * Microseconds per incremental update on a SQLite store file: the Segment step and the Loyalty step, each one
 * transaction per payment event, on a store that already holds `--customers` customers' history.
 *
 *   node build/bench/segment/incremental.bench.js [--payments 5000] [--customers 1000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loyaltyStep } from '../../nodes/core/loyalty/loyalty-step';
import { parseLoyaltyProgram } from '../../nodes/core/loyalty/program';
import { parseSegmentConfig } from '../../nodes/core/segment/config';
import { segmentStep } from '../../nodes/core/segment/segment-step';
import { migrate } from '../../nodes/core/store/migrations';
import { SqliteDatabase } from '../../nodes/core/store/sqlite-database';
import { message } from '../../test/core/segment/support/messages';
import { Random } from '../../test/core/segment/support/random';

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { payments: { type: 'string' }, customers: { type: 'string' } }, strict: true });
  const payments = Number(values.payments ?? 5000);
  const customers = Number(values.customers ?? 1000);
  const dir = mkdtempSync(join(tmpdir(), 'tcrm-bench-inc-'));
  const db = new SqliteDatabase(join(dir, 'store.db'));
  try {
    await migrate(db);
    const config = parseSegmentConfig();
    const program = parseLoyaltyProgram({ currency: 'USD', tiers: [{ name: 'Silver', minSpendMinor: 0 }, { name: 'Gold', minSpendMinor: 100_000, multiplier: 2 }] });
    const rnd = new Random(5);
    const start = Date.parse('2025-01-01T00:00:00Z');
    const messages = Array.from({ length: payments }, (_, i) =>
      message({
        customerId: `cus_${rnd.int(customers)}`, paymentId: `pi_${i}`, amountMinor: 100 * (5 + rnd.int(300)),
        at: new Date(start + i * 60_000).toISOString(), entryMode: 'contactless', brand: 'visa', locationId: `tml_${rnd.int(5)}`,
      }),
    );
    const segmentUs = new Float64Array(payments);
    const loyaltyUs = new Float64Array(payments);
    let segmentCpu = 0;
    let loyaltyCpu = 0;
    const cpuNow = () => { const c = process.cpuUsage(); return c.user + c.system; };
    for (let i = 0; i < payments; i++) {
      let c = cpuNow();
      let t = process.hrtime.bigint();
      await segmentStep(messages[i], { db, config });
      segmentUs[i] = Number(process.hrtime.bigint() - t) / 1e3;
      segmentCpu += cpuNow() - c;
      c = cpuNow();
      t = process.hrtime.bigint();
      await loyaltyStep(messages[i], { db, program });
      loyaltyUs[i] = Number(process.hrtime.bigint() - t) / 1e3;
      loyaltyCpu += cpuNow() - c;
    }
    const summary = (a: Float64Array) => {
      // The first tenth warms the JIT and the page cache; it is not what a running engine sees.
      const s = Float64Array.from(a.subarray(Math.floor(a.length / 10))).sort();
      const mean = s.reduce((x, y) => x + y, 0) / s.length;
      return { meanUs: Math.round(mean), p50Us: Math.round(percentile(s, 50)), p95Us: Math.round(percentile(s, 95)), p99Us: Math.round(percentile(s, 99)) };
    };
    process.stdout.write(`${JSON.stringify({
      payments, customers, store: 'SQLite file (WAL, synchronous=NORMAL)',
      // Wall-clock percentiles include waiting for the disk and for a shared CPU; CPU time per update does not.
      segmentStep: { ...summary(segmentUs), cpuUsPerUpdate: Math.round(segmentCpu / payments) },
      loyaltyStep: { ...summary(loyaltyUs), cpuUsPerUpdate: Math.round(loyaltyCpu / payments) },
      peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    }, null, 2)}\n`);
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
