import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { closeAllDatabases, openDatabase } from '../../nodes/core/store/open-database';
import type { SqlDatabase } from '../../nodes/core/store/sql-database';
import { stderrReporter } from '../../sandbox/install';
import { freePort } from '../../sandbox/run/shared/free-port';
import { waitUntil } from '../../sandbox/run/shared/wait-until';
import { sandboxConfigFromEnv } from '../../sandbox/run/sandbox-config';
import { sandboxSource, SANDBOX_SOURCES, type SandboxSource } from '../../sandbox/simulator/sandbox-sources';
import { paymentSagaWorkflowId } from '../../temporal/start-payment/start-payment-saga';
import { ENGINES, startSandbox, type EngineName, type RunningSandbox } from '../../sandbox/run/start-sandbox';
import { tempDir } from '../support/temp-store';
import { whatItWaitsOn } from '../temporal/support/result-within';
import { paymentCase, type Delivery } from './source-cases';

/** For a failure's message: what the payment's saga on the sandbox's Temporal server waits on. */
async function sagaState(address: string, payment: { source: string; paymentId: string }): Promise<string> {
  const connection = await NativeConnection.connect({ address });
  try {
    return await whatItWaitsOn(new Client({ connection }).workflow.getHandle(paymentSagaWorkflowId(payment)));
  } finally {
    await connection.close();
  }
}

/**
 * Every source through every engine, on one n8n, one Node-RED and one Temporal dev server + worker: the sandbox
 * itself (simulator off) with its generated keys and its simulated Clover and SumUp APIs. Per engine and source,
 * the sources in parallel: a forged delivery is refused with a 4xx and writes nothing, a genuine payment lands as
 * a transaction under "<source>:<id>", and the same delivery again is answered 2xx and leaves that one row.
 */
describe('every source on the three real engines', { timeout: 600_000 }, () => {
  const work = tempDir('tcrm-sources-e2e-');
  let sandbox: RunningSandbox | undefined;
  let db: SqlDatabase;

  before(async () => {
    const env = {
      TERMINAL_CRM_SANDBOX_DIR: work.path,
      TERMINAL_CRM_SIMULATOR_INTERVAL_MS: '0',
      TERMINAL_CRM_TEMPORAL_PORT: String(await freePort()),
      TERMINAL_CRM_TEMPORAL_UI_PORT: String(await freePort()),
      TERMINAL_CRM_WEBHOOK_PORT: String(await freePort()),
      TERMINAL_CRM_NODE_RED_PORT: String(await freePort()),
      TERMINAL_CRM_N8N_PORT: String(await freePort()),
    };
    const config = sandboxConfigFromEnv(env, work.path);
    const lines: string[] = [];
    sandbox = await startSandbox(config, { progress: (l) => lines.push(l), event: () => undefined, reporter: stderrReporter() });
    db = await openDatabase(config.storeUrl);
    process.stderr.write(`[sources e2e] sandbox ready in ${sandbox.readyMs} ms: ${JSON.stringify(sandbox.timings)}\n`);
  });

  after(async () => {
    const stopping = Date.now();
    await sandbox?.stop();
    await closeAllDatabases();
    const removing = Date.now();
    work.remove();
    process.stderr.write(`[sources e2e] stopped in ${removing - stopping} ms, state folder removed in ${Date.now() - removing} ms\n`);
  });

  const post = async (url: string, d: Delivery) => {
    const res = await fetch(url, { method: 'POST', headers: d.headers, body: d.body, signal: AbortSignal.timeout(30_000) });
    return { status: res.status, text: await res.text() };
  };
  const rowsOf = (source: string, paymentId: string) =>
    db.all<{ event_id: string; amount_minor: number }>('SELECT event_id, amount_minor FROM transactions WHERE source = ? AND payment_id LIKE ?', [source, paymentId]);

  async function everyCase(engine: EngineName, source: SandboxSource): Promise<void> {
    const s = sandbox!;
    const url = s.urls.endpoints[engine][source];
    const ctx = { credentials: s.credentials, url, api: s.api };
    const where = `${engine} ${source} (${url})`;
    // The source the transactions table names: the Terminal API's payments are Adyen's.
    const stored = sandboxSource(source).eventSource ?? source;

    const forged = paymentCase(source, ctx, true);
    const refused = await post(url, forged.delivery);
    assert.ok(refused.status >= 400 && refused.status < 500, `${where}: a forged delivery was answered ${refused.status} ${refused.text}`);

    const genuine = paymentCase(source, ctx, false);
    const accepted = await post(url, genuine.delivery);
    assert.ok(accepted.status >= 200 && accepted.status < 300, `${where}: a genuine payment was answered ${accepted.status} ${accepted.text}`);
    const [row] = await waitUntil(`${where}: the payment ${genuine.paymentId} in the store`, 90_000, async () => {
      const rows = await rowsOf(stored, genuine.paymentId);
      return rows.length ? rows : undefined;
    }).catch(async (e: Error) => {
      if (engine !== 'temporal') throw e;
      throw new Error(`${e.message}; its saga: ${await sagaState(s.urls.temporal, { source: stored, paymentId: genuine.paymentId })}`);
    });
    assert.match(row!.event_id, genuine.eventId, where);

    const again = await post(url, genuine.delivery);
    assert.ok(again.status >= 200 && again.status < 300, `${where}: the same delivery again was answered ${again.status} ${again.text}`);
    // Where the answer is JSON, it says the event was a duplicate (Adyen's answer is always "[accepted]").
    if (again.text.startsWith('{')) assert.deepEqual((JSON.parse(again.text) as { duplicates?: string[] }).duplicates, [row!.event_id], where);
    // The forged payment was not written meanwhile (it came first), and the genuine one is there once.
    assert.deepEqual(await rowsOf(stored, forged.paymentId), [], `${where}: the forged payment was written`);
    assert.equal((await rowsOf(stored, genuine.paymentId)).length, 1, where);
  }

  for (const { name } of ENGINES) {
    it(`${name}: a forged delivery, a payment and its duplicate from every source`, { concurrency: true }, async (t) => {
      await Promise.all(SANDBOX_SOURCES.map((source) => t.test(source, () => everyCase(name, source))));
    });
  }
});
