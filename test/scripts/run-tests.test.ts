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
// A test with a long deadline of its own that hangs, silently.
const silentlyStuck = "const { it } = require('node:test');\nit('waits on nothing', { timeout: 600_000 }, () => new Promise(() => setInterval(() => {}, 1000)));\n";
// A hook with no deadline of its own that never ends (an engine that never answers, say).
const hungHook = "const { before, it } = require('node:test');\nbefore(() => new Promise(() => setInterval(() => {}, 1000)));\nit('never reached', () => {});\n";

describe('the test runner (scripts/run-tests.mjs)', { timeout: 90_000 }, () => {
  it('stops a lane that has printed nothing for the silence limit, fails the run and names the file left open', () => {
    const r = runOver({ 'core/fine.test.js': passing, 'core/open.test.js': silentlyStuck }, 2);
    assert.equal(r.status, 1, r.output);
    assert.match(r.output, /unit lane: no output for 2 s, so a test left its file open; stopping the lane/);
    assert.match(r.output, /Interrupted while running:[\s\S]*open\.test\.js/);
    assert.match(r.output, /✔ passes/);
    assert.ok(r.seconds < 30, `ended in ${r.seconds} s`);
  });

  it('ends a file once its tests are done, though a failed test left a wait loop running', () => {
    const r = runOver({ 'core/fine.test.js': passing, 'core/open.test.js': leaking }, 60);
    assert.equal(r.status, 1, r.output);
    assert.match(r.output, /✖ leaks a wait loop/);
    assert.match(r.output, /\[tests\] unit +2 files +2 tests +1 pass +1 fail /, "the lane line counts the test that ran out of time (node calls it cancelled) as failed");
    assert.doesNotMatch(r.output, /no output for/);
    assert.ok(r.seconds < 20, `ended in ${r.seconds} s`);
  });

  it('fails a hook with no deadline of its own after the lane default, long before the silence limit', () => {
    const r = runOver({ 'core/fine.test.js': passing, 'core/hook.test.js': hungHook }, 60, 2);
    assert.equal(r.status, 1, r.output);
    assert.match(r.output, /timed out after 2000ms/);
    assert.doesNotMatch(r.output, /no output for/);
    assert.ok(r.seconds < 20, `ended in ${r.seconds} s`);
  });

  it('leaves a lane alone that keeps reporting, however long the run', () => {
    const slowButTalking = "const { it } = require('node:test');\nfor (let i = 0; i < 4; i++) it(`step ${i}`, () => new Promise((r) => setTimeout(r, 1500)));\n";
    const r = runOver({ 'core/slow.test.js': slowButTalking, 'core/fine.test.js': passing }, 3);
    assert.equal(r.status, 0, r.output);
    assert.doesNotMatch(r.output, /no output for/);
    assert.match(r.output, /5 tests\s+5 pass\s+0 fail/);
  });
});
