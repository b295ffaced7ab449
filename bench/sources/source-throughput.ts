/**
 * Per-source webhook throughput on one core: receiveWebhook (verify with the vendor's own verifier where there is
 * one, then normalize: card scrub + PaymentEvent validation; no inbox) for every registered source, printed beside
 * the floor measured in the same run over the same bytes: JSON.parse of the body plus one HMAC-SHA256 of it under
 * the source's key, the least any verifier must do. Target: every source at ≥ 0.5 of its floor.
 *
 * Deliveries come from the sandbox's simulators (Clover and SumUp fetch the payment a notification names from
 * their API stubs, in memory: that lookup is timed with the source, as the network would be). After a warm-up
 * pass, the floor and the source take turns over all deliveries, --rounds times, each timed by this thread's CPU
 * time (see measureSource). A delivery that is not accepted fails the run: the bench must not measure rejections.
 *
 *   node build/bench/sources/source-throughput.js [--events 3000] [--rounds 5] [--seed 42] [--source square …]
 */
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { parseArgs } from 'node:util';
import { benchSourceNames, receiveBench, sourceBench, type SourceBench } from './source-deliveries';

export const TARGET_RATIO = 0.5;

export interface SourceFigures {
  name: string;
  deliveries: number;
  events: number;
  rate: number;
  floorRate: number;
  ratio: number;
  /** The floor with its HMAC key prepared once (a KeyObject), and the source's rate as a fraction of it. */
  keyedFloorRate: number;
  keyedRatio: number;
  bodyBytes: number;
}

/** JSON.parse of the body and one HMAC-SHA256 of it: what the floor does per delivery. */
function floorPass(b: SourceBench, from: number, to: number, key: Buffer | KeyObject = b.floorKey): number {
  let sink = 0;
  for (let i = from; i < to; i++) {
    const raw = b.deliveries[i]!.request.rawBody;
    const parsed = JSON.parse(raw.toString('utf8')) as object;
    sink += createHmac('sha256', key).update(raw).digest()[0]! + (parsed ? 1 : 0);
  }
  return sink;
}

/** Deliveries through receiveWebhook, one after the other as a trigger takes them; refusals are collected. */
async function sourcePass(b: SourceBench, from: number, to: number, refused: string[]): Promise<number> {
  let events = 0;
  for (let i = from; i < to; i++) {
    const out = await receiveBench(b, b.deliveries[i]!);
    if (out.status !== 200 || out.events.length === 0) refused.push(`#${i}: ${out.status} ${out.answer.body}`);
    events += out.events.length;
  }
  return events;
}

/** The main thread's CPU time (Node 23.9+); the whole process's before that, helper threads included. */
const cpuUsage = (since?: NodeJS.CpuUsage): NodeJS.CpuUsage =>
  typeof process.threadCpuUsage === 'function' ? process.threadCpuUsage(since) : process.cpuUsage(since);

/** CPU seconds of this thread since `since`: what the work cost one core, whatever else the machine runs. */
function cpuSeconds(since: NodeJS.CpuUsage): number {
  const used = cpuUsage(since);
  return (used.user + used.system) / 1e6;
}

/**
 * Each round times the floor over all deliveries, then the source over all of them, by the CPU time of this
 * thread rather than the wall clock: on a shared machine the time spent waiting for a core belongs to the other
 * processes, while this thread's own work, its garbage collection included, is all counted. Whole passes rather
 * than interleaved blocks, so the collection of one side's garbage is not charged to the other. Each side keeps
 * its fastest round: a neighbour sharing the core's caches only ever adds time.
 */
