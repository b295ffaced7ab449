import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { ensureTemporal } from '../../sandbox/install';
import { crmSyncScheduleId } from '../../temporal/crm-sync-schedule';
import { freePort } from '../../sandbox/run/shared/free-port';
import { describeExit, type GroupProcess } from '../../sandbox/run/shared/process-group';
import { waitUntil } from '../../sandbox/run/shared/wait-until';
import { startTemporalDevServer, type RunningTemporalDevServer } from '../../sandbox/run/temporal/dev-server';
import { assertCrmMatchesLedger, unsettledRows } from '../support/fault-scenario';
import type { RelayHold } from '../support/nock-relay-server';
import { tempDir } from '../support/temp-store';
import { quietTemporalLogs } from './support/dev-server';
import { whatItWaitsOn } from './support/result-within';
import {
  assertAllSagasApplied, crashScenario, deliverHeld, holdOutboxWrites, SagaDeliveries, sagaWorkerEnv, spawnSagaWorker, startSagaRig,
  untilHeldAfterLedger, untilPolling, type SagaRig,
} from './support/saga-fault-rig';

const PAYMENTS = 30;
const HELD = 3;
const DOWN_MS = 12_000;

/**
 * Issue 10: the Temporal dev server SIGKILLed mid-saga and started again on its SQLite file, same port. A day of
 * payments (refunds, redeliveries) runs through the production worker's payment sagas into HubSpot's contract mock;
 * three more sales, a refund and a redelivery of each go to their sagas, which the test stops right after their
 * ledger write (it holds their outbox locks), and a CRM Sync run is held in its call to HubSpot; the server is
 * killed there, the sagas and the sync run let go while it is down, and the server restarted. The same worker
 * process carries on: every saga completes, the CRM Sync schedule (kept in the server's database) gets past the run
 * whose result was lost and empties the outbox, and every payment is one deal with the ledger's amounts.
 */
/** What the CRM Sync schedule is doing: its running run and what that run waits on, for a failure's message. */
async function crmSyncState(client: Client): Promise<string> {
  const { info } = await client.schedule.getHandle(crmSyncScheduleId('hubspot')).describe();
  const running = await Promise.all(info.runningActions.map(async ({ workflow }) =>
    `${workflow.workflowId} (${await whatItWaitsOn(client.workflow.getHandle(workflow.workflowId, workflow.firstExecutionRunId))})`));
  return `CRM Sync: ${info.recentActions.length} recent runs, running ${running.join(', ') || 'none'}`;
}

describe('the Temporal dev server killed mid-saga and restarted on its SQLite file', { timeout: 240_000 }, () => {
  let rig: SagaRig;
  let temporalCli: string;
  let server: RunningTemporalDevServer | undefined;
  let connection: NativeConnection | undefined;
  let worker: GroupProcess | undefined;
  const dir = tempDir('tcrm-temporal-restart-');
  const dbFile = join(dir.path, 'temporal.db');
  const taskQueue = `server-restart-${randomUUID()}`;
  let port: number;

  before(async () => {
    quietTemporalLogs();
    [{ temporalCli }, rig, port] = await Promise.all([ensureTemporal(), startSagaRig(), freePort()]);
    server = await startTemporalDevServer({ temporalCli, port, dbFile });
    connection = await NativeConnection.connect({ address: server.address });
  });
  after(async () => {
    await worker?.stop();
    await connection?.close();
    await server?.stop();
    await rig?.close();
    dir.remove();
  });

  it('every saga completes and every payment reaches HubSpot once after the restart', { timeout: 200_000 }, async (t) => {
    const started = performance.now();
    // The Rust connection: nock (loaded for the relay) hangs Node's http2, which grpc-js rides on.
    const client = new Client({ connection: connection! });
    const { scenario, before: phases, held } = crashScenario({ payments: PAYMENTS, heldCount: HELD });
    worker = spawnSagaWorker(sagaWorkerEnv({ address: server!.address, taskQueue, rig, crmSyncSchedule: '@every 2s' }));
    await untilPolling(worker);

    const deliveries = new SagaDeliveries(client, rig.db, taskQueue);
    await deliveries.runPhases(phases, 8);
    const hold = await holdOutboxWrites(rig.storeUrl, held.map((h) => h.key));
    let heldSagas: Awaited<ReturnType<typeof deliverHeld>> | undefined;
    let downMs: number;
    let crmCall: RelayHold | undefined;
    try {
      heldSagas = await deliverHeld(deliveries, held);
      await untilHeldAfterLedger(rig.db, hold, held, worker);
      crmCall = rig.relay.hold();
      await waitUntil('a CRM Sync run to call HubSpot', 30_000, async () => crmCall!.waiting() > 0 || undefined, 20);
      const killedAt = performance.now();
      process.kill(-server!.process.pid, 'SIGKILL');
      await server!.process.exited;
      // The sagas' store steps and the CRM Sync run finish while the server is down; none can report it.
      await hold.release();
      crmCall.release();
      // Down longer than the worker retries a completion (about 10 s): the CRM Sync run's result is lost.
      await new Promise((r) => setTimeout(r, DOWN_MS));
      server = await startTemporalDevServer({ temporalCli, port, dbFile });
      downMs = performance.now() - killedAt;
    } finally {
      await hold.release();
      crmCall?.release();
    }

    const restartedAt = performance.now();
    const outcomes = await assertAllSagasApplied(deliveries, held, heldSagas!, 90_000);
    const sagasMs = performance.now() - restartedAt;
    await waitUntil('the CRM Sync schedule to empty the outbox', 60_000, async () => {
      const left = await unsettledRows(rig.db);
      return (!left.pending && !left.inflight) || undefined;
    }, 250).catch(async (e: Error) => {
      throw new Error(`${e.message}; outbox ${JSON.stringify(await unsettledRows(rig.db))}; ${await crmSyncState(client)}\nworker:\n${worker!.tail(40)}`);
    });
    const recoveredMs = performance.now() - restartedAt;
    assert.equal(worker.exitStatus(), undefined, `the worker carried on through the restart, but it ${worker.exitStatus() ? describeExit(worker.exitStatus()!) : ''}:\n${worker.tail(60)}`);

    await assertCrmMatchesLedger(rig.db, rig.mock, scenario);
    const c = scenario.counts;
    const line =
      `${c.payments} payments, ${c.deliveries} deliveries (${c.duplicates} redelivered, ${c.partialRefunds} partial refunds), ` +
      `server killed with ${HELD} sagas after their ledger write [${outcomes.join(', ')}], down ${(downMs! / 1000).toFixed(1)} s (restart ${server!.startupMs} ms); ` +
      `restart → held sagas done in ${(sagasMs / 1000).toFixed(1)} s, outbox empty in ${(recoveredMs / 1000).toFixed(1)} s; ` +
      `${((performance.now() - started) / 1000).toFixed(1)} s in all`;
    t.diagnostic(line);
    process.stderr.write(`[server restart] ${line}\n`);
  });
});
