import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { copyTree, sharedInstall } from '../../../../sandbox/run/shared/shared-pack-install';
import { tempDir } from '../../../support/temp-store';

describe('one install of a pack tarball per machine, copied into each engine folder', { timeout: 30_000 }, () => {
  const tmp = tempDir('tcrm-packs-');
  after(() => tmp.remove());

  const fakeInstall = (calls: string[]) => async (into: string) => {
    calls.push(into);
    await new Promise((r) => setTimeout(r, 50));
    mkdirSync(join(into, 'node_modules', 'dep'), { recursive: true });
    writeFileSync(join(into, 'node_modules', 'dep', 'index.js'), 'module.exports = 42;\n');
  };

  it('installs a tarball once, even when two engines ask at the same moment', async () => {
    const calls: string[] = [];
    const [a, b] = await Promise.all([sharedInstall('abc', fakeInstall(calls), tmp.path), sharedInstall('abc', fakeInstall(calls), tmp.path)]);
    assert.equal(a, b);
    const racing = calls.length;
    assert.ok(racing >= 1 && racing <= 2);
    const again = await sharedInstall('abc', fakeInstall(calls), tmp.path);
    assert.equal(again, a);
    assert.equal(calls.length, racing, 'a later start copies, it does not install');
    assert.equal(readFileSync(join(a, 'node_modules', 'dep', 'index.js'), 'utf8'), 'module.exports = 42;\n');
    assert.deepEqual(readdirSync(join(tmp.path, 'packs')), ['abc'], 'no half-made install is left behind');
  });

  it('a failed install leaves nothing that a later start would take for done', async () => {
    await assert.rejects(sharedInstall('broken', async () => { throw new Error('npm ERR! 404'); }, tmp.path), /404/);
    assert.ok(!existsSync(join(tmp.path, 'packs', 'broken')));
    const calls: string[] = [];
    await sharedInstall('broken', fakeInstall(calls), tmp.path);
    assert.equal(calls.length, 1);
  });

  it('copies the tree into a fresh folder, sharing the files without sharing the folder', async () => {
    const shared = await sharedInstall('abc', fakeInstall([]), tmp.path);
    const target = join(tmp.path, 'engine', 'node_modules');
    mkdirSync(join(tmp.path, 'engine'));
    await copyTree(join(shared, 'node_modules'), target);
    assert.equal(readFileSync(join(target, 'dep', 'index.js'), 'utf8'), 'module.exports = 42;\n');
    writeFileSync(join(target, 'added-by-engine.json'), '{}');
    assert.ok(!existsSync(join(shared, 'node_modules', 'added-by-engine.json')));
  });
});
