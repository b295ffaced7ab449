import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { availableSources } from '../../../nodes/core/sources/registry';
import { parseSourceCredentials } from '../../../nodes/core/sources/source-credentials';
import { sandboxConfigFromEnv } from '../../../sandbox/run/sandbox-config';
import { loadSandboxSecrets } from '../../../sandbox/run/sandbox-secrets';
import { credentialEnv, sourceKeysFromEnv, sourceVariables, withEndpointFields } from '../../../sandbox/run/source-keys';
import { sandboxSource, SANDBOX_SOURCES } from '../../../sandbox/simulator/sandbox-sources';
import { tempDir } from '../../support/temp-store';

describe("the sandbox's keys for every source", () => {
  const work = tempDir('tcrm-source-keys-');
  after(() => work.remove());
  const secrets = () => loadSandboxSecrets(work.path).secrets;

  it('runs every source the build has', () => {
    assert.deepEqual([...SANDBOX_SOURCES].sort(), availableSources().sort());
  });

  it('generates a key of the processor’s own form for each, which its source accepts, and keeps it for the next run', () => {
    const keys = sourceKeysFromEnv({}, secrets());
    const c = withEndpointFields(keys, { cloverBaseUrl: 'http://127.0.0.1:1/sandbox/clover', sumupBaseUrl: 'http://127.0.0.1:1/sandbox/sumup' });
    for (const name of SANDBOX_SOURCES) assert.doesNotThrow(() => parseSourceCredentials(sandboxSource(name), c[name]), name);
    assert.match(c.stripe.signingSecret!, /^whsec_/);
    assert.match(c.adyen.hmacKey!, /^[0-9A-F]{128}$/);
    assert.match(c.generic.secret!, /^whsec_[A-Za-z0-9+/]+=*$/);
    assert.deepEqual([c['adyen-terminal'].keyIdentifier, c['adyen-terminal'].keyVersion], ['SandboxTerminalKey', '1']);
    assert.deepEqual([c.clover.baseUrl, c.sumup.baseUrl], ['http://127.0.0.1:1/sandbox/clover', 'http://127.0.0.1:1/sandbox/sumup']);
    // Square checks the URL it was called on unless SQUARE_WEBHOOK_URL names one.
    assert.equal(c.square.notificationUrl, undefined);
    assert.deepEqual(sourceKeysFromEnv({}, secrets()).credentials, keys.credentials);
    assert.deepEqual(Object.values(keys.fromEnv).flat(), []);
  });

  it('takes each key from the variable named after its source, and Square’s URL from SQUARE_WEBHOOK_URL', () => {
    const env = {
      STRIPE_WEBHOOK_SECRET: 'whsec_a,whsec_b',
      SQUARE_WEBHOOK_SIGNATURE_KEY: 'sq-key',
      SQUARE_WEBHOOK_URL: 'https://hooks.example.com/square',
      ADYEN_HMAC_KEY: 'AB12',
      ZETTLE_SIGNING_KEY: 'zk',
      CLOVER_AUTH_CODE: 'clover-code',
      TERMINAL_CRM_WEBHOOK_SECRET: 'whsec_Z2VuZXJpYw==',
    };
    const keys = sourceKeysFromEnv(env, secrets());
    const c = withEndpointFields(keys, { cloverBaseUrl: 'http://127.0.0.1:1/c', sumupBaseUrl: 'http://127.0.0.1:1/s' });
    assert.deepEqual(
      [c.stripe.signingSecret, c.square.signatureKey, c.square.notificationUrl, c.adyen.hmacKey, c.zettle.signingKey, c.clover.authCode, c.generic.secret],
      ['whsec_a,whsec_b', 'sq-key', 'https://hooks.example.com/square', 'AB12', 'zk', 'clover-code', 'whsec_Z2VuZXJpYw=='],
    );
    assert.deepEqual(keys.fromEnv.square, ['SQUARE_WEBHOOK_SIGNATURE_KEY', 'SQUARE_WEBHOOK_URL']);
    assert.equal(c.sumup.signingSecret, secrets().sumupWebhookSecret);
    // The config keeps Stripe's list as it always did.
    const config = sandboxConfigFromEnv({ ...env, TERMINAL_CRM_SANDBOX_DIR: work.path });
    assert.deepEqual([config.webhookSecrets, config.from.webhookSecrets], [['whsec_a', 'whsec_b'], 'STRIPE_WEBHOOK_SECRET']);
  });

  it('names the variable to fix when a key is not one its source accepts', () => {
    assert.throws(() => sourceKeysFromEnv({ ADYEN_HMAC_KEY: 'not hex' }, secrets()), /^InputError: ADYEN_HMAC_KEY: the Adyen credential is not usable: the HMAC key must be the hexadecimal key .*\. Fix: correct ADYEN_HMAC_KEY, or unset it: the key the sandbox generates is used$/);
    assert.throws(() => sourceKeysFromEnv({ SQUARE_WEBHOOK_URL: 'hooks.example.com/square' }, secrets()), /^InputError: SQUARE_WEBHOOK_URL: the Square credential is not usable: "hooks\.example\.com\/square" is not a usable URL: it has no scheme.*\. Fix: correct SQUARE_WEBHOOK_URL, or unset it: each engine then checks the URL it was called on$/);
    assert.throws(() => sourceKeysFromEnv({ ADYEN_TERMINAL_KEY_VERSION: 'one' }, secrets()), /^InputError: ADYEN_TERMINAL_KEY_VERSION: /);
  });

  it('gives the worker every record by the variables the sources declare, and lists them for the help', () => {
    const keys = sourceKeysFromEnv({}, secrets());
    const env = credentialEnv(withEndpointFields(keys, { cloverBaseUrl: 'http://127.0.0.1:1/c', sumupBaseUrl: 'http://127.0.0.1:1/s' }));
    assert.equal(env.SQUARE_WEBHOOK_SIGNATURE_KEY, keys.credentials.square.signatureKey);
    assert.equal(env.ADYEN_TERMINAL_PASSPHRASE, keys.credentials['adyen-terminal'].passphrase);
    assert.equal(env.CLOVER_BASE_URL, 'http://127.0.0.1:1/c');
    assert.equal(env.SUMUP_BASE_URL, 'http://127.0.0.1:1/s');
    assert.equal(env.TERMINAL_CRM_WEBHOOK_SECRET, keys.credentials.generic.secret);
    // The rest is set empty, so the operator's own (a live SQUARE_ACCESS_TOKEN) stays out of the sandbox's worker.
    assert.deepEqual([env.SQUARE_WEBHOOK_URL, env.SQUARE_ACCESS_TOKEN, env.STRIPE_SECRET_KEY], ['', '', '']);
    const listed = sourceVariables();
    for (const name of ['STRIPE_WEBHOOK_SECRET', 'SQUARE_WEBHOOK_SIGNATURE_KEY', 'SQUARE_WEBHOOK_URL', 'ADYEN_HMAC_KEY', 'ZETTLE_SIGNING_KEY', 'CLOVER_AUTH_CODE', 'TERMINAL_CRM_WEBHOOK_SECRET']) {
      assert.ok(listed.includes(name), name);
    }
  });
});
