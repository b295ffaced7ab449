/**
 * The scheduled batch on the store: read every customer's statistics, score RFM, fit BG/NBD + Gamma–Gamma,
 * write segment, forecast and flags back (and the CRM fields), for `--customers` customers in one currency.
 * Statistics are inserted directly (as the Segment step would have left them) so set-up stays quick.
 *
 *   node build/bench/segment/store-batch.bench.js [--customers 100000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runSegmentBatch } from '../../nodes/core/segment/batch';
import { parseSegmentConfig } from '../../nodes/core/segment/config';
import { migrate } from '../../nodes/core/store/migrations';
import { SqliteDatabase } from '../../nodes/core/store/sqlite-database';
import { insertSimulatedStats } from '../../test/core/segment/support/simulated-stats';

const AS_OF = Date.parse('2025-07-01T00:00:00Z');

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { customers: { type: 'string' } }, strict: true });
  const customers = Number(values.customers ?? 100_000);
  const dir = mkdtempSync(join(tmpdir(), 'tcrm-bench-batch-'));
  const db = new SqliteDatabase(join(dir, 'store.db'));
  try {
    await migrate(db);
    await insertSimulatedStats(db, customers, AS_OF);
    const setupRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
    // What a scheduler sees: the longest wait for a progress report (a Temporal heartbeat), from the start to the
    // end, and the longest the event loop was kept from turning (a timer, another activity, the worker's polls).
    const cpu = process.cpuUsage();
    const t = process.hrtime.bigint();
    let lastTick = t;
    let longestStall = 0n;
    const ticking = setInterval(() => {
      const now = process.hrtime.bigint();
      if (now - lastTick > longestStall) longestStall = now - lastTick;
      lastTick = now;
    }, 10);
    let lastReport = t;
    let longestReportGap = 0n;
    let firstWriteAt: bigint | undefined;
    const reported = () => {
      const now = process.hrtime.bigint();
      if (now - lastReport > longestReportGap) longestReportGap = now - lastReport;
      lastReport = now;
      return now;
    };
    const result = await runSegmentBatch(db, parseSegmentConfig({ clv: { unit: 'days' } }), {
      asOf: new Date(AS_OF),
      onProgress: (p) => {
        const now = reported();
        if (p.written > 0) firstWriteAt ??= now;
      },
    });
    reported();
    await new Promise((resolve) => setTimeout(resolve, 20)); // the loop's last stall is measured when it turns again
    clearInterval(ticking);
    const seconds = Number(process.hrtime.bigint() - t) / 1e9;
    const cpuUsed = process.cpuUsage(cpu);
    const usd = result.currencies[0]!;
    process.stdout.write(`${JSON.stringify({
      customers, seconds: Number(seconds.toFixed(2)), microsecondsPerCustomer: Math.round((seconds * 1e6) / customers),
      // Moves much less with the machine's load than the wall clock.
      cpuSeconds: Number(((cpuUsed.user + cpuUsed.system) / 1e6).toFixed(2)),
      secondsToFirstChunk: firstWriteAt === undefined ? null : Number((Number(firstWriteAt - t) / 1e9).toFixed(2)),
      longestProgressGapSeconds: Number((Number(longestReportGap) / 1e9).toFixed(2)),
      longestEventLoopStallMs: Math.round(Number(longestStall) / 1e6),
      fit: usd.model && { customersInFit: usd.model.purchase.customers, bgNbd: usd.model.purchase.params, evaluations: usd.model.purchase.evaluations, gammaGamma: usd.model.spend?.params },
      segmentCounts: usd.segmentCounts,
      setupPeakRssMiB: setupRssMiB,
      peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    }, null, 2)}\n`);
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
