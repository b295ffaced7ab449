import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { NpmEngine } from '../../install';
import { freePort } from '../shared/free-port';
import { describeExit, spawnGroup, type GroupProcess } from '../shared/process-group';
import { GiveUp, waitUntil } from '../shared/wait-until';
import { n8nEnv, type N8nOwner } from './n8n-env';

export interface RunningN8n {
  baseUrl: string;
  userFolder: string;
  logFile: string;
  /** Milliseconds from spawn until /healthz/readiness answered 200. */
  startupMs: number;
  process: GroupProcess;
  /** The last lines n8n printed, for failure messages. */
  logTail(lines?: number): string;
  /** Stops n8n and everything it started (its whole process group). */
  stop(): Promise<void>;
}

export interface StartN8nOptions {
  /** The pinned install (sandbox/install ensureEngine('n8n')), run with its Node 24. */
  engine: Pick<NpmEngine, 'node' | 'binPath'>;
  owner: N8nOwner;
  /** Default: a free port. */
  port?: number;
  encryptionKey?: string;
  readyTimeoutMs?: number;
  extraEnv?: Record<string, string>;
  /** Default: n8n.log in the user folder. */
  logFile?: string;
}

/**
 * Starts `n8n start` with its own user folder on loopback and waits until it reports ready. It runs in its own
 * process group so stop() also ends anything it spawned; a start that fails or hangs throws with n8n's log.
 */
export async function startN8n(userFolder: string, opts: StartN8nOptions): Promise<RunningN8n> {
  const port = opts.port ?? (await freePort());
  const brokerPort = await freePort();
  mkdirSync(userFolder, { recursive: true });
  const logFile = opts.logFile ?? join(userFolder, 'n8n.log');
  const env = {
    ...process.env,
    ...n8nEnv({ userFolder, port, brokerPort, owner: opts.owner, encryptionKey: opts.encryptionKey, runnersAuthToken: randomBytes(16).toString('hex') }),
    ...opts.extraEnv,
  };
  const started = Date.now();
  const child = spawnGroup('n8n', opts.engine.node, [opts.engine.binPath, 'start'], { env, logFile, cwd: userFolder });
  const baseUrl = `http://127.0.0.1:${port}`;
  const logTail = (lines = 40) => child.tail(lines);
  try {
    await waitUntil('n8n to report ready on /healthz/readiness', opts.readyTimeoutMs ?? 120_000, async () => {
      const exit = child.exitStatus();
      if (exit) throw new GiveUp(`n8n ${describeExit(exit)}`);
      const res = await fetch(`${baseUrl}/healthz/readiness`).catch(() => undefined);
      await res?.body?.cancel();
      return res?.ok ? true : undefined;
    });
  } catch (e) {
    await child.stop();
    throw new Error(`${(e as Error).message}\n--- n8n log (${logFile}) ---\n${logTail()}`);
  }
  return { baseUrl, userFolder, logFile, startupMs: Date.now() - started, process: child, logTail, stop: () => child.stop() };
}
