import { spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';

/** Where progress goes (stderr by default) and whether tools' own output is streamed too. */
export interface Reporter {
  write(text: string): void;
  verbose: boolean;
}

export function stderrReporter(verbose = process.env.TERMINAL_CRM_VERBOSE === '1'): Reporter {
  return { write: (text) => void process.stderr.write(text), verbose };
}

const PREFIX = '[terminal-crm]';
const HEARTBEAT_MS = 30_000;

/** A setup step that failed. `message` says which step, what the tool printed last, and what to do. */
export class StepFailedError extends Error {
  constructor(
    readonly step: string,
    message: string,
  ) {
    super(message);
    this.name = 'StepFailedError';
  }
}

export function note(reporter: Reporter, text: string): void {
  reporter.write(`${PREFIX} ${text}\n`);
}

function seconds(startedAt: number): string {
  return `${((Date.now() - startedAt) / 1000).toFixed(1)} s`;
}

/** Announce `step`, heartbeat while it runs, report how long it took; failures become StepFailedError. */
export async function timedStep<T>(reporter: Reporter, step: string, hint: string, fn: () => Promise<T>): Promise<T> {
  const startedAt = Date.now();
  note(reporter, `${step} ...`);
  const heartbeat = setInterval(() => note(reporter, `${step}: still running (${seconds(startedAt)})`), HEARTBEAT_MS);
  heartbeat.unref();
  try {
    const result = await fn();
    note(reporter, `${step}: done in ${seconds(startedAt)}`);
    return result;
  } catch (error) {
    note(reporter, `${step}: FAILED after ${seconds(startedAt)}`);
    if (error instanceof StepFailedError) throw error;
    const detail = error instanceof Error ? error.message : String(error);
    throw new StepFailedError(step, `Step "${step}" failed: ${detail}\n  what to do: ${hint}`);
  } finally {
    clearInterval(heartbeat);
  }
}

export interface CommandStep {
  /** Shown in progress lines and in the error, e.g. "n8n: npm ci". */
  step: string;
  command: string;
  args: readonly string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** What the user should do if this fails. */
  hint: string;
  /** The full output is appended here (the error points to it). */
  logFile?: string;
  reporter: Reporter;
  /** How many of the last output lines the error quotes. */
  tailLines?: number;
}

const KEEP_CHARS = 64 * 1024;

/**
 * Run one command as a named step: no stdin, output kept (tail in memory, all of it in `logFile`),
 * streamed to the reporter only when verbose. Resolves with the (tail of the) output on exit code 0;
 * otherwise rejects with a StepFailedError quoting the last lines.
 */
export function runLogged(opts: CommandStep): Promise<string> {
  const shown = [opts.command, ...opts.args].join(' ');
  return timedStep(opts.reporter, opts.step, opts.hint, async () => {
    const log = opts.logFile ? createWriteStream(opts.logFile, { flags: 'a' }) : undefined;
    log?.write(`\n$ ${shown}${opts.cwd ? `   (in ${opts.cwd})` : ''}\n`);
    let tail = '';
    const outcome = await new Promise<{ code: number | null; signal: string | null; spawnError?: Error }>(
      (resolve) => {
        const child = spawn(opts.command, opts.args, {
          cwd: opts.cwd,
          env: opts.env ?? process.env,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        const onData = (chunk: Buffer): void => {
          const text = chunk.toString('utf8');
          tail = (tail + text).slice(-KEEP_CHARS);
          log?.write(text);
          if (opts.reporter.verbose) opts.reporter.write(text);
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        child.on('error', (spawnError) => resolve({ code: null, signal: null, spawnError }));
        child.on('close', (code, signal) => resolve({ code, signal }));
      },
    );
    await closeLog(log);
    if (outcome.code === 0) return tail;

    const why = outcome.spawnError
      ? `could not start \`${opts.command}\` (${outcome.spawnError.message})`
      : outcome.signal
        ? `killed by signal ${outcome.signal}`
        : `exit code ${outcome.code}`;
    const lines = tail.split(/\r?\n/).filter((line) => line.trim() !== '');
    const last = lines.slice(-(opts.tailLines ?? 25));
    throw new StepFailedError(
      opts.step,
      [
        `Step "${opts.step}" failed: ${why}.`,
        `  command: ${shown}${opts.cwd ? `   (in ${opts.cwd})` : ''}`,
        last.length > 0
          ? `  last ${last.length} line(s) of output:\n${last.map((line) => `    | ${line}`).join('\n')}`
          : '  (it printed nothing)',
        ...(opts.logFile ? [`  full log: ${opts.logFile}`] : []),
        `  what to do: ${opts.hint}`,
      ].join('\n'),
    );
  });
}

function closeLog(log: WriteStream | undefined): Promise<void> {
  return new Promise((resolve) => (log ? log.end(resolve) : resolve()));
}
