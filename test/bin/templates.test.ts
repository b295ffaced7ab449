import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COMMANDS } from '../../bin/commands';
import { InputError } from '../../nodes/core/errors';

const command = COMMANDS.find((c) => c.name === 'templates')!;
const install = (...args: string[]) => command.run(['install', 'all', ...args], { out: () => undefined, err: () => undefined });

describe('terminal-crm templates install: the engine address', () => {
  it('refuses an address without http:// by its option, before anything is sent', async () => {
    for (const [option, typed, example] of [['--n8n', 'localhost:5678', 'http://localhost:5678'], ['--node-red', '127.0.0.1:1880', 'http://localhost:1880']] as const) {
      await assert.rejects(install(option, typed, '--api-key', 'k'), (e: unknown) => {
        assert.ok(e instanceof InputError, String(e));
        assert.equal(e.field, option);
        assert.match(e.message, new RegExp(`"${typed}" is not a usable URL: it has no scheme.*Fix: .*${example}`));
        return true;
      });
    }
  });

  it('still wants exactly one engine, a blank address being none', async () => {
    await assert.rejects(install('--n8n', '  ', '--api-key', 'k'), /--n8n \/ --node-red: choose exactly one engine/);
    await assert.rejects(install('--n8n', 'http://localhost:5678', '--node-red', 'http://localhost:1880'), /choose exactly one engine/);
  });
});
