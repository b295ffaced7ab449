import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { runCli } from '../../bin/cli';
import { COMMANDS } from '../../bin/commands';
import { SAAS_CRM_NAMES } from '../../nodes/core/crm/crm-names';
import { DYNAMICS_ENV } from '../../nodes/core/crm/saas/dynamics';
import { HUBSPOT_ENV } from '../../nodes/core/crm/saas/hubspot';
import { PIPEDRIVE_ENV } from '../../nodes/core/crm/saas/pipedrive';
import { SALESFORCE_ENV } from '../../nodes/core/crm/saas/salesforce';
import { ZOHO_ENV } from '../../nodes/core/crm/saas/zoho';
import { syncCommand } from '../../bin/commands/sync';
import { crmAdapterFromEnv } from '../../nodes/core/crm/saas/crm-factory';
import { InputError } from '../../nodes/core/errors';
import type { DrainResult } from '../../nodes/core/outbox/drain';
import { enqueue } from '../../nodes/core/outbox/enqueue';
import { closeAllDatabases, openDatabase } from '../../nodes/core/store/open-database';
import { customer, payment, TOKEN, useNock } from '../core/crm/saas/hubspot-kit';
import { HubSpotMock } from '../core/crm/saas/mocks/hubspot-mock';
import { ZohoMock } from '../core/crm/saas/mocks/zoho-mock';
import { tempDir } from '../support/temp-store';

