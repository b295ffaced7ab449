import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli } from '../../bin/cli';
import { COMMANDS } from '../../bin/commands';
import type { Command } from '../../bin/commands/command';

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

  it("a command's failure is printed without the card number a library's or a vendor's message quoted, stack included", async () => {
    const pan = '4242 4242 4242 4242';
    const failing: Command = {
      name: 'boom',
      summary: 'fails',
      usage: 'Usage: terminal-crm boom\n',
      run: async () => {
        throw new Error(`invalid input syntax for type integer: "${pan}"`, { cause: new Error(`card ${pan}`) });
      },
    };
    const before = process.env.TERMINAL_CRM_DEBUG;
    process.env.TERMINAL_CRM_DEBUG = '1';
    try {
      let err = '';
      const code = await runCli(['boom'], [failing], { out: () => undefined, err: (t) => void (err += t) });
      assert.equal(code, 1);
      assert.match(err, /terminal-crm boom failed\.\ninvalid input syntax for type integer: "/);
      assert.match(err, /at /, 'the stack is printed under TERMINAL_CRM_DEBUG=1');
      assert.doesNotMatch(err, /4242 ?4242 ?4242 ?4242/);
    } finally {
      if (before === undefined) delete process.env.TERMINAL_CRM_DEBUG;
      else process.env.TERMINAL_CRM_DEBUG = before;
    }
  });
});
