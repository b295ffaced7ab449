import { existsSync, readFileSync, statSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { runCommand } from './run-command';

export interface PackageManifest {
  name: string;
  version: string;
  'node-red'?: { nodes?: Record<string, string> };
}

export function readManifest(repoDir: string): PackageManifest {
  return JSON.parse(readFileSync(join(repoDir, 'package.json'), 'utf8')) as PackageManifest;
}

/** npm and node-gyp under the given Node, the way a user on that Node would run them. */
export function npmEnv(node: string): NodeJS.ProcessEnv {
  return { ...process.env, PATH: `${dirname(node)}${delimiter}${process.env.PATH ?? ''}`, npm_config_update_notifier: 'false' };
}

/**
 * The tarball must hold what the sources say: a Node-RED file missing from dist, or older than its source, means
 * `npm run build` was not run and the test would prove an old build.
 */
export function assertBuilt(repoDir: string): void {
  for (const file of Object.values(readManifest(repoDir)['node-red']?.nodes ?? {})) {
    const built = join(repoDir, file);
    const source = join(repoDir, file.replace(/^dist\//, '').replace(/\.js$/, '.ts'));
    if (!existsSync(built)) throw new Error(`${file} is missing: run \`npm run build\` first`);
    if (existsSync(source) && statSync(source).mtimeMs > statSync(built).mtimeMs) {
      throw new Error(`${file} is older than ${source}: run \`npm run build\` first`);
    }
  }
}

/** `npm pack` of the repo, as it would be published. */
export async function packRepo(repoDir: string, destDir: string, node: string): Promise<{ tarball: string; ms: number }> {
  assertBuilt(repoDir);
  const { stdout, ms } = await runCommand('npm', ['pack', repoDir, '--pack-destination', destDir, '--ignore-scripts', '--json'], {
    cwd: destDir,
    env: npmEnv(node),
  });
  const [packed] = JSON.parse(stdout) as Array<{ filename: string }>;
  return { tarball: join(destDir, packed!.filename), ms };
}

/**
 * Installs the tarball the way a user adds nodes by hand: `npm install` in the Node-RED user directory, which
 * Node-RED scans for packages with a "node-red" section on start.
 */
export async function installIntoUserDir(userDir: string, tarball: string, node: string): Promise<{ ms: number }> {
  const { ms } = await runCommand(
    'npm',
    ['install', tarball, '--ignore-scripts', '--omit=dev', '--omit=peer', '--no-audit', '--no-fund', '--prefer-offline'],
    { cwd: userDir, env: npmEnv(node) },
  );
  return { ms };
}
