import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runLogged, StepFailedError, timedStep } from '../../../sandbox/install/run-logged';
import { captureReporter } from './capture-reporter';

const node = process.execPath;

describe('runLogged', () => {
  it('names the failed step, quotes the last output lines and the hint, and keeps the full log', async () => {
    const reporter = captureReporter();
    const logFile = join(mkdtempSync(join(tmpdir(), 'tcrm-run-')), 'install.log');
    const script = 'for (let i = 1; i <= 40; i++) console.log("line " + i); console.error("boom: disk full"); process.exit(3)';
    const failure = await runLogged({
      step: 'fake: compile', command: node, args: ['-e', script], hint: 'free some disk', logFile, reporter, tailLines: 5,
    }).then(
      () => assert.fail('a command exiting 3 must reject'),
      (error: unknown) => error,
    );
    assert.ok(failure instanceof StepFailedError);
    assert.equal(failure.step, 'fake: compile');
    assert.match(failure.message, /^Step "fake: compile" failed: exit code 3\./);
    assert.match(failure.message, /\| boom: disk full/);
    assert.match(failure.message, /\| line 40/);
    assert.doesNotMatch(failure.message, /\| line 36\b/, 'only the last 5 lines are quoted');
    assert.match(failure.message, /what to do: free some disk/);
    assert.ok(failure.message.includes(`full log: ${logFile}`));
    const log = readFileSync(logFile, 'utf8');
    assert.match(log, /line 1\n/);
    assert.match(log, /boom: disk full/);
    assert.match(reporter.text(), /fake: compile \.\.\./);
    assert.match(reporter.text(), /fake: compile: FAILED after \d+\.\d s/);
    assert.doesNotMatch(reporter.text(), /line 1/, 'tool output is not streamed unless verbose');
  });

  it('says when the command cannot be started at all', async () => {
    const failure = await runLogged({
      step: 'fake: missing tool', command: '/nonexistent/terminal-crm-no-such-tool', args: [], hint: 'install it', reporter: captureReporter(),
    }).then(() => assert.fail('must reject'), (error: unknown) => error as Error);
    assert.match(failure.message, /Step "fake: missing tool" failed: could not start .*ENOENT/);
    assert.match(failure.message, /what to do: install it/);
  });

  it('resolves with the output and reports the elapsed time; verbose streams the output', async () => {
    const quiet = captureReporter();
    const out = await runLogged({ step: 'fake: hello', command: node, args: ['-e', 'console.log("hello")'], hint: '', reporter: quiet });
    assert.equal(out, 'hello\n');
    assert.match(quiet.text(), /fake: hello: done in \d+\.\d s/);
    const loud = captureReporter(true);
    await runLogged({ step: 'fake: hello', command: node, args: ['-e', 'console.log("hello")'], hint: '', reporter: loud });
    assert.match(loud.text(), /^hello$/m);
  });

  it('wraps a thrown error of a non-command step with the step name and hint', async () => {
    const failure = await timedStep(captureReporter(), 'fake: prepare', 'check permissions', async () => {
      throw new Error('EACCES: permission denied');
    }).then(() => assert.fail('must reject'), (error: unknown) => error);
    assert.ok(failure instanceof StepFailedError);
    assert.equal(failure.message, 'Step "fake: prepare" failed: EACCES: permission denied\n  what to do: check permissions');
  });
});
