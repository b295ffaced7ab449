import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { repoRoot } from './repo-root';
import { runCommand } from './run-command';
import { copyTree, sharedInstall } from './shared-pack-install';

export interface PackageManifest {
  name: string;
  version: string;
  n8n?: { nodes?: string[]; credentials?: string[] };
  'node-red'?: { nodes?: Record<string, string> };
}

export function readManifest(repoDir: string = repoRoot()): PackageManifest {
  return JSON.parse(readFileSync(join(repoDir, 'package.json'), 'utf8')) as PackageManifest;
}

/** npm under the given Node (first on PATH), the way a user on that Node would run it. */
export function npmEnv(node: string): NodeJS.ProcessEnv {
  return { ...process.env, PATH: `${dirname(node)}${delimiter}${process.env.PATH ?? ''}`, npm_config_update_notifier: 'false' };
}

/**
 * The tarball must hold what the sources say: an engine entry file missing from dist, or older than its source,
 * means `npm run build` was not run and the engines would run an old build.
 */
export function assertBuilt(repoDir: string = repoRoot()): void {
  const manifest = readManifest(repoDir);
  const files = [...(manifest.n8n?.nodes ?? []), ...(manifest.n8n?.credentials ?? []), ...Object.values(manifest['node-red']?.nodes ?? {})];
  for (const file of files) {
    const built = join(repoDir, file);
    const source = join(repoDir, file.replace(/^dist\//, '').replace(/\.js$/, '.ts'));
    if (!existsSync(built)) throw new Error(`the package is not built (${file} is missing). Fix: run \`npm run build\` first`);
    if (existsSync(source) && statSync(source).mtimeMs > statSync(built).mtimeMs) {
      throw new Error(`${file} is older than ${source}. Fix: run \`npm run build\` first`);
    }
  }
}

export interface PackedRepo {
  tarball: string;
  /** sha256 of the tarball: npm pack is reproducible, so an unchanged build gives the same hash. */
  sha256: string;
  ms: number;
}

/** `npm pack` of the checkout, as it would be published. */
export async function packRepo(node: string, destination: string, repoDir: string = repoRoot()): Promise<PackedRepo> {
  assertBuilt(repoDir);
  mkdirSync(destination, { recursive: true });
  const { stdout, ms } = await runCommand('npm', ['pack', repoDir, '--ignore-scripts', '--json', '--pack-destination', destination], {
    cwd: destination,
    env: npmEnv(node),
  });
  const [{ filename }] = JSON.parse(stdout) as Array<{ filename: string }>;
  const tarball = join(destination, filename);
  return { tarball, sha256: createHash('sha256').update(readFileSync(tarball)).digest('hex'), ms };
}

/** Written beside node_modules after an install, so the next start can skip an identical one. */
const INSTALLED_MARKER = '.terminal-crm-pack.sha256';

export interface InstalledPack {
  packageDir: string;
  ms: number;
  /** True when the same tarball was already installed there. */
  skipped: boolean;
}

/**
 * Installs the tarball into `dir`/node_modules as the engines' own installers do: runtime dependencies only, no
 * scripts; peers (n8n-workflow) come from the engine. n8n reads community packages from
 * `<N8N_USER_FOLDER>/.n8n/nodes`, Node-RED from its user directory. `--prefer-offline` takes dependencies from
 * npm's cache without asking the registry again. A folder without node_modules gets a copy of the tarball's one
 * install on this machine (shared-pack-install.ts); one with packages in it gets a real install among them.
 */
export async function installPack(node: string, packed: Pick<PackedRepo, 'tarball' | 'sha256'>, dir: string): Promise<InstalledPack> {
  mkdirSync(dir, { recursive: true });
  // Without a package.json of its own, npm would install into the nearest folder above that has one (the
  // checkout itself, when the state folder is inside it) and add the pack to that project's dependencies.
  const manifest = join(dir, 'package.json');
  if (!existsSync(manifest)) writeFileSync(manifest, `${JSON.stringify({ name: 'terminal-crm-engine-packages', private: true, description: 'Packages installed here by terminal-crm' }, null, 2)}\n`);
  const packageDir = join(dir, 'node_modules', ...readManifest().name.split('/'));
  const marker = join(dir, INSTALLED_MARKER);
  const installed = existsSync(marker) ? readFileSync(marker, 'utf8').trim() : undefined;
  if (installed === packed.sha256 && existsSync(join(packageDir, 'package.json'))) return { packageDir, ms: 0, skipped: true };
  const startedAt = performance.now();
  const npmInstall = (into: string) =>
    runCommand(
      'npm',
      ['install', packed.tarball, '--prefix', into, '--ignore-scripts', '--omit=dev', '--omit=peer', '--no-audit', '--no-fund', '--prefer-offline'],
      { cwd: into, env: npmEnv(node) },
    ).then(() => undefined);
  if (existsSync(join(dir, 'node_modules'))) {
    // Packages of the operator's own are there: npm places ours among them.
    await npmInstall(dir);
  } else {
    // A fresh folder (every end-to-end test, a first `npm start`): a copy of this tarball's one install.
    const shared = await sharedInstall(packed.sha256, async (into) => {
      writeFileSync(join(into, 'package.json'), readFileSync(manifest));
      await npmInstall(into);
    });
    await copyTree(join(shared, 'node_modules'), join(dir, 'node_modules'));
    for (const file of ['package.json', 'package-lock.json']) if (existsSync(join(shared, file))) copyFileSync(join(shared, file), join(dir, file));
  }
  if (!existsSync(join(packageDir, 'package.json'))) throw new Error(`npm install finished but ${packageDir} is missing`);
  writeFileSync(marker, `${packed.sha256}\n`);
  return { packageDir, ms: performance.now() - startedAt, skipped: false };
}
