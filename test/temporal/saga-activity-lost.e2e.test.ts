import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import { Client as PgClient } from 'pg';
import { normalizeStripeEvent } from '../../nodes/core/sources/stripe-terminal';
import { LOCK_NAMESPACE, lockNumber } from '../../nodes/core/store/postgres-locks';
import { LocalSqlCrm } from '../../nodes/core/crm/local-sql-crm';
import { waitUntil } from '../../sandbox/run/shared/wait-until';
import { chargeObject, stripeEvent } from '../../sandbox/simulator/stripe-terminal-events';
import { startPaymentSaga } from '../../temporal/start-payment/start-payment-saga';
import { PAYMENT_STEP_HEARTBEAT_TIMEOUT } from '../../workflows/heartbeat-timeout';
import type { PaymentSagaResult } from '../../workflows/payment-saga';
import { seedCustomers } from '../core/match/match-fixtures';
import { resultWithin } from './support/result-within';
import { sagaSuite, untilPolling } from './support/saga-fault-rig';

const HEARTBEAT_MS = Number.parseInt(PAYMENT_STEP_HEARTBEAT_TIMEOUT, 10) * 1000;

/** The saga's one pending activity: its type and attempt, or null when none is pending. */
async function pendingActivity(handle: WorkflowHandle): Promise<{ type: string; attempt: number } | null> {
  const [a] = (await handle.describe()).raw.pendingActivities ?? [];
  return a ? { type: a.activityType?.name ?? '?', attempt: a.attempt ?? 0 } : null;
}

/**
 * A saga's regular activity (the merge of two customers the match found to be one) held in the production worker
 * longer than its heartbeat timeout, then the worker SIGKILLed in it: the live attempt was not given up while it
 * heartbeated, and the lost one is retried by a new worker within the heartbeat timeout, where it waited out its
 * 2-minute start-to-close timeout before. The merge is held by the two customers' advisory locks (those a merge
 * takes, merge-customers.ts), taken from the test's own PostgreSQL session.
 */
describe('a saga activity whose worker is SIGKILLed mid-attempt (real Temporal dev server)', { timeout: 200_000 }, () => {
  const suite = sagaSuite('saga-lost');

  it('lives past its heartbeat timeout while it heartbeats, and once its worker is killed is retried within it', { timeout: 150_000 }, async (t) => {
    await seedCustomers(new LocalSqlCrm(suite.rig.db), [
      { id: 'cus_a', givenName: 'Ada', familyName: 'Lovelace', email: 'ada@example.com' },
      { id: 'cus_b', givenName: 'Ada', familyName: 'Lovelace', keys: [{ kind: 'processorCustomerId', value: 'stripe:cus_s1' }] },
    ]);
    const session = new PgClient({ connectionString: suite.rig.storeUrl });
    await session.connect();
    try {
      for (const id of ['cus_a', 'cus_b']) await session.query('SELECT pg_advisory_lock($1, $2)', [LOCK_NAMESPACE, lockNumber(`customer:${id}`)]);
      const first = suite.spawnWorker();
      await untilPolling(first);

      const sale = normalizeStripeEvent(stripeEvent('charge.succeeded', chargeObject({ amount: 5000, email: 'ada@example.com', name: 'Ada Lovelace', customer: 'cus_s1' })));
      const handle = (await startPaymentSaga(suite.client, sale, { taskQueue: suite.taskQueue })) as unknown as WorkflowHandle & { result(): Promise<PaymentSagaResult> };
      await waitUntil('the saga to wait in its merge on the held customers', 30_000, async () => (await pendingActivity(handle))?.type === 'sagaMerge' || undefined, 100);
      const heldAt = performance.now();
      // Held past its heartbeat timeout: an attempt that heartbeats is not given up.
      await new Promise((r) => setTimeout(r, HEARTBEAT_MS + 5_000));
      assert.deepEqual(await pendingActivity(handle), { type: 'sagaMerge', attempt: 1 }, 'the live attempt was not timed out');

      process.kill(-first.pid, 'SIGKILL');
      await first.exited;
      const killedAt = performance.now();
      await session.end();
      const second = suite.spawnWorker();
      await untilPolling(second);

      // Before: the lost attempt was noticed 2 minutes after it started, about 85 s after the kill.
      const result = await resultWithin(handle, HEARTBEAT_MS + 15_000);
      const recoveredMs = performance.now() - killedAt;
      assert.equal(result.events[0]!.outcome, 'recorded');
      assert.equal(result.events[0]!.merges.length, 1, 'the retried merge was made');
      assert.ok(recoveredMs < HEARTBEAT_MS + 15_000, `${recoveredMs} ms`);
      const line = `merge held ${((killedAt - heldAt) / 1000).toFixed(1)} s on attempt 1, worker killed; saga done ${(recoveredMs / 1000).toFixed(1)} s after the kill`;
      t.diagnostic(line);
      process.stderr.write(`[saga activity lost] ${line}\n`);
    } finally {
      await session.end().catch(() => undefined);
    }
  });
});
