import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { closeAllDatabases } from '../../nodes/core/store/open-database';
import { ensureNode24, stderrReporter, type Reporter } from '../../sandbox/install';
import { readyBlock } from '../../sandbox/run/ready-block';
import { DEFAULT_PORTS, DEFAULT_SIMULATOR_INTERVAL_MS, SANDBOX_ENV, sandboxConfigFromEnv } from '../../sandbox/run/sandbox-config';
import { SandboxParts } from '../../sandbox/run/sandbox-parts';
import { SANDBOX_CRM_ENV } from '../../sandbox/run/crm/sandbox-crm';
import { CRM_NAMES } from '../../nodes/core/crm/crm-names';
import { ENDPOINTS_FILE } from '../../sandbox/run/endpoints';
import { sourceVariablesBySource } from '../../sandbox/run/source-keys';
import { SANDBOX_SOURCES } from '../../sandbox/simulator/sandbox-sources';
import { ENGINES, startSandbox, type RunningSandbox } from '../../sandbox/run/start-sandbox';
import type { CliIo, Command } from './command';

const usage = `Usage: terminal-crm sandbox [--verbose]

Runs the whole pack on this machine until Ctrl-C, all on 127.0.0.1:
  - the Temporal dev server (with its Web UI) and the payment worker with its webhook entry,
  - Node-RED with the pack installed from its npm tarball and the example flow deployed,
  - n8n with the pack installed the same way and the template workflow imported and published,
  - the message templates (thank-you, high-value alert, loyalty welcome, refund note, failed-payment
    alert) in both, each with its own trigger, sending to a local mail catcher whose mail is listed at
    http://127.0.0.1:<${SANDBOX_ENV.mailPort}>/mail (a clone of the repo only: it needs smtp-server and mailparser),
  - a simulator posting a café's day of signed events of every source to the three engines:
    ${SANDBOX_SOURCES.join(', ')}
    (Clover and SumUp payments are fetched from a simulated API the sandbox serves).
Every engine takes every source: <state folder>/${ENDPOINTS_FILE} lists the URLs.
Installs Node 24, n8n, Node-RED and Temporal into the cache first if needed (see terminal-crm setup).
Run \`npm run build\` before it (\`npm start\` does both).

Everything it keeps is in the state folder: the store, Temporal's database, n8n's and Node-RED's
folders, logs, and the secrets it generated on the first run (so tokens and logins survive restarts).

Settings (environment variables):
  ${SANDBOX_ENV.dir.padEnd(34)} state folder (default ./.sandbox)
  ${'TERMINAL_CRM_STORE_URL'.padEnd(34)} the store (default sqlite:<state folder>/store.db)
  ${'TERMINAL_CRM_TOKEN_KEYS'.padEnd(34)} token keys (default: generated, kept in the state folder)
  Each source's keys, by the variables named after it (default: generated, kept in the state folder):
${sourceVariablesBySource().map(([source, variables]) => `    ${source.padEnd(15)}${variables.join(', ')}`).join('\n')}
    (SQUARE_WEBHOOK_URL: the URL Square signs, for every engine; default: each engine's own)
  ${'TERMINAL_CRM_DEFAULT_REGION'.padEnd(34)} region of phone numbers without country code (default US)
  ${SANDBOX_ENV.password.padEnd(34)} n8n login password (default: generated, printed at start)
  ${SANDBOX_ENV.n8nPort.padEnd(34)} n8n (default ${DEFAULT_PORTS.n8n})
  ${SANDBOX_ENV.nodeRedPort.padEnd(34)} Node-RED (default ${DEFAULT_PORTS.nodeRed})
  ${SANDBOX_ENV.temporalPort.padEnd(34)} Temporal server (default ${DEFAULT_PORTS.temporal})
  ${SANDBOX_ENV.temporalUiPort.padEnd(34)} Temporal Web UI (default ${DEFAULT_PORTS.temporalUi})
  ${SANDBOX_ENV.webhookPort.padEnd(34)} the Temporal worker's webhook entry (default ${DEFAULT_PORTS.webhook})
  ${SANDBOX_ENV.mailSmtpPort.padEnd(34)} the mail catcher's SMTP server (default ${DEFAULT_PORTS.mailSmtp})
  ${SANDBOX_ENV.mailPort.padEnd(34)} the mail catcher's listing, /mail (default ${DEFAULT_PORTS.mail})
  ${SANDBOX_CRM_ENV.padEnd(34)} ${CRM_NAMES.join('|')} (default local):
  ${''.padEnd(34)} the CRM the flows' CRM Upsert and the worker write to; a SaaS CRM's
  ${''.padEnd(34)} credentials and base URL come from the variables \`terminal-crm sync --help\`
  ${''.padEnd(34)} lists (one missing stops the sandbox, naming it)
  ${SANDBOX_ENV.simulatorIntervalMs.padEnd(34)} ms between simulated events (default ${DEFAULT_SIMULATOR_INTERVAL_MS}; 0: off)

Options:
  -v, --verbose  stream the installers' output (also: TERMINAL_CRM_VERBOSE=1)
  -h, --help     show this help
`;

