import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export interface GroupProcessOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Everything the process prints is appended here as well. */
  logFile?: string;
  /** Each complete line it prints (stdout and stderr), e.g. to spot a readiness message. */
  onLine?: (line: string) => void;
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the command could not be started at all (not found, not executable). */
  error?: Error;
}

/** A long-running engine process in its own process group, so stopping it also stops whatever it started. */
export interface GroupProcess {
  readonly name: string;
  /** Also the process group id. */
  readonly pid: number;
  readonly exited: Promise<ExitStatus>;
  /** Undefined while it runs. */
  exitStatus(): ExitStatus | undefined;
  /** The last `lines` lines it printed, for error messages. */
  tail(lines?: number): string;
  /** SIGTERM to the group, SIGKILL after `graceMs`, then SIGKILL to anything left in the group. Safe to call twice. */
  stop(graceMs?: number): Promise<void>;
}

const KEEP_CHARS = 64 * 1024;

export function describeExit(s: ExitStatus): string {
  if (s.error) return `could not be started (${s.error.message})`;
  return s.signal ? `was killed by ${s.signal}` : `exited with code ${s.code}`;
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone already
  }
}

/**
 * Spawns `command` detached (a new process group led by it), output kept in memory (its end) and in `logFile`.
 * If this process exits without stopping it, the group is killed rather than left running.
 */
export function spawnGroup(name: string, command: string, args: readonly string[], o: GroupProcessOptions = {}): GroupProcess {
  if (o.logFile) mkdirSync(dirname(o.logFile), { recursive: true });
  const log = o.logFile ? createWriteStream(o.logFile, { flags: 'a' }) : undefined;
  const child = spawn(command, args, { cwd: o.cwd, env: o.env ?? process.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let kept = '';
  let partial = '';
  const onData = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    kept = (kept + text).slice(-KEEP_CHARS);
    log?.write(text);
    if (!o.onLine) return;
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) o.onLine(line.replace(/\r$/, ''));
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);

  let status: ExitStatus | undefined;
  // 'exit' says the leader is gone; 'close' (all output read) can wait on a straggler holding its pipes.
  const left = new Promise<ExitStatus>((resolve) => {
    child.once('error', (error) => resolve((status = { code: null, signal: null, error })));
    child.once('exit', (code, signal) => resolve((status = { code, signal })));
  });
  const closed = new Promise<void>((resolve) => {
    child.once('close', () => resolve());
    child.once('error', () => resolve());
  });
  const exited = left.then(async (s) => {
    await closed;
    await new Promise<void>((resolve) => (log ? log.end(() => resolve()) : resolve()));
    return s;
  });
  const pid = child.pid ?? -1;
  const onParentExit = () => pid > 0 && killGroup(pid, 'SIGKILL');
  process.once('exit', onParentExit);

  let stopping: Promise<void> | undefined;
  const stop = (graceMs = 10_000): Promise<void> =>
    (stopping ??= (async () => {
      if (pid > 0) {
        if (!status) {
          killGroup(pid, 'SIGTERM');
          const force = setTimeout(() => killGroup(pid, 'SIGKILL'), graceMs);
          await left;
          clearTimeout(force);
        }
        // The leader is gone; anything it started that is still in its group goes too.
        killGroup(pid, 'SIGKILL');
      }
      await exited;
      process.removeListener('exit', onParentExit);
    })());

  return {
    name,
    pid,
    exited,
    exitStatus: () => status,
    tail: (lines = 40) => kept.split('\n').slice(-lines).join('\n'),
    stop,
  };
}
