import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DEFAULT_PORTS, sandboxConfigFromEnv } from '../../../sandbox/run/sandbox-config';
import { SECRETS_FILE } from '../../../sandbox/run/sandbox-secrets';
import { tempDir, TEST_TOKEN_KEYS } from '../../support/temp-store';

describe('sandbox settings', () => {
  const work = tempDir('tcrm-sandbox-config-');
  after(() => work.remove());

  it('defaults to ./.sandbox in the working folder, the default ports, and a store inside the folder', () => {
    const c = sandboxConfigFromEnv({}, work.path);
    assert.equal(c.dir, join(work.path, '.sandbox'));
    assert.equal(c.storeUrl, `sqlite:${join(work.path, '.sandbox', 'store.db')}`);
    assert.deepEqual(c.ports, { ...DEFAULT_PORTS });
    assert.equal(c.simulatorIntervalMs, 4000);
    assert.deepEqual(c.crm, { name: 'local' });
    assert.deepEqual([c.ports.mailSmtp, c.ports.mail], [1025, 8025]);
  });

  it('stops on TERMINAL_CRM_CRM naming a SaaS CRM whose variables are missing, by the variable', () => {
    const dir = { TERMINAL_CRM_SANDBOX_DIR: join(work.path, 'crm') };
    assert.throws(() => sandboxConfigFromEnv({ ...dir, TERMINAL_CRM_CRM: 'hubspot' }), /^InputError: HUBSPOT_ACCESS_TOKEN: is not set/);
    assert.throws(() => sandboxConfigFromEnv({ ...dir, TERMINAL_CRM_CRM: 'zoho', ZOHO_CLIENT_ID: 'id' }), /^InputError: ZOHO_CLIENT_SECRET: is not set/);
    const c = sandboxConfigFromEnv({ ...dir, TERMINAL_CRM_CRM: 'hubspot', HUBSPOT_ACCESS_TOKEN: 'pat-1', HUBSPOT_BASE_URL: 'http://127.0.0.1:1' });
    assert.ok(c.crm.name === 'hubspot');
    assert.deepEqual(c.crm.record, { accessToken: 'pat-1', baseUrl: 'http://127.0.0.1:1' });
  });

  it('generates the secrets on the first run, keeps them (mode 600) and reuses them on the next', () => {
    const env = { TERMINAL_CRM_SANDBOX_DIR: 'state' };
    const first = sandboxConfigFromEnv(env, work.path);
    const file = join(work.path, 'state', SECRETS_FILE);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.match(first.tokenKeys, /^k1:[0-9a-f]{64}$/);
    assert.match(first.webhookSecrets[0]!, /^whsec_/);
    const again = sandboxConfigFromEnv(env, work.path);
    assert.deepEqual([again.tokenKeys, again.webhookSecrets, again.n8nOwner, again.nodeRedCredentialSecret], [first.tokenKeys, first.webhookSecrets, first.n8nOwner, first.nodeRedCredentialSecret]);
    assert.equal(again.from.tokenKeys, file);
  });

  it('lets the environment override keys, secrets, password and store without touching the file', () => {
    const env = {
      TERMINAL_CRM_SANDBOX_DIR: join(work.path, 'env'),
      TERMINAL_CRM_TOKEN_KEYS: TEST_TOKEN_KEYS,
      STRIPE_WEBHOOK_SECRET: 'whsec_a, whsec_b',
      TERMINAL_CRM_SANDBOX_PASSWORD: 'Long-enough-1',
      TERMINAL_CRM_STORE_URL: 'sqlite:/elsewhere/store.db',
    };
    const stored = sandboxConfigFromEnv({ TERMINAL_CRM_SANDBOX_DIR: env.TERMINAL_CRM_SANDBOX_DIR });
    const c = sandboxConfigFromEnv(env);
    assert.equal(c.tokenKeys, TEST_TOKEN_KEYS);
    assert.deepEqual(c.webhookSecrets, ['whsec_a', 'whsec_b']);
    assert.equal(c.n8nOwner.password, 'Long-enough-1');
    assert.equal(c.storeUrl, 'sqlite:/elsewhere/store.db');
    assert.equal(c.from.webhookSecrets, 'STRIPE_WEBHOOK_SECRET');
    const file = JSON.parse(readFileSync(join(env.TERMINAL_CRM_SANDBOX_DIR, SECRETS_FILE), 'utf8')) as { tokenKeys: string };
    assert.equal(file.tokenKeys, stored.tokenKeys);
  });

  it('names the variable to fix for a bad port, a port used twice, a bad interval, a bad key or a short password', () => {
    const dir = { TERMINAL_CRM_SANDBOX_DIR: join(work.path, 'bad') };
    assert.throws(() => sandboxConfigFromEnv({ ...dir, TERMINAL_CRM_N8N_PORT: 'http' }), /^InputError: TERMINAL_CRM_N8N_PORT: "http" is not a port: it is not written in digits alone \(no sign, space, point, exponent or 0x\)\. Fix: /);
    assert.throws(() => sandboxConfigFromEnv({ ...dir, TERMINAL_CRM_N8N_PORT: '1880' }), /^InputError: TERMINAL_CRM_N8N_PORT: 1880 is also the port of TERMINAL_CRM_NODE_RED_PORT \(its default\)\. Fix: give TERMINAL_CRM_N8N_PORT a port no other part uses/);
    assert.throws(() => sandboxConfigFromEnv({ ...dir, TERMINAL_CRM_MAIL_PORT: '1025' }), /^InputError: TERMINAL_CRM_MAIL_PORT: 1025 is also the port of TERMINAL_CRM_MAIL_SMTP_PORT \(its default\)/);
    assert.throws(() => sandboxConfigFromEnv({ ...dir, TERMINAL_CRM_SIMULATOR_INTERVAL_MS: '-5' }), /TERMINAL_CRM_SIMULATOR_INTERVAL_MS: "-5" is not a number of milliseconds/);
    assert.throws(() => sandboxConfigFromEnv({ ...dir, TERMINAL_CRM_TOKEN_KEYS: 'k1:abcd' }), /^InputError: TERMINAL_CRM_TOKEN_KEYS: key "k1" is 2 bytes/);
    assert.throws(() => sandboxConfigFromEnv({ ...dir, TERMINAL_CRM_SANDBOX_PASSWORD: 'short' }), /TERMINAL_CRM_SANDBOX_PASSWORD: is shorter than 8 characters/);
  });

  it('refuses a secrets file that is not JSON instead of replacing the keys in it', () => {
    const dir = join(work.path, 'broken');
    sandboxConfigFromEnv({ TERMINAL_CRM_SANDBOX_DIR: dir });
    writeFileSync(join(dir, SECRETS_FILE), '{ not json');
    assert.throws(() => sandboxConfigFromEnv({ TERMINAL_CRM_SANDBOX_DIR: dir }), /sandbox-secrets\.json is not valid JSON/);
  });
});
