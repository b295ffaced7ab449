/**
 * Core pipeline throughput on one core: verify → normalize → tokenize → match → upsert, with matches and upserts
 * batched the way n8n's Match Customer and CRM Upsert nodes receive them (all items of a run in one call).
 * Printed beside the floor measured in the same run over the same bytes: JSON.parse plus one HMAC-SHA256 per
 * event, the least any verifier must do.
 *
 *   node build/bench/pipeline/core-throughput.js [--events 20000] [--customers 4000] [--batch 100] [--postgres]
 *
 * --postgres: the store on a throwaway PostgreSQL server (the tests' binaries) instead of a SQLite file, as
 * instances that scale out share it; every statement is then a round trip.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { receiveWebhook } from '../../nodes/core/pipeline/receive-webhook';
import type { PaymentMessage } from '../../nodes/core/contracts/payment-message';
import { keyProviderFromSpec } from '../../nodes/core/tokenize/key-provider';
import { matchStepSettled } from '../../nodes/core/steps/match-settled';
import { openCrm, tokenizeStep, upsertStep } from '../../nodes/core/steps/steps';
import { closeAllDatabases, openDatabase } from '../../nodes/core/store/open-database';
import type { SqlDatabase } from '../../nodes/core/store/sql-database';
import { startPostgresServer, type PostgresServer } from '../../test/support/postgres-server';
import { seededDeliveries } from './seeded-deliveries';

const SECRET = 'whsec_bench_secret';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { events: { type: 'string', default: '20000' }, customers: { type: 'string', default: '4000' }, batch: { type: 'string', default: '100' }, postgres: { type: 'boolean' } } });
  const events = Number(values.events);
  const batch = Number(values.batch);
  const deliveries = seededDeliveries({ events, customers: Number(values.customers), secret: SECRET, seed: 42 });
  const dir = mkdtempSync(join(tmpdir(), 'tcrm-bench-'));
  let pg: PostgresServer | undefined;
  if (values.postgres) pg = await startPostgresServer();
  const storeUrl = pg ? await pg.createDatabase('pipeline_bench') : `sqlite:${join(dir, 'store.db')}`;
  const crm = await openCrm({ storeUrl });
  const keys = keyProviderFromSpec(`k1:${'5a'.repeat(32)}`);

  // Floor: what verification costs at the very least, over the same bytes. Measured before and after the pipeline
  // and the faster pass kept: a floor is the least it costs, and a pass the shared machine slowed would flatter the
  // ratio.
  let sink = 0;
  const floorPass = (): number => {
    const floorStart = process.hrtime.bigint();
    for (const d of deliveries) {
      const parsed = JSON.parse(d.body) as { id: string };
      const t = d.headers['stripe-signature']!.slice(2, 12);
      sink += createHmac('sha256', SECRET).update(`${t}.${d.body}`).digest()[0]! + parsed.id.length;
    }
    return Number(process.hrtime.bigint() - floorStart) / 1e9;
  };
  const floorBefore = floorPass();

  // Where the time goes, step by step (one clock read between steps: well under 1 % of an event's time).
  const spent = { receive: 0n, tokenize: 0n, match: 0n, upsert: 0n };
  const start = process.hrtime.bigint();
  let accepted = 0;
  const batches: PaymentMessage[][] = [];
  for (let i = 0; i < deliveries.length; i += batch) {
    const tokenized: PaymentMessage[] = [];
    batches.push(tokenized);
    for (const d of deliveries.slice(i, i + batch)) {
      const t0 = process.hrtime.bigint();
      const out = await receiveWebhook(
        'stripe',
        { rawBody: Buffer.from(d.body), headers: d.headers, method: 'POST', url: 'https://bench.example/webhooks/stripe', receivedAt: new Date() },
        { credentials: { signingSecret: [SECRET] } },
      );
      const t1 = process.hrtime.bigint();
      spent.receive += t1 - t0;
      for (const event of out.events) tokenized.push(tokenizeStep(event, keys));
      spent.tokenize += process.hrtime.bigint() - t1;
    }
    let t0 = process.hrtime.bigint();
    const matched = (await matchStepSettled(tokenized, crm)).map((r) => {
      if (!r.ok) throw r.error;
      return r.value;
    });
    const t1 = process.hrtime.bigint();
    spent.match += t1 - t0;
    accepted += (await upsertStep(matched, crm)).length;
    t0 = process.hrtime.bigint();
    spent.upsert += t0 - t1;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const floorSeconds = Math.min(floorBefore, floorPass());
  const rate = accepted / seconds;
  const floorRate = deliveries.length / floorSeconds;
  const appendMicros = pg ? undefined : await bareAppendMicros(await openDatabase(`sqlite:${join(dir, 'append.db')}`), batches);
  await closeAllDatabases();
  await pg?.stop();
  rmSync(dir, { recursive: true, force: true });

  console.log(`core pipeline (verify→normalize→tokenize→match→upsert, ${pg ? `PostgreSQL ${pg.version}` : 'SQLite'}, batch ${batch}) on one core`);
  console.log(`  events processed      ${accepted} of ${deliveries.length}`);
  console.log(`  floor checksum        ${sink}`);
  console.log(`  pipeline              ${rate.toFixed(0)} events/s  (${((seconds / accepted) * 1e6).toFixed(1)} µs/event)`);
  console.log(`  floor JSON.parse+HMAC ${floorRate.toFixed(0)} events/s  (${((floorSeconds / deliveries.length) * 1e6).toFixed(1)} µs/event)`);
  console.log(`  ratio pipeline/floor  ${(rate / floorRate).toFixed(3)}  (the pipeline runs at ${(100 * rate / floorRate).toFixed(1)}% of the floor's rate)`);
  const perEvent = (ns: bigint) => Number(ns) / 1e3 / accepted;
  console.log(`  by step, µs/event     receive (verify + normalize) ${perEvent(spent.receive).toFixed(1)} · tokenize ${perEvent(spent.tokenize).toFixed(1)} · match ${perEvent(spent.match).toFixed(1)} · upsert (ledger, customers) ${perEvent(spent.upsert).toFixed(1)}`);
  // The steps that touch no store: what the ratio could be at most were matching and writing free.
  const cpuOnly = perEvent(spent.receive + spent.tokenize);
  const floorMicros = (floorSeconds / deliveries.length) * 1e6;
  console.log(`  ratio without store   ${(floorMicros / cpuOnly).toFixed(3)}  (floor / (receive + tokenize): the ceiling were match and upsert free)`);
  if (appendMicros !== undefined) {
    console.log(`  bare durable append   ${appendMicros.toFixed(1)} µs/event  (each tokenized event's JSON kept once by its id, one commit per batch: the least a store write costs)`);
    console.log(`  ratio with one append ${(floorMicros / (cpuOnly + appendMicros)).toFixed(3)}  (floor / (receive + tokenize + that append): the ceiling were matching and the ledger free)`);
  }
}

/**
 * The least any durable pipeline writes: each event once, deduplicated by its id, the batch committed together,
 * through the same store adapter into a table with no other index. Per event, in µs.
 */
async function bareAppendMicros(db: SqlDatabase, batches: readonly (readonly { id: string }[])[]): Promise<number> {
  await db.exec('CREATE TABLE appended (seq INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, event TEXT NOT NULL)');
  let events = 0;
  const start = process.hrtime.bigint();
  for (const batchEvents of batches.filter((b) => b.length > 0)) {
    // One multi-row statement per batch, as the pack's own batch writes are.
    const rows = batchEvents.map(() => '(?, ?)').join(', ');
    const params = batchEvents.flatMap((e) => [e.id, JSON.stringify(e)]);
    await db.transaction((tx) => tx.run(`INSERT INTO appended (event_id, event) VALUES ${rows} ON CONFLICT (event_id) DO NOTHING`, params));
    events += batchEvents.length;
  }
  return Number(process.hrtime.bigint() - start) / 1e3 / events;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
