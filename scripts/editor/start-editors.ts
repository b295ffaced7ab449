import { randomBytes } from 'node:crypto';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ensureEngine } from '../../sandbox/install';
import { hashOwnerPassword } from '../../sandbox/run/n8n/owner-password';
import { ownerSession, type RestSession } from '../../sandbox/run/n8n/rest-session';
import { startN8n, type RunningN8n } from '../../sandbox/run/n8n/start-n8n';
import { writeNodeRedSettings } from '../../sandbox/run/node-red/settings';
import { startNodeRed, type RunningNodeRed } from '../../sandbox/run/node-red/start-node-red';
import { freePort } from '../../sandbox/run/shared/free-port';
import { installPack, packRepo, type PackedRepo } from '../../sandbox/run/shared/pack';
import { repoRoot } from '../../sandbox/run/shared/repo-root';

/**
 * The pack installed once per engine in build/editor-engines/<engine> (git-ignored) and linked into each fresh
 * engine folder: npm install of the tarball is most of an editor start, and npm pack is reproducible, so an
 * unchanged build is installed only once however often the checks and the pictures run.
 */
async function linkedInstall(node: string, tarball: Pick<PackedRepo, 'tarball' | 'sha256'>, engine: 'n8n' | 'node-red', link: string, target: (dir: string) => string): Promise<void> {
  const dir = join(repoRoot(), 'build', 'editor-engines', engine);
  const { ms, skipped } = await installPack(node, tarball, dir);
  process.stdout.write(`# editors: pack ${skipped ? 'already installed' : `installed in ${Math.round(ms / 1000)} s`} for ${engine}\n`);
  mkdirSync(join(link, '..'), { recursive: true });
  symlinkSync(target(dir), link, 'dir');
}

export interface N8nEditor {
  baseUrl: string;
  owner: { email: string; password: string };
  rest: RestSession;
  /** A public-API key allowed to create workflows: what `terminal-crm templates install --n8n` is given. */
  apiKey: string;
  engine: RunningN8n;
}

export interface NodeRedEditor {
  baseUrl: string;
  engine: RunningNodeRed;
}

export interface Editors {
  n8n?: N8nEditor;
  nodeRed?: NodeRedEditor;
  /** Stops both engines (each with its whole process group). */
  stop(): Promise<void>;
}

/** n8n with the pack installed from its tarball, its public API on (templates install uses it) and a key for it. */
async function startN8nEditor(workDir: string, tarball: PackedRepo): Promise<N8nEditor> {
  const engine = await ensureEngine('n8n');
  const userFolder = join(workDir, 'n8n');
  // n8n loads community packages from <user folder>/.n8n/nodes/node_modules.
  await linkedInstall(engine.node, tarball, 'n8n', join(userFolder, '.n8n', 'nodes'), (dir) => dir);
  const owner = { email: 'owner@terminal-crm.editor', password: `Editor-${randomBytes(9).toString('base64url')}1` };
  const running = await startN8n(userFolder, {
    engine,
    owner: { ...owner, passwordHash: hashOwnerPassword(engine.dir, owner.password) },
    extraEnv: { N8N_PUBLIC_API_DISABLED: 'false' },
  });
  try {
    const rest = await ownerSession(running.baseUrl, owner);
    const key = await rest.request<{ rawApiKey: string }>('POST', '/api-keys', { label: 'terminal-crm editor checks', scopes: ['workflow:create', 'workflow:read'], expiresAt: null });
    return { baseUrl: running.baseUrl, owner, rest, apiKey: key.rawApiKey, engine: running };
  } catch (e) {
    const tail = running.logTail();
    await running.stop();
    throw new Error(`${(e as Error).message}\n--- n8n log ---\n${tail}`);
  }
}

async function startNodeRedEditor(workDir: string, tarball: PackedRepo): Promise<NodeRedEditor> {
  const engine = await ensureEngine('node-red');
  const userDir = join(workDir, 'node-red');
  // Node-RED loads packages from <userDir>/node_modules.
  await linkedInstall(engine.node, tarball, 'node-red', join(userDir, 'node_modules'), (dir) => join(dir, 'node_modules'));
  const port = await freePort();
  writeNodeRedSettings(userDir, { port, credentialSecret: 'terminal-crm-editor', logLevel: 'warn' });
  const running = await startNodeRed({ node: engine.node, redJs: engine.binPath, userDir, port, logFile: join(userDir, 'node-red.log') });
  return { baseUrl: running.baseUrl, engine: running };
}

/**
 * The real editors as the e2e tests and the sandbox run them: the repo packed once (`npm run build` first), n8n
 * and Node-RED started side by side in `workDir` with the pack installed, nothing imported yet.
 */
export async function startEditors(workDir: string, which: { n8n: boolean; nodeRed: boolean }): Promise<Editors> {
  const node = (await ensureEngine(which.n8n ? 'n8n' : 'node-red')).node;
  const tarball = await packRepo(node, join(workDir, 'pack'));
  process.stdout.write(`# editors: packed in ${Math.round(tarball.ms / 1000)} s\n`);
  const [n8n, nodeRed] = await Promise.allSettled([
    which.n8n ? startN8nEditor(workDir, tarball) : Promise.resolve(undefined),
    which.nodeRed ? startNodeRedEditor(workDir, tarball) : Promise.resolve(undefined),
  ]);
  const stop = async () => {
    await Promise.all([n8n.status === 'fulfilled' ? n8n.value?.engine.stop() : undefined, nodeRed.status === 'fulfilled' ? nodeRed.value?.engine.stop() : undefined]);
  };
  const failed = [n8n, nodeRed].filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed.length) {
    await stop();
    throw new Error(failed.map((f) => (f.reason as Error).message).join('\n'));
  }
  return { n8n: n8n.status === 'fulfilled' ? n8n.value : undefined, nodeRed: nodeRed.status === 'fulfilled' ? nodeRed.value : undefined, stop };
}
