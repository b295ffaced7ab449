import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { waitUntil } from '../../sandbox/run/shared/wait-until';
import { assertCrmMatchesLedger, unsettledRows } from '../support/fault-scenario';
import {
  assertAllSagasApplied, crashScenario, deliverHeld, holdOutboxWrites, SagaDeliveries, sagaSuite, untilHeldAfterLedger, untilPolling,
} from './support/saga-fault-rig';

const PAYMENTS = 30;
const HELD = 3;

/**
 * Issue 10: the worker SIGKILLed mid-saga, on a real dev server. A day of payments (refunds, redeliveries) runs
 * through the production worker's payment sagas into HubSpot's contract mock; then three more sales, a refund and a
 * redelivery of each go to their sagas, which the test stops right after their ledger write and before their
 * outbox write (it holds those outbox locks), and the worker's whole process group is SIGKILLed there. A new worker
 * (with the CRM Sync schedule) finishes them: every payment is one deal with the ledger's amounts, every customer
 * one contact, the outbox empty, no saga failed or compensated.
 */
describe('the worker SIGKILLed mid-saga, between the ledger write and the CRM write (real Temporal dev server)', { timeout: 240_000 }, () => {
  const suite = sagaSuite('saga-kill');

  it('every payment reaches HubSpot once with the ledger’s amounts after the restart', { timeout: 200_000 }, async (t) => {
    const { rig, client, taskQueue } = suite;
    const started = performance.now();
    const { scenario, before: phases, held } = crashScenario({ payments: PAYMENTS, heldCount: HELD });
    assert.ok(held.some((h) => h.later.some((d) => d.kind === 'refund')), 'a held payment is refunded while its saga is stopped');
    const first = suite.spawnWorker();
    await untilPolling(first);

    const deliveries = new SagaDeliveries(client, rig.db, taskQueue);
    await deliveries.runPhases(phases, 8);
    const hold = await holdOutboxWrites(rig.storeUrl, held.map((h) => h.key));
    let heldSagas: Awaited<ReturnType<typeof deliverHeld>> | undefined;
    try {
      heldSagas = await deliverHeld(deliveries, held);
      await untilHeldAfterLedger(rig.db, hold, held, first);
      process.kill(-first.pid, 'SIGKILL');
      await first.exited;
    } finally {
      await hold.release();
    }
    const beforeKillMs = performance.now() - started;

    const second = suite.spawnWorker({ crmSyncSchedule: '@every 2s' });
    const restartedAt = performance.now();
    await untilPolling(second);
    const pollingMs = performance.now() - restartedAt;
    const outcomes = await assertAllSagasApplied(deliveries, held, heldSagas!, 90_000);
    const sagasMs = performance.now() - restartedAt;
    await waitUntil('the CRM Sync schedule to empty the outbox', 60_000, async () => {
      const left = await unsettledRows(rig.db);
      return (!left.pending && !left.inflight) || undefined;
    }, 250);
    const recoveredMs = performance.now() - restartedAt;

    await assertCrmMatchesLedger(rig.db, rig.mock, scenario);
    assert.ok(rig.relay.calls.some((c) => /^\/crm\/v3\/objects\/deals\/batch\/(create|upsert)$/.test(c.path)), 'the worker wrote to HubSpot through the relay');
    const c = scenario.counts;
    const line =
      `${c.payments} payments, ${c.deliveries} deliveries (${c.duplicates} redelivered, ${c.partialRefunds} partial and ${c.fullRefunds} full refunds), ` +
      `${HELD} sagas killed after their ledger write [${outcomes.join(', ')}]; before the kill ${(beforeKillMs / 1000).toFixed(1)} s; ` +
      `restart → polling in ${(pollingMs / 1000).toFixed(1)} s, held sagas done in ${(sagasMs / 1000).toFixed(1)} s, outbox empty in ${(recoveredMs / 1000).toFixed(1)} s; ` +
      `${((performance.now() - started) / 1000).toFixed(1)} s in all`;
    t.diagnostic(line);
    process.stderr.write(`[saga kill] ${line}\n`);
  });
});
