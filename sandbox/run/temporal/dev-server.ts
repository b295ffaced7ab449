import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { freePort } from '../shared/free-port';
import { describeExit, spawnGroup, type GroupProcess } from '../shared/process-group';
import { GiveUp, waitUntil } from '../shared/wait-until';

export interface TemporalDevServerOptions {
  /** The `temporal` CLI (sandbox/install ensureTemporal().temporalCli). */
  temporalCli: string;
  port: number;
  /** The Web UI's port; unset: no UI (headless). */
  uiPort?: number;
  /** SQLite file holding workflow histories across restarts. */
  dbFile: string;
  logFile?: string;
  readyTimeoutMs?: number;
}

export interface RunningTemporalDevServer {
  /** host:port for TEMPORAL_ADDRESS. */
  address: string;
  uiUrl?: string;
  process: GroupProcess;
  startupMs: number;
  stop(): Promise<void>;
}

/**
 * `temporal server start-dev` on 127.0.0.1 with a persistent database. Ready once its HTTP API lists the default
 * namespace, which it only does when the frontend, history and matching services are all up.
 */
export async function startTemporalDevServer(o: TemporalDevServerOptions): Promise<RunningTemporalDevServer> {
  mkdirSync(dirname(o.dbFile), { recursive: true });
  const httpPort = await freePort();
  const args = [
    'server', 'start-dev',
    '--ip', '127.0.0.1',
    '--port', String(o.port),
    '--http-port', String(httpPort),
    '--db-filename', o.dbFile,
    '--log-level', 'warn',
    ...(o.uiPort === undefined ? ['--headless'] : ['--ui-port', String(o.uiPort), '--ui-ip', '127.0.0.1', '--ui-disable-news-fetch']),
  ];
  const started = Date.now();
  const child = spawnGroup('temporal', o.temporalCli, args, { logFile: o.logFile });
  try {
    await waitUntil(`the Temporal dev server on 127.0.0.1:${o.port}`, o.readyTimeoutMs ?? 60_000, async () => {
      const exit = child.exitStatus();
      if (exit) throw new GiveUp(`temporal server start-dev ${describeExit(exit)}`);
      const res = await fetch(`http://127.0.0.1:${httpPort}/api/v1/namespaces/default`, { signal: AbortSignal.timeout(2000) });
      await res.body?.cancel();
      return res.ok ? true : undefined;
    }, 150);
  } catch (e) {
    await child.stop();
    throw new Error(`${(e as Error).message}\n--- temporal output ---\n${child.tail(40)}`);
  }
  return {
    address: `127.0.0.1:${o.port}`,
    uiUrl: o.uiPort === undefined ? undefined : `http://127.0.0.1:${o.uiPort}`,
    process: child,
    startupMs: Date.now() - started,
    stop: () => child.stop(),
  };
}
