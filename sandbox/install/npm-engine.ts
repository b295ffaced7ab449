import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, delimiter, dirname, join } from 'node:path';
import { contentKey, engineInstallDir } from './cache-dir';
import { withInstallLock } from './install-lock';
import { isComplete, writeMarker } from './install-marker';
import { resolveInstallOptions, type InstallOptions, type ResolvedInstallOptions } from './install-options';
import { ensureNode24, nodeHeadersDir } from './node24';
import { note, runLogged, StepFailedError, timedStep } from './run-logged';

export type NpmEngineName = 'n8n' | 'node-red';

/** How one npm-installed engine is set up beyond `npm ci --ignore-scripts`. */
export interface NpmEngineRecipe {
  /** Folder under sandbox/engines holding package.json + package-lock.json; also the cache dir prefix. */
  name: string;
  /** The pinned dependency whose version `<bin> --version` must print. */
  packageName: string;
  /** Entry point, relative to the install dir. */
  bin: string;
  /**
   * Packages whose install script must run (everything else is installed with --ignore-scripts:
   * several of n8n's download binaries, which fails offline). Rebuilt with node-gyp against the
   * Node 24 headers, then `require`d to prove they load.
   */
  nativeModules: readonly string[];
}

export const NPM_ENGINES: Record<NpmEngineName, NpmEngineRecipe> = {
  // sqlite3 is n8n's default database; isolated-vm ships a prebuilt for Node 24's ABI (137).
  n8n: { name: 'n8n', packageName: 'n8n', bin: 'node_modules/n8n/bin/n8n', nativeModules: ['sqlite3'] },
  // Node-RED's only native dependency (@node-rs/bcrypt) comes as prebuilt platform packages.
  'node-red': { name: 'node-red', packageName: 'node-red', bin: 'node_modules/node-red/red.js', nativeModules: [] },
};

export interface NpmEngine {
  name: string;
  /** The pinned version of the engine package. */
  version: string;
  /** Install dir, `<cache>/engines/<name>-<key>`. */
  dir: string;
  /** Run it as `<node24> <binPath> ...`. */
  binPath: string;
  /** The Node 24 binary it was installed (and must run) with. */
  node: string;
}

/**
 * Installs n8n or Node-RED from its pinned lockfile into the cache unless already there.
 * `node`: the Node 24 binary when the caller already has it (default: ensureNode24()).
 */
export async function ensureEngine(name: NpmEngineName, options: InstallOptions & { node?: string } = {}): Promise<NpmEngine> {
  const node = options.node ?? (await ensureNode24(options));
  return installNpmEngine(NPM_ENGINES[name], node, options);
}

