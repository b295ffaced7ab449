import { spawn } from 'node:child_process';
import { join } from 'node:path';

export interface RunningNodeRed {
  baseUrl: string;
  pid: number;
  /** From spawn until the Admin API answered. */
  startupMs: number;
  /** Everything Node-RED printed so far (for failure messages). */
  log(): string;
  /** Runs `step`; if it fails, the error also carries the end of Node-RED's log, where the cause usually is. */
  explain<T>(step: () => Promise<T>): Promise<T>;
  /** Stops the whole process group; resolves once it has exited. */
  stop(): Promise<void>;
}

export interface StartNodeRedOptions {
  node: string;
  redJs: string;
  userDir: string;
  port: number;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts Node-RED in its own process group (so stop() also ends anything it spawned) and waits until its Admin
 * API answers. A start that fails or hangs throws with the end of Node-RED's output.
 */
export async function startNodeRed(o: StartNodeRedOptions): Promise<RunningNodeRed> {
  const startedAt = performance.now();
  const child = spawn(o.node, [o.redJs, '--userDir', o.userDir, '--settings', join(o.userDir, 'settings.js')], {
    cwd: o.userDir,
    env: o.env ?? process.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pid = child.pid!;
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      // already gone
    }
  };
  // If the test process dies without calling stop(), Node-RED must not outlive it.
  const onExit = () => killGroup('SIGKILL');
  process.once('exit', onExit);

  const stop = async () => {
    process.removeListener('exit', onExit);
    if (child.exitCode === null && child.signalCode === null) {
      killGroup('SIGTERM');
      const grace = setTimeout(() => killGroup('SIGKILL'), 10_000);
      await exited;
      clearTimeout(grace);
    }
    await exited;
    // Node-RED spawns nothing by itself, but a node could have: clean the rest of the group too.
    killGroup('SIGKILL');
  };

  const baseUrl = `http://127.0.0.1:${o.port}`;
  const deadline = Date.now() + (o.timeoutMs ?? 60_000);
  while (true) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(`Node-RED exited during start (${child.exitCode ?? child.signalCode}):\n${output.slice(-3000)}`);
    }
    try {
      const res = await fetch(`${baseUrl}/settings`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`Node-RED did not answer on ${baseUrl} within ${o.timeoutMs ?? 60_000} ms:\n${output.slice(-3000)}`);
    }
    await sleep(100);
  }
  const explain = async <T>(step: () => Promise<T>): Promise<T> => {
    try {
      return await step();
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      const log = `\n--- Node-RED log (end) ---\n${output.slice(-4000)}`;
      error.message += log;
      // The stack was rendered with the old message, and test reporters print the stack.
      if (error.stack) error.stack += log;
      throw error;
    }
  };
  return { baseUrl, pid, startupMs: performance.now() - startedAt, log: () => output, explain, stop };
}
