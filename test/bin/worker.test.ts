import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli } from '../../bin/cli';
import { COMMANDS } from '../../bin/commands';
import { webhookPort } from '../../bin/commands/worker';

async function cli(...args: string[]): Promise<{ code: number; err: string }> {
  let err = '';
  const code = await runCli(['worker', ...args], COMMANDS, { out: () => undefined, err: (t) => void (err += t) });
  return { code, err };
}

describe('terminal-crm worker --webhook-port', () => {
  it('takes a port from 1 to 65535 as digits', () => {
    assert.deepEqual(['1', ' 8080 ', '65535'].map(webhookPort), [1, 8080, 65535]);
  });

  it('refuses anything else by its option at once, before connecting to anything', async () => {
    for (const typed of ['0', '65536', '', '0x50', '80.5', '-1', 'http', '080', '1e3']) {
      const r = await cli(`--webhook-port=${typed}`);
      assert.notEqual(r.code, 0, typed);
      assert.match(r.err, new RegExp(`--webhook-port: "${typed.replace(/[.]/g, '\\.')}" is not a port: [^.]+\\. Fix: give a number from 1 to 65535`), typed);
    }
  });
});
