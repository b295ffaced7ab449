import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { withInstallLock } from './install-lock';
import { isComplete, writeMarker } from './install-marker';
import { resolveInstallOptions, type InstallOptions } from './install-options';
import { note, runLogged, StepFailedError, timedStep } from './run-logged';

/** The pinned Node 24 release, from sandbox/engines/node24.version (also read by .ci/run). */
export function node24Version(enginesDir: string): string {
  const file = join(enginesDir, 'node24.version');
  const version = readFileSync(file, 'utf8').trim();
  if (!/^24\.\d+\.\d+$/.test(version)) throw new Error(`${file} must hold a Node 24 version like 24.21.0, not "${version}"`);
  return version;
}

/**
 * Layout shared with .ci/run: `npm install --prefix <cache>/node24 node-<platform>-<arch>@<version>`
 * puts the binary at `<cache>/node24/node_modules/node-<platform>-<arch>/bin/node` and its headers
 * in `.../include/node` (node-gyp uses them via npm_config_nodedir, so it never downloads any).
 */
export function node24Layout(root: string) {
  const packageName = `node-${process.platform}-${process.arch}`;
  const dir = join(root, 'node24');
  const packageDir = join(dir, 'node_modules', packageName);
  return { packageName, dir, packageDir, node: join(packageDir, 'bin', 'node') };
}

/** The Node 24 headers folder for node-gyp, when `node` is a node-<platform>-<arch> package binary. */
export function nodeHeadersDir(node: string): string | undefined {
  const packageDir = dirname(dirname(node));
  return existsSync(join(packageDir, 'include', 'node', 'node.h')) ? packageDir : undefined;
}

/** Installs the pinned Node 24 into the cache unless already there; returns the node binary's path. */
export async function ensureNode24(options: InstallOptions = {}): Promise<string> {
  const opts = resolveInstallOptions(options);
  const version = node24Version(opts.enginesDir);
  const { packageName, dir, node } = node24Layout(opts.cacheRoot);
  if (isComplete(dir, version) && existsSync(node)) {
    note(opts.reporter, `node ${version}: ready (${node})`);
    return node;
  }
  return withInstallLock(dir, opts.reporter, async () => {
    if (isComplete(dir, version) && existsSync(node)) return node; // another setup finished it while we waited
    const hint =
      `Node ${version} comes from the npm package ${packageName}; check the npm registry is reachable ` +
      `(\`npm view ${packageName}@${version} version\`) and that ${dir} is writable. ` +
      "Re-run with --verbose to see npm's output.";
    if (existsSync(join(dir, 'node_modules'))) {
      await timedStep(opts.reporter, 'node24: remove incomplete install', hint, async () =>
        rmSync(join(dir, 'node_modules'), { recursive: true, force: true }),
      );
    }
    await runLogged({
      step: `node24: npm install ${packageName}@${version}`,
      command: opts.npmCommand,
      args: ['install', '--prefix', dir, '--no-audit', '--no-fund', '--ignore-scripts', `${packageName}@${version}`],
      hint,
      reporter: opts.reporter,
    });
    const step = 'node24: check node --version';
    const printed = await runLogged({ step, command: node, args: ['--version'], hint, reporter: opts.reporter });
    if (printed.trim() !== `v${version}`) {
      throw new StepFailedError(step, `Step "${step}" failed: ${node} printed "${printed.trim()}", expected v${version}.\n  what to do: ${hint}`);
    }
    writeMarker(dir, version, { completed: new Date().toISOString() });
    return node;
  });
}
