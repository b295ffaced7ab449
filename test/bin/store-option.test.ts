import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { runCli } from '../../bin/cli';
import { COMMANDS } from '../../bin/commands';
import { ENV } from '../../nodes/core/config/settings';

async function cli(...args: string[]): Promise<{ code: number; err: string }> {
  let err = '';
  const code = await runCli(args, COMMANDS, { out: () => undefined, err: (t) => void (err += t) });
  return { code, err };
}

describe('the store option every command shares', { timeout: 20_000 }, () => {
  const before = process.env[ENV.storeUrl];
  afterEach(() => {
    if (before === undefined) delete process.env[ENV.storeUrl];
    else process.env[ENV.storeUrl] = before;
  });

  it('names --store when the flag gave a location it cannot use', async () => {
    for (const command of ['payments', 'outbox']) {
      const { code, err } = await cli(command, '--store', 'mysql://shop/crm');
      assert.equal(code, 1);
      assert.match(err, /^--store: "mysql:\/\/shop\/crm" is not a store location this pack understands\. Fix: use postgres:\/\//m, command);
    }
  });

  it('names the environment variable when the location came from it', async () => {
    process.env[ENV.storeUrl] = 'postgres://crm@db.example';
    const { code, err } = await cli('payments');
    assert.equal(code, 1);
    assert.match(err, /^TERMINAL_CRM_STORE_URL: the Postgres store URL postgres:\/\/crm@db\.example names no database\. Fix: add the database name/m);
  });
});
