// `npm test`'s runner: the compiled tests in two lanes side by side, each one file at a time.
//
// Why two lanes: the end-to-end files spend most of their time waiting on a real engine (n8n booting, a redrive's
// grace period, a Temporal timer), while the unit files keep a core busy. Running the two kinds side by side fills
// those waits without ever starting two engines at once, which on a small CI machine would make the end-to-end
// deadlines race each other. `TERMINAL_CRM_TEST_LANES=1` runs everything in one lane, one file at a time;
// `TERMINAL_CRM_TEST_LANES=unit` (or `end-to-end`) runs only that lane.
//
// Arguments narrow the run to files whose path contains one of them: `node scripts/run-tests.mjs core/inbox`.
//
// A lane that prints nothing for TERMINAL_CRM_TEST_SILENCE_LIMIT_S seconds (default 600; the slowest end-to-end
// file takes about 3 minutes) is stuck: a test failed but left something waiting that holds its file open. The lane
// is then stopped, which fails it and names the file it was in, instead of hanging the run until CI's own limit.
//
// Before that, a deadline of node's own: a test or hook that sets no timeout of its own fails after its lane's
// default (TERMINAL_CRM_TEST_TIMEOUT_S, else 120 s for the unit lane, whose slowest test, payment-saga's lost
// attempt retried after its 30 s heartbeat timeout, takes about 35 s, and 300 s for the end-to-end lane, whose
// slowest takes under 2 minutes). The silence limit stays for what that does not
// catch: a test with a long timeout of its own that hangs, or a failed one that left a timer behind. (node's
// --test-force-exit would end such a file sooner, but it also ends files whose tests are registered after an await
// before those run: 12 of 50 tests of two files here went unrun, so it is not used.)
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = process.env.TERMINAL_CRM_TEST_ROOT?.trim() || 'build/test';
const SILENCE_LIMIT_MS = Number(process.env.TERMINAL_CRM_TEST_SILENCE_LIMIT_S?.trim() || 600) * 1000;
const DEFAULT_TIMEOUT_S = { 'end-to-end': 300, unit: 120, all: 300 };
const timeoutMsOf = (lane) => Number(process.env.TERMINAL_CRM_TEST_TIMEOUT_S?.trim() || DEFAULT_TIMEOUT_S[lane.name]) * 1000;
/** End-to-end files: a real engine, server or browser is started. The rest are the unit lane. */
const ENGINE_LANE = [/(^|\/)e2e\//, /\.e2e\.test\.js$/, /^editor\//];

function testFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...testFiles(path));
    else if (name.endsWith('.test.js')) out.push(path);
  }
  return out.sort();
}

const filters = process.argv.slice(2);
const files = testFiles(ROOT).filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error(`[tests] no test file under ${ROOT} matches ${filters.join(', ') || '(all)'}. Fix: run \`npm run build:test\` first, or check the filter`);
  process.exit(1);
}
const inEngineLane = (f) => ENGINE_LANE.some((re) => re.test(relative(ROOT, f).split(sep).join('/')));
const chosen = process.env.TERMINAL_CRM_TEST_LANES?.trim() ?? '';
if (chosen && !['1', 'unit', 'end-to-end'].includes(chosen)) {
  console.error(`[tests] TERMINAL_CRM_TEST_LANES="${chosen}": use 1 (one lane), unit or end-to-end (that lane only), or leave it unset (both side by side)`);
  process.exit(1);
}
const lanes = chosen === '1'
  ? [{ name: 'all', files, live: true }]
  : [
      { name: 'end-to-end', files: files.filter(inEngineLane), live: true },
      // Buffered and printed as one block when it ends, so its report does not interleave with the live one.
      { name: 'unit', files: files.filter((f) => !inEngineLane(f)), live: chosen === 'unit' },
    ].filter((l) => l.files.length > 0 && (!chosen || chosen === '1' || l.name === chosen));

function runLane(lane) {
  const started = Date.now();
  const child = spawn(process.execPath, ['--enable-source-maps', '--test', '--test-concurrency=1', `--test-timeout=${timeoutMsOf(lane)}`, ...lane.files], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: process.env,
  });
  const held = [];
  const counts = {};
  let heardAt = Date.now();
  const watchdog = setInterval(() => {
    if (Date.now() - heardAt < SILENCE_LIMIT_MS) return;
    clearInterval(watchdog);
    const note = `[tests] ${lane.name} lane: no output for ${Math.round(SILENCE_LIMIT_MS / 1000)} s, so a test left its file open; stopping the lane (the file is named under "Interrupted while running")`;
    if (lane.live) process.stderr.write(`${note}\n`);
    else held.push([process.stderr, note]);
    child.kill('SIGTERM');
  }, Math.min(5_000, SILENCE_LIMIT_MS));
  const onLine = (stream) => (line) => {
    heardAt = Date.now();
    const m = /^ℹ (tests|pass|fail|cancelled|skipped|todo) (\d+)$/.exec(line);
    if (m) counts[m[1]] = Number(m[2]);
    if (lane.live) stream.write(`${line}\n`);
    else held.push([stream, line]);
  };
  createInterface({ input: child.stdout }).on('line', onLine(process.stdout));
  createInterface({ input: child.stderr }).on('line', onLine(process.stderr));
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearInterval(watchdog);
      if (!lane.live) {
        process.stdout.write(`\n[tests] ---- ${lane.name} lane (${lane.files.length} files) ----\n`);
        for (const [stream, line] of held) stream.write(`${line}\n`);
      }
      resolve({ lane, code: code ?? 1, signal, seconds: (Date.now() - started) / 1000, counts });
    });
  });
}

const began = Date.now();
console.log(`[tests] ${lanes.reduce((n, l) => n + l.files.length, 0)} files in ${lanes.map((l) => `${l.name} lane: ${l.files.length}`).join(', ')}`);
const results = await Promise.all(lanes.map(runLane));
console.log('\n[tests] ---- lanes ----');
for (const r of results) {
  const c = r.counts;
  const status = r.code === 0 ? 'passed' : `FAILED (exit ${r.code}${r.signal ? `, ${r.signal}` : ''})`;
  // node counts a test that ran out of time as cancelled, not failed: here it is a failure like any other.
  const failed = c.fail === undefined ? '?' : c.fail + (c.cancelled ?? 0);
  console.log(`[tests] ${r.lane.name.padEnd(10)} ${String(r.lane.files.length).padStart(4)} files  ${String(c.tests ?? '?').padStart(5)} tests  ${String(c.pass ?? '?').padStart(5)} pass  ${String(failed).padStart(3)} fail  ${r.seconds.toFixed(1).padStart(7)} s  ${status}`);
}
console.log(`[tests] wall clock ${((Date.now() - began) / 1000).toFixed(1)} s`);
process.exit(results.some((r) => r.code !== 0) ? 1 : 0);
