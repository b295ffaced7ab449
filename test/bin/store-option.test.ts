import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { runCli } from '../../bin/cli';
import { COMMANDS } from '../../bin/commands';
import { ENV } from '../../nodes/core/config/settings';
import { tempDir, TEST_TOKEN_KEYS } from '../support/temp-store';

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

  it('refuses a store file that does not exist for the commands that read or change one, instead of making it empty', async () => {
    const dir = tempDir('tcrm-store-option-');
    // What the commands check before the store is set, so only the store is wrong.
    const settings = { HUBSPOT_ACCESS_TOKEN: 'pat-na1-store-option-test', [ENV.tokenKeys]: TEST_TOKEN_KEYS, STRIPE_SECRET_KEY: 'sk_test_store_option' };
    Object.assign(process.env, settings);
    try {
      const typo = join(dir.path, 'sotre.db');
      for (const args of [['payments'], ['outbox'], ['inbox'], ['identity', 'cus_x'], ['sync', '--crm', 'hubspot'], ['redrive'], ['segment-batch'], ['reconcile', '--from', 'stripe', '--since', '2026-01-01']]) {
        const { code, err } = await cli(...args, '--store', typo);
        assert.equal(code, 1, args.join(' '));
        assert.match(err, new RegExp(`^--store: there is no store at ${typo.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\. Fix: name the store your flows`, 'm'), args.join(' '));
      }
      assert.equal(existsSync(typo), false, 'no empty store was made');
      process.env[ENV.storeUrl] = `sqlite:${typo}`;
      assert.match((await cli('payments')).err, /^TERMINAL_CRM_STORE_URL: there is no store at /m);
    } finally {
      for (const name of Object.keys(settings)) delete process.env[name];
      dir.remove();
    }
  });
});

/** "  --limit N        payments per page": where the description of one option line starts, when the line has one. */
function descriptionColumn(line: string): number | undefined {
  const m = /^(  (?:-\w, )?--[a-z][a-z0-9-]*(?: \S+)?\s{2,})\S/.exec(line);
  return m?.[1]!.length;
}

describe('terminal-crm <command> --help', () => {
  it('writes every option of a command, --store among them, with its description in one column', () => {
    const ragged: string[] = [];
    for (const c of COMMANDS) {
      const columns = new Map<number, string>();
      for (const line of c.usage.split('\n')) {
        const at = descriptionColumn(line);
        if (at !== undefined && !columns.has(at)) columns.set(at, line.trim());
      }
      if (columns.size > 1) ragged.push(`${c.name}: ${[...columns].map(([at, line]) => `${at} (${line})`).join(' / ')}`);
    }
    assert.deepEqual(ragged, []);
  });
});
