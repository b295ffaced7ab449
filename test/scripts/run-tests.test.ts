import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../support/temp-store';

const RUNNER = resolve(__dirname, '..', '..', '..', 'scripts', 'run-tests.mjs');

/** Runs `npm test`'s runner over test files of our own, in a lane of their own. */
function runOver(files: Record<string, string>, silenceLimitS: number, timeoutS?: number) {
  const dir = tempDir('run-tests-');
  const root = join(dir.path, 'build', 'test');
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(root, name, '..'), { recursive: true });
    writeFileSync(join(root, name), text);
  }
  const started = Date.now();
  const r = spawnSync(process.execPath, [RUNNER], {
    cwd: dir.path,
    encoding: 'utf8',
    timeout: 60_000,
    // Without NODE_TEST_CONTEXT: node's test runner inside a test file would take itself for a nested run.
    env: { ...withoutTestContext(process.env), TERMINAL_CRM_TEST_ROOT: root, TERMINAL_CRM_TEST_LANES: 'unit', TERMINAL_CRM_TEST_SILENCE_LIMIT_S: String(silenceLimitS),
      ...(timeoutS === undefined ? {} : { TERMINAL_CRM_TEST_TIMEOUT_S: String(timeoutS) }) },
  });
  dir.remove();
  return { status: r.status, output: `${r.stdout}${r.stderr}`, seconds: (Date.now() - started) / 1000 };
}

function withoutTestContext(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { NODE_TEST_CONTEXT: _inside, ...rest } = env;
  return rest;
}

const passing = "const { it } = require('node:test');\nit('passes', () => {});\n";
// A failed test that leaves a wait loop behind: its file would never end by itself.
const leaking = "const { it } = require('node:test');\nit('leaks a wait loop', { timeout: 300 }, async () => { for (;;) await new Promise((r) => setTimeout(r, 5)); });\n";
// A hook with no deadline of its own that never ends (an engine that never answers, say).
const hungHook = "const { before, it } = require('node:test');\nbefore(() => new Promise(() => setInterval(() => {}, 1000)));\nit('never reached', () => {});\n";

describe('the test runner (scripts/run-tests.mjs)', { timeout: 90_000 }, () => {
  it('stops a lane that has printed nothing for the silence limit, fails the run and names the file left open', () => {
    const r = runOver({ 'core/fine.test.js': passing, 'core/open.test.js': leaking }, 2);
    assert.equal(r.status, 1, r.output);
    assert.match(r.output, /unit lane: no output for 2 s, so a test left its file open; stopping the lane/);
    assert.match(r.output, /Interrupted while running:[\s\S]*open\.test\.js/);
    assert.match(r.output, /✔ passes/);
    assert.ok(r.seconds < 30, `ended in ${r.seconds} s`);
  });

  it('fails a test whose hook has no deadline of its own after the lane default, naming it before the silence limit stops the lane', () => {
    const r = runOver({ 'core/fine.test.js': passing, 'core/hook.test.js': hungHook }, 6, 2);
    assert.equal(r.status, 1, r.output);
    // The interval the hook left keeps its file open, so the silence limit still ends the lane; the test is named first.
    assert.match(r.output, /✖ never reached \([12]\d{3}\.\d+ms\)/);
    assert.match(r.output, /unit lane: no output for 6 s/);
    assert.ok(r.seconds < 30, `ended in ${r.seconds} s`);
  });

  it('counts a test that ran out of time (node calls it cancelled) as failed in the lane line', () => {
    const tooSlow = "const { it } = require('node:test');\nit('too slow', () => new Promise((r) => setTimeout(r, 3000)));\n";
    const r = runOver({ 'core/fine.test.js': passing, 'core/slow.test.js': tooSlow }, 60, 1);
    assert.equal(r.status, 1, r.output);
    assert.match(r.output, /\[tests\] unit +2 files +2 tests +1 pass +1 fail .*FAILED/);
  });

  it('leaves a lane alone that keeps reporting, however long the run', () => {
    const slowButTalking = "const { it } = require('node:test');\nfor (let i = 0; i < 4; i++) it(`step ${i}`, () => new Promise((r) => setTimeout(r, 1500)));\n";
    const r = runOver({ 'core/slow.test.js': slowButTalking, 'core/fine.test.js': passing }, 3);
    assert.equal(r.status, 0, r.output);
    assert.doesNotMatch(r.output, /no output for/);
    assert.match(r.output, /5 tests\s+5 pass\s+0 fail/);
  });
});
