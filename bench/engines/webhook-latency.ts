/**
 * Webhook → store latency through each real engine, beside that engine's floor (a bare webhook that answers at
 * once), N signed Stripe deliveries one after another:
 *   n8n       the payment template workflow          vs a Webhook node set to "Respond: Immediately"
 *   Node-RED  the payment example flow               vs http in → http response
 *   Temporal  webhook entry → workflow → activities  vs the same HTTP entry answering a signed event it ignores
 *             (verified, not started as a workflow: no Temporal call at all)
 * "answer" is POST → HTTP response; "in store" is POST → the transaction row readable in the SQLite store (polled
 * every ms). The engines run as `terminal-crm sandbox` runs them (sandbox/run), on free ports, in a temp folder.
 *
 *   npm run bench:engines -- [--requests 200] [--warmup 10] [--engines n8n,node-red,temporal]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { closeAllDatabases, openDatabase } from '../../nodes/core/store/open-database';
import { stderrReporter } from '../../sandbox/install';
import { ownerSession } from '../../sandbox/run/n8n/rest-session';
import { deployFlows, exampleFlow, getFlows } from '../../sandbox/run/node-red/admin-api';
import { PAYMENT_TO_CRM_EXAMPLE, withPaymentFlow } from '../../sandbox/run/node-red/payment-flow';
import { sandboxConfigFromEnv } from '../../sandbox/run/sandbox-config';
import { freePort } from '../../sandbox/run/shared/free-port';
import { readManifest } from '../../sandbox/run/shared/pack';
import { waitForWebhook } from '../../sandbox/run/shared/webhook-ready';
import { startSandbox, type EngineName } from '../../sandbox/run/start-sandbox';
import { chargeObject, signedDelivery, stripeEvent } from '../../sandbox/simulator/stripe-terminal-events';
import { bareNodeRedFlow, publishBareN8nWebhook } from './bare-flows';
import { ms, quantile, table } from './latency-stats';

interface Sample {
  answerMs: number;
  storeMs?: number;
}

const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

async function post(url: string, d: { body: string; headers: Record<string, string> }): Promise<{ status: number; ms: number }> {
  const t0 = performance.now();
  const res = await fetch(url, { method: 'POST', headers: d.headers, body: d.body });
  await res.arrayBuffer();
  return { status: res.status, ms: performance.now() - t0 };
}

async function run(what: string, requests: number, warmup: number, once: (i: number) => Promise<Sample>): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (let i = 0; i < warmup + requests; i++) {
    const s = await once(i);
    if (i >= warmup) samples.push(s);
  }
  process.stderr.write(`[bench] ${what}: ${requests} requests done\n`);
  return samples;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { requests: { type: 'string', default: '200' }, warmup: { type: 'string', default: '10' }, engines: { type: 'string', default: 'n8n,node-red,temporal' } },
  });
  const requests = Number(values.requests);
  const warmup = Number(values.warmup);
  const engines = values.engines!.split(',').map((e) => e.trim()) as EngineName[];
  const dir = mkdtempSync(join(tmpdir(), 'tcrm-bench-engines-'));
  const env: NodeJS.ProcessEnv = {
    TERMINAL_CRM_SANDBOX_DIR: dir,
    TERMINAL_CRM_SIMULATOR_INTERVAL_MS: '0',
    TERMINAL_CRM_TEMPORAL_PORT: String(await freePort()),
    TERMINAL_CRM_TEMPORAL_UI_PORT: String(await freePort()),
    TERMINAL_CRM_WEBHOOK_PORT: String(await freePort()),
    TERMINAL_CRM_NODE_RED_PORT: String(await freePort()),
    TERMINAL_CRM_N8N_PORT: String(await freePort()),
  };
  const config = sandboxConfigFromEnv(env, dir);
  const sandbox = await startSandbox(config, { progress: (l) => process.stderr.write(`[sandbox] ${l}\n`), event: () => undefined, reporter: stderrReporter() });
  const rows: string[][] = [];
  try {
    const secret = config.webhookSecrets[0]!;
    const db = await openDatabase(config.storeUrl);
    const inStore = async (eventId: string, since: number): Promise<number> => {
      const deadline = since + 30_000;
      while (!(await db.get('SELECT 1 AS x FROM transactions WHERE event_id = ?', [eventId]))) {
        if (performance.now() > deadline) throw new Error(`event ${eventId} not in the store after 30 s`);
        await sleep(1);
      }
      return performance.now() - since;
    };
    const payment = (i: number) =>
      signedDelivery(stripeEvent('charge.succeeded', chargeObject({ amount: 350 + i, email: `regular${i % 40}@example.com`, card: { fingerprint: `fp_bench_${i % 40}` } })), secret);
    const throughEngine = (url: string) => async (i: number): Promise<Sample> => {
      const d = payment(i);
      const id = (JSON.parse(d.body) as { id: string }).id;
      const t0 = performance.now();
      const answer = await post(url, d);
      if (answer.status !== 200) throw new Error(`POST ${url} answered ${answer.status}`);
      return { answerMs: answer.ms, storeMs: await inStore(id, t0) };
    };
    const bare = (url: string, delivery: () => { body: string; headers: Record<string, string> }) => async (): Promise<Sample> => {
      const answer = await post(url, delivery());
      if (answer.status !== 200) throw new Error(`POST ${url} answered ${answer.status}`);
      return { answerMs: answer.ms };
    };
    const unsignedJson = () => ({ body: JSON.stringify({ ping: Date.now() }), headers: { 'content-type': 'application/json' } });
    const row = (engine: string, path: string, samples: Sample[]) => {
      const stored = samples.flatMap((s) => (s.storeMs === undefined ? [] : [s.storeMs]));
      const answers = samples.map((s) => s.answerMs);
      rows.push([engine, path, String(samples.length), ms(quantile(answers, 0.5)), ms(quantile(answers, 0.99)), ms(stored.length ? quantile(stored, 0.5) : undefined), ms(stored.length ? quantile(stored, 0.99) : undefined)]);
    };

    if (engines.includes('n8n')) {
      const rest = await ownerSession(sandbox.urls.n8n, config.n8nOwner);
      const url = await publishBareN8nWebhook(rest, sandbox.urls.n8n);
      await sleep(500);
      row('n8n', 'bare Webhook node, respond immediately', await run('n8n bare', requests, warmup, bare(url, unsignedJson)));
      row('n8n', 'payment template workflow', await run('n8n payment', requests, warmup, throughEngine(sandbox.urls.webhooks.n8n)));
    }
    if (engines.includes('node-red')) {
      const base = sandbox.urls.nodeRed;
      const example = await exampleFlow(base, readManifest().name, PAYMENT_TO_CRM_EXAMPLE);
      const setup = { webhookSecret: config.webhookSecrets.join(','), storeUrl: config.storeUrl, tokenKeys: config.tokenKeys, defaultRegion: config.defaultRegion };
      await deployFlows(base, [...withPaymentFlow(await getFlows(base), example, setup), ...bareNodeRedFlow('/bench/bare')]);
      const bareUrl = `${base}/bench/bare`;
      for (let i = 0; i < 100 && (await post(bareUrl, unsignedJson())).status !== 200; i++) await sleep(50);
      await waitForWebhook(sandbox.urls.webhooks['node-red']);
      row('node-red', 'bare http in → http response', await run('node-red bare', requests, warmup, bare(bareUrl, unsignedJson)));
      row('node-red', 'payment example flow', await run('node-red payment', requests, warmup, throughEngine(sandbox.urls.webhooks['node-red'])));
    }
    if (engines.includes('temporal')) {
      const url = sandbox.urls.webhooks.temporal;
      const ignored = () => signedDelivery(stripeEvent('customer.created', { id: `cus_bench_${Date.now()}`, object: 'customer' }), secret);
      row('temporal', 'webhook entry, signed event it ignores', await run('temporal bare', requests, warmup, bare(url, ignored)));
      row('temporal', 'webhook entry → workflow → store', await run('temporal payment', requests, warmup, throughEngine(url)));
    }
  } finally {
    await sandbox.stop((l) => process.stderr.write(`[sandbox] ${l}\n`));
    await closeAllDatabases();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\nwebhook latency, ${requests} sequential requests per row after ${warmup} warm-up; ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), load ${loadavg().map((l) => l.toFixed(1)).join(' ')}; Node ${process.version}\n`);
  console.log(table(['engine', 'path', 'n', 'answer p50', 'answer p99', 'in store p50', 'in store p99'], rows));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exitCode = 1;
});
