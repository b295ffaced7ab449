import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { PACKAGE_NAME, repoRoot } from './repo-root';

const run = promisify(execFile);

/** npm from PATH, run by the Node 24 that also runs n8n (first on PATH), as sandbox/install does. */
async function npm(node: string, args: string[], cwd: string): Promise<string> {
  const env = { ...process.env, PATH: `${dirname(node)}${delimiter}${process.env.PATH ?? ''}`, npm_config_update_notifier: 'false' };
  try {
    const { stdout } = await run('npm', args, { cwd, env, maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (e) {
    const err = e as Error & { stderr?: string; stdout?: string };
    throw new Error(`npm ${args.join(' ')} failed in ${cwd}: ${err.message}\n${err.stderr ?? ''}`);
  }
}

/** `npm pack` of the checkout, as published; the n8n files it lists must have been built (`npm run build`). */
export async function packRepo(node: string, destination: string): Promise<{ tarball: string; ms: number }> {
  const root = repoRoot();
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { n8n: { nodes: string[]; credentials: string[] } };
  const missing = [...manifest.n8n.nodes, ...manifest.n8n.credentials].filter((f) => !existsSync(join(root, f)));
  if (missing.length) throw new Error(`the package is not built (missing ${missing.join(', ')}): run \`npm run build\` first`);
  mkdirSync(destination, { recursive: true });
  const started = Date.now();
  const out = await npm(node, ['pack', root, '--ignore-scripts', '--json', '--pack-destination', destination], destination);
  const [{ filename }] = JSON.parse(out) as Array<{ filename: string }>;
  return { tarball: join(destination, filename), ms: Date.now() - started };
}

/**
 * Installs the tarball where n8n keeps community packages, `<N8N_USER_FOLDER>/.n8n/nodes/node_modules`, as n8n's
 * own installer does: runtime dependencies only, no scripts; n8n-workflow (a peer) comes from n8n itself.
 * `--prefer-offline` lets npm take the dependencies from its cache without asking the registry again.
 */
export async function installPack(node: string, tarball: string, userFolder: string): Promise<{ packageDir: string; ms: number }> {
  const nodesDir = join(userFolder, '.n8n', 'nodes');
  mkdirSync(nodesDir, { recursive: true });
  const started = Date.now();
  await npm(node, ['install', tarball, '--ignore-scripts', '--omit=dev', '--omit=peer', '--no-audit', '--no-fund', '--prefer-offline'], nodesDir);
  const packageDir = join(nodesDir, 'node_modules', ...PACKAGE_NAME.split('/'));
  if (!existsSync(join(packageDir, 'package.json'))) throw new Error(`npm install finished but ${packageDir} is missing`);
  return { packageDir, ms: Date.now() - started };
}
