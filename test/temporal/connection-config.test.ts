import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { temporalConfigFromEnv } from '../../temporal/connection-config';
import { temporalTargetOf } from '../../temporal/temporal-target';
import { tempDir } from '../support/temp-store';

describe('Temporal connection settings from the environment', () => {
  const dir = tempDir('tcrm-tls-');
  after(() => dir.remove());
  const crt = join(dir.path, 'client.pem');
  const key = join(dir.path, 'client.key');
  writeFileSync(crt, 'CERT');
  writeFileSync(key, 'KEY');

  it('defaults to a local dev server without TLS', () => {
    assert.deepEqual(temporalConfigFromEnv({}), { address: '127.0.0.1:7233', namespace: 'default', taskQueue: 'terminal-crm' });
  });

  it('reads address, namespace and task queue', () => {
    const c = temporalConfigFromEnv({ TEMPORAL_ADDRESS: 'temporal:7233', TEMPORAL_NAMESPACE: 'shop', TEMPORAL_TASK_QUEUE: 'pos' });
    assert.deepEqual(c, { address: 'temporal:7233', namespace: 'shop', taskQueue: 'pos' });
  });

  it('takes host:port (or a host alone) and refuses a URL or a port out of range, naming TEMPORAL_ADDRESS', () => {
    for (const ok of ['temporal', 'temporal:7233', '[::1]:7233', 'ns.acct.tmprl.cloud:7233']) assert.equal(temporalConfigFromEnv({ TEMPORAL_ADDRESS: ok }).address, ok);
    for (const bad of ['http://127.0.0.1:7233', 'grpc://temporal:7233', '127.0.0.1:99999', '127.0.0.1:0', 'temporal:7233/default']) {
      assert.throws(() => temporalConfigFromEnv({ TEMPORAL_ADDRESS: bad }), /^InputError: TEMPORAL_ADDRESS: .*Fix: write host:port, such as 127\.0\.0\.1:7233/, bad);
    }
  });

  it('an n8n credential or Node-RED config node (temporalTargetOf) takes exactly the addresses TEMPORAL_ADDRESS takes, ports from 1 to 65535', () => {
    const reads = (read: () => unknown) => {
      try {
        read();
        return true;
      } catch (e) {
        assert.match(String(e), /^InputError: (TEMPORAL_ADDRESS|Address): "[^"]*" (is not host:port|has no port from 1 to 65535)\. Fix: write/);
        return false;
      }
    };
    const addresses = ['temporal', 'temporal:1', 'temporal:7233', 'temporal:65535', 'temporal:65536', 'temporal:99999', 'temporal:0', 'temporal:07233', '127.0.0.1:7233',
      '[::1]:7233', '[::1]', '[::1]:70000', 'http://temporal:7233', 'temporal:7233/x', 'a?b:7233', 'a#b', '::1', 'temporal:', 'temporal:port', 'ns.acct.tmprl.cloud:7233'];
    for (const address of addresses) {
      const fromEnv = reads(() => temporalConfigFromEnv({ TEMPORAL_ADDRESS: address }));
      assert.equal(reads(() => temporalTargetOf({ address })), fromEnv, `${address}: the faces and TEMPORAL_ADDRESS disagree`);
      assert.equal(fromEnv, /^(temporal(:(1|7233|65535))?|127\.0\.0\.1:7233|\[::1\](:7233)?|ns\.acct\.tmprl\.cloud:7233)$/.test(address), address);
    }
    assert.throws(() => temporalTargetOf({ address: 'temporal:99999' }), /^InputError: Address: "temporal:99999" has no port from 1 to 65535/);
  });

  it('uses TLS with the client certificate pair for mTLS', () => {
    const c = temporalConfigFromEnv({ TEMPORAL_TLS_CERT: crt, TEMPORAL_TLS_KEY: key });
    assert.equal(Buffer.from(c.tls!.clientCertPair!.crt).toString(), 'CERT');
    assert.equal(Buffer.from(c.tls!.clientCertPair!.key).toString(), 'KEY');
  });

  it('turns TLS on for an API key (Temporal Cloud)', () => {
    const c = temporalConfigFromEnv({ TEMPORAL_API_KEY: 'secret-key', TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233' });
    assert.deepEqual(c.tls, {});
    assert.equal(c.apiKey, 'secret-key');
  });

  it('refuses a certificate without its key, naming the missing variable', () => {
    assert.throws(() => temporalConfigFromEnv({ TEMPORAL_TLS_CERT: crt }), /^InputError: TEMPORAL_TLS_KEY: mTLS needs both .*Fix: set TEMPORAL_TLS_KEY as well/);
  });

  it('says which file it cannot read', () => {
    assert.throws(
      () => temporalConfigFromEnv({ TEMPORAL_TLS_CERT: join(dir.path, 'missing.pem'), TEMPORAL_TLS_KEY: key }),
      /^InputError: TEMPORAL_TLS_CERT: cannot read client certificate ".*missing\.pem" \(ENOENT\)/,
    );
  });

  it('refuses TLS switched off next to an API key', () => {
    assert.throws(() => temporalConfigFromEnv({ TEMPORAL_API_KEY: 'k', TEMPORAL_TLS: 'false' }), /TEMPORAL_TLS: is false, but/);
  });
});