/** The part of ensureEngine after Node 24 is known; exported so tests can drive it with a fake npm. */
export async function installNpmEngine(recipe: NpmEngineRecipe, node: string, options: InstallOptions = {}): Promise<NpmEngine> {
  const opts = resolveInstallOptions(options);
  const source = join(opts.enginesDir, recipe.name);
  const lockfile = join(source, 'package-lock.json');
  const manifest = JSON.parse(readFileSync(join(source, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  const version = manifest.dependencies?.[recipe.packageName];
  if (!version) throw new Error(`${source}/package.json must pin "${recipe.packageName}" in dependencies`);
  const key = contentKey(lockfile);
  const dir = engineInstallDir(opts.cacheRoot, recipe.name, key);
  const engine: NpmEngine = { name: recipe.name, version, dir, binPath: join(dir, recipe.bin), node };
  const label = `${recipe.name} ${version}`;

  if (isComplete(dir, key) && existsSync(engine.binPath)) {
    note(opts.reporter, `${label}: ready (${dir})`);
    return engine;
  }
  return withInstallLock(dir, opts.reporter, async () => {
    if (isComplete(dir, key)) return engine; // another setup finished it while we waited
    const startedAt = Date.now();
    const logFile = join(dir, 'install.log');
    const env = engineEnv(node);
    const verboseHint = 'Re-run `terminal-crm setup --verbose` to stream the tools\' output.';
    const npmHint =
      `Check the npm registry is reachable (\`npm ping\`) and that sandbox/engines/${recipe.name}/package-lock.json ` +
      `still matches its package.json (see sandbox/engines/README.md to regenerate it). ${verboseHint}`;

    await timedStep(opts.reporter, `${recipe.name}: prepare ${dir}`, `Check that ${dirname(dir)} is writable and has space.`, async () => {
      rmSync(dir, { recursive: true, force: true }); // a dir without the marker is a half install: start over
      mkdirSync(dir, { recursive: true });
      copyFileSync(join(source, 'package.json'), join(dir, 'package.json'));
      copyFileSync(lockfile, join(dir, 'package-lock.json'));
    });
    await runLogged({
      step: `${recipe.name}: npm ci`,
      command: opts.npmCommand,
      args: ['ci', '--ignore-scripts', '--no-audit', '--no-fund'],
      cwd: dir, env, logFile, hint: npmHint, reporter: opts.reporter,
    });
    for (const nativeModule of recipe.nativeModules) {
      await runLogged({
        step: `${recipe.name}: npm rebuild ${nativeModule}`,
        command: opts.npmCommand,
        args: ['rebuild', '--ignore-scripts=false', nativeModule],
        cwd: dir, env, logFile, reporter: opts.reporter,
        hint:
          `${nativeModule} is compiled from source by node-gyp against the Node 24 headers in ${env.npm_config_nodedir ?? '(none found)'}; ` +
          `that needs python3, make and a C++ compiler (Debian: apt-get install -y build-essential python3). ${verboseHint}`,
      });
    }
    const modulePaths = nativeModulePaths(dir, recipe.nativeModules);
    if (modulePaths.length > 0) {
      await runLogged({
        step: `${recipe.name}: load native modules`,
        command: node,
        args: ['-e', 'for (const p of process.argv.slice(1)) require(p)', ...modulePaths],
        cwd: dir, env, logFile, reporter: opts.reporter,
        hint: `A native module does not load under ${node}; see the error above and the rebuild output in ${logFile}.`,
      });
    }
    const checkStep = `${recipe.name}: check ${basename(recipe.bin)} --version`;
    const printed = await runLogged({
      step: checkStep,
      command: node,
      args: [engine.binPath, '--version'],
      cwd: dir, env, logFile, reporter: opts.reporter,
      hint: `The installed ${recipe.packageName} does not start; see ${logFile}. ${verboseHint}`,
    });
    if (!printed.includes(version)) {
      throw new StepFailedError(checkStep, `Step "${checkStep}" failed: it printed "${printed.trim()}", expected it to mention ${version}.\n  what to do: delete ${dir} and run \`terminal-crm setup\` again.`);
    }
    writeMarker(dir, key, { engine: label, node, completed: new Date().toISOString(), seconds: Math.round((Date.now() - startedAt) / 1000) });
    noteOlderInstalls(opts, recipe.name, dir);
    return engine;
  });
}

/**
 * Environment for npm and node-gyp: Node 24 first on PATH, its bundled headers as nodedir
 * (node-gyp would otherwise download them), no prebuilt-binary downloads, all cores.
 */
function engineEnv(node: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${dirname(node)}${delimiter}${process.env.PATH ?? ''}`,
    npm_config_build_from_source: 'true',
    npm_config_update_notifier: 'false',
    JOBS: 'max',
  };
  const headers = nodeHeadersDir(node);
  if (headers) env.npm_config_nodedir = headers;
  return env;
}

/** Every copy of the named packages in the lockfile (npm may nest several), as absolute paths. */
function nativeModulePaths(dir: string, names: readonly string[]): string[] {
  if (names.length === 0) return [];
  const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8')) as {
    packages?: Record<string, { optional?: boolean }>;
  };
  return Object.entries(lock.packages ?? {})
    .filter(([path, entry]) => !entry.optional && names.some((name) => path.endsWith(`node_modules/${name}`)))
    .map(([path]) => join(dir, path));
}

function noteOlderInstalls(opts: ResolvedInstallOptions, name: string, current: string): void {
  const enginesRoot = dirname(current);
  const older = readdirSync(enginesRoot)
    .filter((entry) => new RegExp(`^${name}-[0-9a-f]{12}$`).test(entry) && join(enginesRoot, entry) !== current)
    .map((entry) => join(enginesRoot, entry));
  if (older.length > 0) note(opts.reporter, `${name}: older installs can be deleted to free space: ${older.join(' ')}`);
}