export async function measureSource(b: SourceBench, rounds: number, warmup: number): Promise<SourceFigures & { sink: number }> {
  const n = b.deliveries.length;
  const refused: string[] = [];
  const warm = Math.min(warmup, n);
  let sink = floorPass(b, 0, warm);
  await sourcePass(b, 0, warm, refused);
  const fail = (of: number) => new Error(`${b.name}: ${refused.length} of ${of} deliveries were not accepted, e.g. ${refused[0]}`);
  if (refused.length > 0) throw fail(warm);
  // The same floor with its key prepared once: on this Node a Buffer key costs several times the HMAC of a
  // webhook body, and the vendors' verifiers pass strings or Buffers. Reported beside it, so both are in view.
  const keyObject = createSecretKey(b.floorKey);
  sink += floorPass(b, 0, warm, keyObject);
  let floorBest = Infinity;
  let keyedBest = Infinity;
  let sourceBest = Infinity;
  let events = 0;
  for (let r = 0; r < rounds; r++) {
    const f0 = cpuUsage();
    sink += floorPass(b, 0, n);
    floorBest = Math.min(floorBest, cpuSeconds(f0));
    const k0 = cpuUsage();
    sink += floorPass(b, 0, n, keyObject);
    keyedBest = Math.min(keyedBest, cpuSeconds(k0));
    const s0 = cpuUsage();
    events = await sourcePass(b, 0, n, refused);
    sourceBest = Math.min(sourceBest, cpuSeconds(s0));
    if (refused.length > 0) throw fail(n);
  }
  // The floor's events are the events in the same bytes: the count the source made of them.
  const rate = events / sourceBest;
  const floorRate = events / floorBest;
  const bodyBytes = b.deliveries.reduce((total, d) => total + d.request.rawBody.length, 0) / n;
  const keyedFloorRate = events / keyedBest;
  return { name: b.name, deliveries: n, events, rate, floorRate, ratio: rate / floorRate, keyedFloorRate, keyedRatio: rate / keyedFloorRate, bodyBytes, sink };
}

const col = (s: string | number, w: number) => String(s).padStart(w);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      events: { type: 'string', default: '3000' },
      rounds: { type: 'string', default: '5' },
      warmup: { type: 'string', default: '500' },
      seed: { type: 'string', default: '42' },
      source: { type: 'string', multiple: true },
    },
  });
  const events = Number(values.events);
  const rounds = Number(values.rounds);
  const names = values.source ?? benchSourceNames();
  console.log(`webhook receive per source (verify + normalize, no inbox) vs floor (JSON.parse + one HMAC-SHA256, same bytes), one core`);
  console.log(`  ${events} deliveries per source, ${rounds} rounds, floor and source passes alternating, each side's fastest round by this thread's CPU time; seed ${values.seed}, Node ${process.version}`);
  console.log(`  ${'source'.padEnd(15)}${col('body B', 8)}${col('events', 8)}${col('events/s', 11)}${col('µs/ev', 9)}${col('floor ev/s', 12)}${col('µs/ev', 8)}${col('ratio', 8)}  ≥${TARGET_RATIO}${col('keyed µs/ev', 13)}${col('ratio', 8)}`);
  let sink = 0;
  const below: string[] = [];
  for (const name of names) {
    const f = await measureSource(sourceBench(name, events, Number(values.seed)), rounds, Number(values.warmup));
    sink += f.sink;
    const meets = f.ratio >= TARGET_RATIO;
    if (!meets) below.push(name);
    console.log(
      `  ${name.padEnd(15)}${col(f.bodyBytes.toFixed(0), 8)}${col(f.events, 8)}${col(f.rate.toFixed(0), 11)}${col((1e6 / f.rate).toFixed(1), 9)}` +
        `${col(f.floorRate.toFixed(0), 12)}${col((1e6 / f.floorRate).toFixed(1), 8)}${col(f.ratio.toFixed(3), 8)}  ${(meets ? 'yes' : 'NO').padEnd(4)}${col((1e6 / f.keyedFloorRate).toFixed(1), 13)}${col(f.keyedRatio.toFixed(3), 8)}`,
    );
  }
  console.log(`  floor checksum ${sink}`);
  console.log(below.length === 0 ? `  every source meets ${TARGET_RATIO} of its floor` : `  below ${TARGET_RATIO} of the floor: ${below.join(', ')}`);
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
