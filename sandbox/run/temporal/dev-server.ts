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
  /** Picks the port of the server's HTTP API, which only the readiness probe uses (default: freePort). */
  pickHttpPort?: () => Promise<number>;
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
  const pickHttpPort = o.pickHttpPort ?? freePort;
  // The HTTP API's port is ours to choose, and a port the OS called free can be taken before the server binds it
  // (another process binding it in between): that port is picked again, the caller's ports never are.
  for (let attempt = 1; ; attempt++) {
    const httpPort = await pickHttpPort();
    try {
      return await startOnce(o, httpPort);
    } catch (e) {
      if (!(e instanceof HttpPortTaken) || attempt >= HTTP_PORT_ATTEMPTS) throw e;
    }
  }
}

const HTTP_PORT_ATTEMPTS = 3;

class HttpPortTaken extends Error {}

async function startOnce(o: TemporalDevServerOptions, httpPort: number): Promise<RunningTemporalDevServer> {
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
    const output = child.tail(40);
    const message = `${(e as Error).message}\n--- temporal output ---\n${output}`;
    throw bindFailed(output, httpPort) ? new HttpPortTaken(message) : new Error(message);
  }
  return {
    address: `127.0.0.1:${o.port}`,
    uiUrl: o.uiPort === undefined ? undefined : `http://127.0.0.1:${o.uiPort}`,
    process: child,
    startupMs: Date.now() - started,
    stop: () => child.stop(),
  };
}

/** The CLI says `listen tcp 127.0.0.1:<port>: bind: address already in use` when a port it was given is taken. */
function bindFailed(output: string, port: number): boolean {
  return output.includes(`127.0.0.1:${port}: bind: address already in use`);
}
