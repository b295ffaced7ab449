import { join } from 'node:path';
import { describeExit, spawnGroup, type GroupProcess } from '../shared/process-group';
import { GiveUp, waitUntil } from '../shared/wait-until';

export interface RunningNodeRed {
  baseUrl: string;
  pid: number;
  process: GroupProcess;
  /** From spawn until the Admin API answered. */
  startupMs: number;
  /** The end of what Node-RED printed (for failure messages). */
  log(): string;
  /** Runs `step`; if it fails, the error also carries the end of Node-RED's log, where the cause usually is. */
  explain<T>(step: () => Promise<T>): Promise<T>;
  /** Stops the whole process group; resolves once it has exited. */
  stop(): Promise<void>;
}

export interface StartNodeRedOptions {
  node: string;
  redJs: string;
  /** Holds settings.js (see writeNodeRedSettings), the flows and the installed nodes. */
  userDir: string;
  port: number;
  env?: NodeJS.ProcessEnv;
  logFile?: string;
  timeoutMs?: number;
}

/**
 * Starts Node-RED in its own process group (so stop() also ends anything it spawned) and waits until its Admin
 * API answers. A start that fails or hangs throws with the end of Node-RED's output.
 */
export async function startNodeRed(o: StartNodeRedOptions): Promise<RunningNodeRed> {
  const startedAt = performance.now();
  const child = spawnGroup('node-red', o.node, [o.redJs, '--userDir', o.userDir, '--settings', join(o.userDir, 'settings.js')], {
    cwd: o.userDir,
    env: o.env ?? process.env,
    logFile: o.logFile,
  });
  const baseUrl = `http://127.0.0.1:${o.port}`;
  const timeoutMs = o.timeoutMs ?? 60_000;
  try {
    await waitUntil(`Node-RED to answer on ${baseUrl}`, timeoutMs, async () => {
      const exit = child.exitStatus();
      if (exit) throw new GiveUp(`Node-RED ${describeExit(exit)} during start`);
      const res = await fetch(`${baseUrl}/settings`, { signal: AbortSignal.timeout(2000) });
      await res.body?.cancel();
      return res.ok ? true : undefined;
    }, 100);
  } catch (e) {
    await child.stop();
    throw new Error(`${(e as Error).message}:\n${child.tail(60)}`);
  }
  const explain = async <T>(step: () => Promise<T>): Promise<T> => {
    try {
      return await step();
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      const log = `\n--- Node-RED log (end) ---\n${child.tail(60)}`;
      error.message += log;
      // The stack was rendered with the old message, and test reporters print the stack.
      if (error.stack) error.stack += log;
      throw error;
    }
  };
  return { baseUrl, pid: child.pid, process: child, startupMs: performance.now() - startedAt, log: () => child.tail(200), explain, stop: () => child.stop() };
}