useNock();

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(['sync', ...args], COMMANDS, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

describe('terminal-crm sync --help', () => {
  it("names, under each CRM, every variable that CRM's settings reader reads and no other (the README sends operators to it)", async () => {
    const { code, out } = await cli('--help');
    assert.equal(code, 0);
    const read = { hubspot: HUBSPOT_ENV, salesforce: SALESFORCE_ENV, dynamics: DYNAMICS_ENV, pipedrive: PIPEDRIVE_ENV, zoho: ZOHO_ENV };
    const lines = out.split('\n');
    for (const crm of SAAS_CRM_NAMES) {
      const start = lines.findIndex((l) => l.startsWith(`  ${crm} `));
      assert.ok(start >= 0, `the help has a line for ${crm}`);
      let end = start + 1;
      while (end < lines.length && /^ {14}\S/.test(lines[end]!)) end++;
      const named = new Set(lines.slice(start, end).join(' ').match(/\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/g) ?? []);
      assert.deepEqual([...named].sort(), Object.values(read[crm]).sort(), crm);
    }
  });
});

const HUBSPOT_VARS = ['HUBSPOT_ACCESS_TOKEN', 'HUBSPOT_CLIENT_ID', 'HUBSPOT_CLIENT_SECRET', 'HUBSPOT_REFRESH_TOKEN', 'HUBSPOT_BASE_URL'];

describe('terminal-crm sync', () => {
  const dir = tempDir('tcrm-sync-cli-');
  let store = '';
  let mock: HubSpotMock;
  const saved = new Map(HUBSPOT_VARS.map((n) => [n, process.env[n]]));
  before(() => {
    for (const n of HUBSPOT_VARS) delete process.env[n];
  });
  after(async () => {
    for (const [n, v] of saved) {
      if (v === undefined) delete process.env[n];
      else process.env[n] = v;
    }
    await closeAllDatabases();
    dir.remove();
  });
  beforeEach(async (t) => {
    store = `sqlite:${join(dir.path, `${t.name.length}-${Date.now()}.db`)}`;
    mock = await HubSpotMock.start({ privateAppToken: TOKEN });
    const db = await openDatabase(store);
    const at = new Date(Date.now() - 1_000);
    await db.transaction((tx) =>
      enqueue(tx, 'hubspot', [
        { kind: 'payment', record: payment(1, 1, { occurredAt: at.toISOString() }) },
        { kind: 'customer', record: customer(1) },
        { kind: 'customer', record: customer(2, { email: 'not-an-email' }) },
        { kind: 'fields', record: { customerExternalId: 'cus_1', fields: { loyalty_tier: 'Gold' } } },
      ], at),
    );
    await closeAllDatabases();
  });
  afterEach(() => {
    mock.stop();
    delete process.env.HUBSPOT_ACCESS_TOKEN;
  });

  it('sends what waits to HubSpot (built from HUBSPOT_* variables) and reports each outcome', async () => {
    process.env.HUBSPOT_ACCESS_TOKEN = TOKEN;
    const { code, out, err } = await cli('--crm', 'hubspot', '--store', store);
    assert.equal(code, 0, err);
    assert.match(out, /^hubspot: 3 synced, 1 rejected, 0 to retry, 0 dead \(3 batches\)$/m);
    assert.match(out, /^ {2}rejected customer cus_2: Email address not-an-email is invalid$/m);
    assert.match(out, /^Nothing else waits\.$/m);
    const contact = mock.recordBy('contacts', 'terminal_crm_id', 'cus_1')[0]!;
    assert.equal(contact.properties.loyalty_tier, 'Gold');
    const deal = mock.recordBy('deals', 'terminal_crm_payment_key', 'stripe:pi_1')[0]!;
    assert.ok(mock.associations.has(`deals:${deal.id}->contacts:${contact.id}`));
    const db = await openDatabase(store);
    const rows = await db.all<{ external_id: string; kind: string; state: string; crm_id: string | null }>('SELECT external_id, kind, state, crm_id FROM outbox ORDER BY kind, external_id');
    assert.deepEqual(rows.map((r) => ({ ...r })), [
      { external_id: 'cus_1', kind: 'customer', state: 'synced', crm_id: contact.id },
      { external_id: 'cus_2', kind: 'customer', state: 'rejected', crm_id: null },
      { external_id: 'cus_1', kind: 'fields', state: 'synced', crm_id: contact.id },
      { external_id: 'stripe:pi_1', kind: 'payment', state: 'synced', crm_id: deal.id },
    ]);
  });

  it('prints the result as JSON and stops at --max-batches', async () => {
    process.env.HUBSPOT_ACCESS_TOKEN = TOKEN;
    const { code, out } = await cli('--crm', 'hubspot', '--store', store, '--max-batches', '1', '--json');
    assert.equal(code, 0);
    const r = JSON.parse(out) as DrainResult;
    assert.deepEqual([r.ended, r.batches, r.counts.synced, r.counts.rejected, r.waiting], ['max-batches', 1, 1, 1, 2]);
  });

  it('a credential HubSpot refuses exits 1 with the variable to fix; the records wait, no attempt counted', async () => {
    process.env.HUBSPOT_ACCESS_TOKEN = 'pat-na1-revoked';
    const { code, err } = await cli('--crm', 'hubspot', '--store', store);
    assert.equal(code, 1);
    assert.match(err, /hubspot refused: hubspot: 401 on POST \/crm\/v3\/objects\/contacts\/batch\/upsert/);
    assert.match(err, /Fix: check HUBSPOT_ACCESS_TOKEN \/ HUBSPOT_CLIENT_ID/);
    const db = await openDatabase(store);
    const rows = await db.all<{ state: string; attempts: number }>('SELECT state, attempts FROM outbox');
    assert.ok(rows.every((r) => r.state === 'pending' && Number(r.attempts) === 0));
  });

  it('prints what the adapter fell back on: Zoho dating deals by UTC days when its token may not read the org', async () => {
    const creds = { clientId: '1000.CLIENTID', clientSecret: 'secret', refreshToken: '1000.refresh.token' };
    const zoho = new ZohoMock({ ...creds, scopes: ['ZohoCRM.modules.ALL', 'ZohoSearch.securesearch.READ'] }).start();
    const zohoStore = `sqlite:${join(dir.path, `zoho-${Date.now()}.db`)}`;
    const db = await openDatabase(zohoStore);
    await db.transaction((tx) => enqueue(tx, 'zoho', [{ kind: 'customer', record: customer(1) }, { kind: 'payment', record: payment(1, 1) }]));
    await closeAllDatabases();
    const env = { ZOHO_CLIENT_ID: creds.clientId, ZOHO_CLIENT_SECRET: creds.clientSecret, ZOHO_REFRESH_TOKEN: creds.refreshToken };
    Object.assign(process.env, env);
    try {
      const { code, out, err } = await cli('--crm', 'zoho', '--store', zohoStore);
      assert.equal(code, 0, err);
      assert.match(out, /^zoho: 2 synced, 0 rejected/m);
      assert.match(out, /^Note: Closing_Date is the UTC day of each payment, .*OAUTH_SCOPE_MISMATCH.*the Zoho account's Time Zone field.*or ZOHO_TIME_ZONE/m);
      assert.equal(zoho.records('Deals').length, 1);
    } finally {
      for (const name of Object.keys(env)) delete process.env[name];
    }
  });

  it('without the CRM’s variables, says which to set before touching anything', async () => {
    const { code, err } = await cli('--crm', 'hubspot', '--store', store);
    assert.equal(code, 1);
    assert.match(err, /HUBSPOT_ACCESS_TOKEN: is not set\. Fix: set HUBSPOT_ACCESS_TOKEN to a private app token/);
    assert.equal(mock.calls.length, 0);
    const missing = await cli('--store', store);
    assert.match(missing.err, /--crm: is missing\. Fix: name the CRM to send to: hubspot, salesforce, dynamics, pipedrive, zoho/);
  });

  it('--help names every variable a CRM will not start without', () => {
    // What an operator meets setting up from the help alone: each refusal names a variable, which the help must list.
    const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const valueOf = (name: string) =>
      name.endsWith('_URL') ? 'https://example.com' : name.endsWith('_FIELD') ? 'f'.repeat(40) : name.endsWith('_TENANT_ID') ? '00000000-0000-0000-0000-000000000000' : name.endsWith('_PRIVATE_KEY') ? pem : 'set';
    for (const crm of SAAS_CRM_NAMES) {
      const env: NodeJS.ProcessEnv = {};
      const asked: string[] = [];
      for (let i = 0; ; i++) {
        assert.ok(i < 10, `${crm} kept refusing: ${asked.join(', ')}`);
        try {
          crmAdapterFromEnv(crm, env);
          break;
        } catch (e) {
          assert.ok(e instanceof InputError, `${crm}: ${String(e)}`);
          const variable = e.field.match(/^[A-Z][A-Z0-9_]+$/)?.[0];
          assert.ok(variable && env[variable] === undefined, `${crm}: ${e.message}`);
          asked.push(variable);
          env[variable] = valueOf(variable);
        }
      }
      const unlisted = asked.filter((v) => !syncCommand.usage.includes(v));
      assert.deepEqual(unlisted, [], `${crm}: terminal-crm sync --help does not name ${unlisted.join(', ')}`);
    }
  });
});
