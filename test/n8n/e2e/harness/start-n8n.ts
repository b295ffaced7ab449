import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureEngine, type NpmEngine } from '../../../../sandbox/install';
import { freePort } from './free-port';
import { n8nEnv } from './n8n-env';
import { waitUntil } from './wait-until';

export interface RunningN8n {
  baseUrl: string;
  userFolder: string;
  logFile: string;
  /** Milliseconds from spawn until /healthz/readiness answered 200. */
  startupMs: number;
  /** The last lines n8n printed, for failure messages. */
  logTail(lines?: number): string;
  /** Stops n8n and everything it started (its whole process group). */
  stop(): Promise<void>;
}

/**
 * Starts `n8n start` from the pinned engine install (sandbox/install) under Node 24, with its own user folder,
 * on free loopback ports, and waits until it reports ready. It runs in its own process group so stop()
 * also ends anything it spawned.
 */
export interface StartN8nOptions {
  readyTimeoutMs?: number;
  extraEnv?: Record<string, string>;
  /** Default: the pinned install from ensureEngine('n8n'). */
  engine?: Pick<NpmEngine, 'node' | 'binPath'>;
}

export async function startN8n(userFolder: string, opts: StartN8nOptions = {}): Promise<RunningN8n> {
  const engine = opts.engine ?? (await ensureEngine('n8n'));
  const [port, brokerPort] = [await freePort(), await freePort()];
  mkdirSync(userFolder, { recursive: true });
  const logFile = join(userFolder, 'n8n.log');
  const log = createWriteStream(logFile);
  const env = { ...process.env, ...n8nEnv({ userFolder, port, brokerPort }), ...opts.extraEnv };
  const started = Date.now();
  const child: ChildProcess = spawn(engine.node, [engine.binPath, 'start'], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.pipe(log, { end: false });
  child.stderr!.pipe(log, { end: false });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));

  const baseUrl = `http://127.0.0.1:${port}`;
  const logTail = (lines = 40) => {
    try {
      return readFileSync(logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  };
  const stop = async () => {
    if (exitCode === undefined && child.pid) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      }, 10_000);
      await exited;
      clearTimeout(timer);
    }
    log.end();
  };

  try {
    await waitUntil('n8n to report ready on /healthz/readiness', opts.readyTimeoutMs ?? 120_000, async () => {
      if (exitCode !== undefined) throw new Error(`n8n exited with code ${exitCode}`);
      const res = await fetch(`${baseUrl}/healthz/readiness`).catch(() => undefined);
      return res?.ok ? true : undefined;
    });
  } catch (e) {
    await stop();
    throw new Error(`${(e as Error).message}\n--- n8n log (${logFile}) ---\n${logTail()}`);
  }
  return { baseUrl, userFolder, logFile, startupMs: Date.now() - started, logTail, stop };
}
