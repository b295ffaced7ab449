import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cacheRoot, contentKey, engineInstallDir } from '../../../sandbox/install/cache-dir';
import { findEnginesDir } from '../../../sandbox/install/engines-dir';
import { node24Version } from '../../../sandbox/install/node24';
import { pinnedTemporalCliVersion } from '../../../sandbox/install/temporal-venv';

describe('cache dir', () => {
  it('prefers TERMINAL_CRM_CACHE, then XDG_CACHE_HOME, then ~/.cache', () => {
    assert.equal(cacheRoot({ TERMINAL_CRM_CACHE: '/c', XDG_CACHE_HOME: '/x', HOME: '/h' }), '/c');
    assert.equal(cacheRoot({ XDG_CACHE_HOME: '/x', HOME: '/h' }), '/x/terminal-crm');
    assert.equal(cacheRoot({ HOME: '/h' }), '/h/.cache/terminal-crm');
    assert.equal(cacheRoot({ TERMINAL_CRM_CACHE: '', XDG_CACHE_HOME: '', HOME: '/h' }), '/h/.cache/terminal-crm');
  });

  it('keys an install by the first 12 hex of the lockfile sha256, and a changed lockfile changes the dir', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tcrm-key-'));
    const lock = join(dir, 'package-lock.json');
    writeFileSync(lock, '{"lockfileVersion":3,"packages":{"node_modules/n8n":{"version":"2.39.10"}}}\n');
    const first = contentKey(lock);
    assert.match(first, /^[0-9a-f]{12}$/);
    assert.equal(first, createHash('sha256').update(readFileSync(lock)).digest('hex').slice(0, 12));
    assert.equal(contentKey(lock), first, 'same content, same key');

    writeFileSync(lock, '{"lockfileVersion":3,"packages":{"node_modules/n8n":{"version":"2.39.11"}}}\n');
    const second = contentKey(lock);
    assert.notEqual(second, first);
    assert.notEqual(engineInstallDir('/c', 'n8n', second), engineInstallDir('/c', 'n8n', first));
    assert.equal(engineInstallDir('/c', 'n8n', second), `/c/engines/n8n-${second}`);
  });

  it("finds the repo's pinned engines: Node 24, distinct n8n/Node-RED lockfiles, Temporal wheels", () => {
    const engines = findEnginesDir();
    assert.match(node24Version(engines), /^24\.\d+\.\d+$/);
    const n8nKey = contentKey(join(engines, 'n8n', 'package-lock.json'));
    const nodeRedKey = contentKey(join(engines, 'node-red', 'package-lock.json'));
    assert.notEqual(n8nKey, nodeRedKey);
    for (const name of ['n8n', 'node-red']) {
      const manifest = JSON.parse(readFileSync(join(engines, name, 'package.json'), 'utf8'));
      const lock = JSON.parse(readFileSync(join(engines, name, 'package-lock.json'), 'utf8'));
      assert.equal(lock.packages[`node_modules/${name}`].version, manifest.dependencies[name], `${name} lockfile matches its pin`);
    }
    const requirements = readFileSync(join(engines, 'temporal', 'requirements.txt'), 'utf8');
    assert.match(pinnedTemporalCliVersion(requirements), /^\d+\.\d+\.\d+$/);
    assert.equal((requirements.match(/--hash=sha256:[0-9a-f]{64}/g) ?? []).length, 2, 'both wheels hash-pinned');
  });
});
