import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli } from '../../bin/cli';
import { COMMANDS } from '../../bin/commands';

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, COMMANDS, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

describe('terminal-crm (the dispatcher)', () => {
  it('a misspelt option is named with the nearest one the command takes, not with Node\'s advice about positional arguments', async () => {
    const typo = await cli('identity', 'cus_A', '--jsn');
    assert.equal(typo.code, 2);
    assert.match(typo.err, /^terminal-crm identity: --jsn is not an option of identity\. Fix: did you mean --json\? `terminal-crm identity --help` lists its options$/m);
    assert.doesNotMatch(typo.err, /positional argument/);
    const withValue = await cli('payments', '--custmer=cus_A');
    assert.match(withValue.err, /^terminal-crm payments: --custmer is not an option of payments\. Fix: did you mean --customer\?/m);
    const far = await cli('redrive', '--everything');
    assert.equal(far.code, 2);
    assert.match(far.err, /^terminal-crm redrive: --everything is not an option of redrive\. Fix: `terminal-crm redrive --help` lists its options$/m);
  });

  it('`help` with a command it does not have says so and exits 2, as the command itself would', async () => {
    const r = await cli('help', 'payment');
    assert.equal(r.code, 2);
    assert.match(r.err, /^terminal-crm: unknown command "payment"/);
    assert.equal(r.out, '');
    const known = await cli('help', 'payments');
    assert.equal(known.code, 0);
    assert.match(known.out, /^Usage: terminal-crm payments/);
  });
});