const progress = (io: CliIo) => (line: string) => io.err(`[sandbox] ${line}\n`);

async function storeLine(s: RunningSandbox): Promise<string> {
  const counts = await s.recorded.counts(s.config.storeUrl, ENGINES.map((e) => e.name));
  return ENGINES.map((e) => `${e.name} ${counts[e.name]}/${s.recorded.expected(e.name)}`).join(' · ');
}

/** Counts stop moving shortly after the last delivery (the Temporal path writes after it has answered). */
async function settledStoreLine(s: RunningSandbox): Promise<string> {
  let last = '';
  for (let i = 0; i < 20; i++) {
    const line = await storeLine(s);
    if (line === last) return line;
    last = line;
    await new Promise((r) => setTimeout(r, 500));
  }
  return last;
}

function hasNodeSqlite(): boolean {
  try {
    require('node:sqlite');
    return true;
  } catch {
    return false;
  }
}

/**
 * The sandbox reads the store itself (node:sqlite, Node 22.13+). On an older Node it runs again under the Node 24
 * it installs anyway. Ctrl-C reaches that child directly (same terminal process group); a SIGTERM sent to this
 * process alone is passed on.
 */
async function rerunUnderNode24(args: string[], io: CliIo, reporter: Reporter): Promise<number> {
  const node24 = await ensureNode24({ reporter });
  progress(io)(`Node ${process.version} has no node:sqlite; running the sandbox under Node 24 (${node24})`);
  const child = spawn(node24, [process.argv[1]!, 'sandbox', ...args], { stdio: 'inherit' });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  try {
    return await new Promise<number>((resolve) => {
      child.once('error', (e) => {
        io.err(`cannot run ${node24}: ${e.message}\n`);
        resolve(1);
      });
      child.once('exit', (code, signal) => resolve(code ?? (signal === 'SIGINT' ? 130 : 1)));
    });
  } finally {
    process.off('SIGINT', forward);
    process.off('SIGTERM', forward);
  }
}

/** A signal sent to a whole process group can reach this process twice (e.g. from its parent as well): one stop. */
const REPEAT_WINDOW_MS = 1000;

export const sandboxCommand: Command = {
  name: 'sandbox',
  summary: 'run n8n, Node-RED and Temporal with the pack on this machine, fed by a payment simulator, until Ctrl-C',
  usage,
  async run(args, io) {
    const { values } = parseArgs({ args, options: { verbose: { type: 'boolean', short: 'v' } }, strict: true, allowPositionals: false });
    const log = progress(io);
    const reporter = stderrReporter(values.verbose === true || process.env.TERMINAL_CRM_VERBOSE === '1');
    if (!hasNodeSqlite()) return rerunUnderNode24(args, io, reporter);
    const config = sandboxConfigFromEnv();
    const parts = new SandboxParts();
    let wake: (signal: NodeJS.Signals) => void = () => undefined;
    const signalled = new Promise<NodeJS.Signals>((resolve) => (wake = resolve));
    let firstSignalAt = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      if (!firstSignalAt) {
        firstSignalAt = Date.now();
        return wake(signal);
      }
      if (Date.now() - firstSignalAt < REPEAT_WINDOW_MS) return;
      log(`${signal} again: killing everything now`);
      for (const pid of parts.pids()) {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // gone already
        }
      }
      process.exit(130);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    let summary: NodeJS.Timeout | undefined;
    try {
      log(`state folder ${config.dir}`);
      const starting = startSandbox(config, { progress: log, event: (line) => io.out(`${line}\n`), reporter }, parts);
      const first = await Promise.race([starting.then((sandbox) => ({ sandbox })), signalled.then((signal) => ({ signal }))]);
      if ('signal' in first) {
        log(`${first.signal}: stopping what has started so far ...`);
        await parts.stopAll(log);
        // Parts still on their way up are killed with this process (their groups are killed on exit).
        process.exit(130);
      }
      const { sandbox } = first;
      io.out(readyBlock(sandbox));
      if (config.simulatorIntervalMs > 0) {
        summary = setInterval(() => void storeLine(sandbox).then((l) => log(`events recorded/posted since start: ${l}`), () => undefined), config.simulatorIntervalMs * 10);
      }
      const ended = await Promise.race([signalled.then((signal) => ({ signal })), parts.crashed.then((reason) => ({ reason }))]);
      clearInterval(summary);
      log('reason' in ended ? 'a part stopped by itself; stopping the rest ...' : `${ended.signal}: stopping ...`);
      await sandbox.stopSimulator();
      if (config.simulatorIntervalMs > 0) log(`events recorded/posted since start: ${await settledStoreLine(sandbox).catch((e: Error) => `(cannot read the store: ${e.message})`)}`);
      await sandbox.stop(log);
      if ('reason' in ended) throw new Error(`The sandbox stopped because ${ended.reason}`);
      log('stopped');
      return 0;
    } finally {
      clearInterval(summary);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await closeAllDatabases();
    }
  },
};
