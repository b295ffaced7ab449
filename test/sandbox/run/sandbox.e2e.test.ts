import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { closeAllDatabases } from '../../../nodes/core/store/open-database';
import { assertPortFree, freePort } from '../../../sandbox/run/shared/free-port';
import { GiveUp, waitUntil } from '../../../sandbox/run/shared/wait-until';
import { ENGINES } from '../../../sandbox/run/start-sandbox';
import { transactionsPerTill } from '../../../sandbox/run/store-counts';
import { tempDir } from '../../support/temp-store';
import { commandOf, descendantsOf, isRunning } from './process-tree';

// The compiled CLI, as `npm start` runs it (here from build/, whose sandbox code packs the repo's dist/).
const CLI = join(__dirname, '..', '..', '..', 'bin', 'terminal-crm.js');

/**
 * `terminal-crm sandbox` for real: the three engines on free ports in a temp state folder, the simulator posting
 * every 300 ms; the store must get transactions through every engine, and Ctrl-C (SIGINT) must leave no process.
 */
describe('terminal-crm sandbox', { timeout: 150_000 }, () => {
  const work = tempDir('tcrm-sandbox-');
  let child: ChildProcess | undefined;
  let seen: number[] = [];

  after(async () => {
    // Only on failure is anything left: stop it hard, so no engine outlives the test.
    for (const pid of [...seen, ...(child?.pid ? [child.pid] : [])].filter(isRunning)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    await closeAllDatabases();
    work.remove();
  });

  it('runs the engines, records the simulated events through each, and stops everything on Ctrl-C', async () => {
    const ports = {
      TERMINAL_CRM_TEMPORAL_PORT: await freePort(),
      TERMINAL_CRM_TEMPORAL_UI_PORT: await freePort(),
      TERMINAL_CRM_WEBHOOK_PORT: await freePort(),
      TERMINAL_CRM_NODE_RED_PORT: await freePort(),
      TERMINAL_CRM_N8N_PORT: await freePort(),
    };
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(TERMINAL_CRM_|STRIPE_|TEMPORAL_)/.test(k)));
    const env = {
      ...inherited,
      ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
      TERMINAL_CRM_SANDBOX_DIR: work.path,
      TERMINAL_CRM_SIMULATOR_INTERVAL_MS: '300',
    };
    let out = '';
    let err = '';
    child = spawn(process.execPath, [CLI, 'sandbox'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child!.once('exit', (code, signal) => resolve({ code, signal })));
    const startedAt = Date.now();
    const output = () => `\n--- stdout ---\n${out.slice(-3000)}\n--- stderr ---\n${err.slice(-5000)}`;

    // Installing the packed pack into n8n and Node-RED is most of it on a first start.
    await waitUntil('the sandbox to print its ready block', 180_000, async () => {
      if (child!.exitCode !== null) throw new GiveUp(`the sandbox exited with ${child!.exitCode}${output()}`);
      return out.includes('Terminal CRM sandbox is running') ? true : undefined;
    });
    const readyMs = Date.now() - startedAt;
    seen = descendantsOf(child.pid!);
    const commands = seen.map(commandOf).join('\n');
    // Node-RED renames its process to "node-red".
    for (const part of ['start-dev', 'node-red', 'n8n start', 'worker --webhook-port']) assert.match(commands, new RegExp(part.replace(/[-.]/g, '\\$&')), `no ${part} process under the sandbox:\n${commands}`);

    const storeUrl = `sqlite:${join(work.path, 'store.db')}`;
    const tills = ENGINES.map((e) => e.till);
    const counts = await waitUntil('two transactions through each engine', 40_000, async () => {
      const c = await transactionsPerTill(storeUrl, tills);
      return tills.every((t) => c[t]! >= 2) ? c : undefined;
    }, 250).catch((e: Error) => assert.fail(`${e.message}${output()}`));
    const answers = [...out.matchAll(/→ (.*)$/gm)].map((m) => m[1]!);
    assert.ok(answers.length >= 2, output());
    for (const line of answers) assert.match(line, /^n8n 200, node-red 200, temporal 200$/, output());

    const stoppingAt = Date.now();
    child.kill('SIGINT');
    let timer: NodeJS.Timeout | undefined;
    const exit = await Promise.race([exited, new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), 40_000)))]);
    clearTimeout(timer);
    assert.deepEqual(exit, { code: 0, signal: null }, output());
    assert.match(err, /\[sandbox\] stopped$/m, output());
    const left = seen.filter(isRunning);
    assert.deepEqual(left.map((pid) => `${pid} ${commandOf(pid)}`), [], 'processes left behind');
    for (const [name, port] of Object.entries(ports)) await assertPortFree(port, name);
    process.stderr.write(`[sandbox e2e] ready ${readyMs} ms, stop ${Date.now() - stoppingAt} ms, ${seen.length} processes, transactions ${JSON.stringify(counts)}\n`);
  });
});
