import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli } from '../../../bin/cli';
import type { CliIo, Command } from '../../../bin/commands/command';
import { COMMANDS } from '../../../bin/commands';
import { StepFailedError } from '../../../sandbox/install/run-logged';

function io(): CliIo & { stdout: string; stderr: string } {
  const captured = { stdout: '', stderr: '' };
  return Object.assign(captured, { out: (t: string) => void (captured.stdout += t), err: (t: string) => void (captured.stderr += t) });
}

const failing: Command = {
  name: 'explode',
  summary: 'always fails',
  usage: 'Usage: terminal-crm explode\n',
  run: async () => {
    throw new StepFailedError('n8n: npm ci', 'Step "n8n: npm ci" failed: exit code 1.\n  what to do: npm ping');
  },
};

describe('terminal-crm dispatcher', () => {
  it('--help lists every registered command, setup included', async () => {
    const out = io();
    assert.equal(await runCli(['--help'], COMMANDS, out), 0);
    assert.match(out.stdout, /^ {2}setup +install Node 24, n8n, Node-RED and Temporal/m);
    for (const command of COMMANDS) assert.ok(out.stdout.includes(`  ${command.name}`));
  });

  it('`<command> --help` prints that command\'s usage without running it', async () => {
    const out = io();
    assert.equal(await runCli(['setup', '--help'], COMMANDS, out), 0);
    assert.match(out.stdout, /^Usage: terminal-crm setup/);
    assert.equal(await runCli(['explode', '-h'], [failing], out), 0);
  });

  it('exits 2 on an unknown command or option, before doing anything', async () => {
    const out = io();
    assert.equal(await runCli(['frobnicate'], COMMANDS, out), 2);
    assert.match(out.stderr, /unknown command "frobnicate"/);
    assert.equal(await runCli(['setup', '--no-such-flag'], COMMANDS, out), 2);
    assert.match(out.stderr, /terminal-crm setup: --no-such-flag is not an option of setup\. Fix: /);
    assert.equal(await runCli([], COMMANDS, out), 2);
  });

  it("exits 1 and prints the failed step's message", async () => {
    const out = io();
    assert.equal(await runCli(['explode'], [failing], out), 1);
    assert.match(out.stderr, /terminal-crm explode failed\.\nStep "n8n: npm ci" failed: exit code 1\.\n {2}what to do: npm ping/);
  });
});
