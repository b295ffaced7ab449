import { join } from 'node:path';
import { describeExit, spawnGroup, type GroupProcess } from '../shared/process-group';
import { GiveUp, waitUntil } from '../shared/wait-until';

export interface WorkerProcessOptions {
  /** Node 24, which the worker runs on. */
  node: string;
  /** host:port of the Temporal frontend. */
  temporalAddress: string;
  webhookPort: number;
  /** The pack's settings for the worker: TERMINAL_CRM_STORE_URL, TERMINAL_CRM_TOKEN_KEYS, STRIPE_WEBHOOK_SECRET… */
  env: Record<string, string>;
  logFile?: string;
  readyTimeoutMs?: number;
  /** Each line the worker prints (its webhook log, its errors). */
  onLine?: (line: string) => void;
}

export interface RunningWorker {
  /** POST target for Stripe: `${webhookUrl}` is http://127.0.0.1:<port>/webhooks/stripe. */
  webhookUrl: string;
  process: GroupProcess;
  startupMs: number;
  stop(): Promise<void>;
}

/** This build's CLI, beside this file: dist/bin/terminal-crm.js (build/bin/… when run from the tests' build). */
export const CLI_JS = join(__dirname, '..', '..', '..', 'bin', 'terminal-crm.js');

/**
 * `terminal-crm worker --webhook-port P` as its own process (group): the payment worker and its HTTP entry, on
 * the local dev server. Ready when the worker polls and the entry answers an unsigned POST with 400.
 */
export async function startWorkerProcess(o: WorkerProcessOptions): Promise<RunningWorker> {
  // Only the local dev server: a TEMPORAL_* setting meant for another cluster (Cloud keys, TLS) must not leak in.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TEMPORAL_')));
  const env = { ...inherited, ...o.env, TEMPORAL_ADDRESS: o.temporalAddress, TEMPORAL_NAMESPACE: 'default' };
  let polling = false;
  const started = Date.now();
  const child = spawnGroup('worker', o.node, [CLI_JS, 'worker', '--webhook-port', String(o.webhookPort), '--webhook-host', '127.0.0.1'], {
    env,
    logFile: o.logFile,
    onLine: (line) => {
      if (/polling task queue/.test(line)) polling = true;
      o.onLine?.(line);
    },
  });
  const webhookUrl = `http://127.0.0.1:${o.webhookPort}/webhooks/stripe`;
  try {
    await waitUntil(`the Temporal worker to poll and its webhook entry to answer on ${webhookUrl}`, o.readyTimeoutMs ?? 90_000, async () => {
      const exit = child.exitStatus();
      if (exit) throw new GiveUp(`terminal-crm worker ${describeExit(exit)}`);
      if (!polling) return undefined;
      const res = await fetch(webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', signal: AbortSignal.timeout(2000) });
      await res.body?.cancel();
      return res.status === 400 ? true : undefined;
    }, 150);
  } catch (e) {
    await child.stop();
    throw new Error(`${(e as Error).message}\n--- worker output ---\n${child.tail(40)}`);
  }
  return { webhookUrl, process: child, startupMs: Date.now() - started, stop: () => child.stop(20_000) };
}
