import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { completeEndpoints, ENDPOINTS_FILE, readEndpoints, temporalEndpoints, writeEndpoints } from '../../../sandbox/run/endpoints';
import { SANDBOX_SOURCES } from '../../../sandbox/simulator/sandbox-sources';
import { tempDir } from '../../support/temp-store';

describe('endpoints.json', () => {
  const work = tempDir('tcrm-endpoints-');
  after(() => work.remove());
  const forEvery = (base: string) => Object.fromEntries(SANDBOX_SOURCES.map((s) => [s, `${base}/${s}`]));

  it('lists every source per engine in the documented shape, and reads back', () => {
    const endpoints = completeEndpoints({ n8n: forEvery('http://127.0.0.1:5678/webhook'), 'node-red': forEvery('http://127.0.0.1:1880/terminal-crm'), temporal: temporalEndpoints('http://127.0.0.1:3100/') });
    const file = writeEndpoints(work.path, endpoints);
    assert.equal(file, join(work.path, ENDPOINTS_FILE));
    const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Record<string, string>>;
    assert.deepEqual(Object.keys(json), ['n8n', 'node-red', 'temporal']);
    assert.deepEqual(Object.keys(json.temporal!), [...SANDBOX_SOURCES]);
    assert.equal(json.temporal!['adyen-terminal'], 'http://127.0.0.1:3100/webhooks/adyen-terminal');
    assert.equal(json['node-red']!.square, 'http://127.0.0.1:1880/terminal-crm/square');
    assert.deepEqual(readEndpoints(work.path), json);
  });

  it('refuses an engine without a URL for a source', () => {
    const { sumup: _gone, ...partial } = forEvery('http://127.0.0.1:5678/webhook');
    assert.throws(
      () => completeEndpoints({ n8n: partial, 'node-red': forEvery('http://x'), temporal: temporalEndpoints('http://y') }),
      /n8n has no webhook URL for sumup/,
    );
  });
});
