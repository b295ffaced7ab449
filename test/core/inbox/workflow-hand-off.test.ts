import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { PaymentEvent } from '../../../nodes/core/contracts/payment-event';
import { SqlInbox } from '../../../nodes/core/inbox/inbox';
import { claimWaitingEvents, redriveInbox, redriveIntoWorkflows } from '../../../nodes/core/inbox/redrive';
import { inboxReport } from '../../../nodes/core/inbox/report';
import { normalizeStripeEvent } from '../../../nodes/core/sources/stripe-terminal';
import type { SqlDatabase } from '../../../nodes/core/store/sql-database';
import { chargeObject, stripeEvent } from '../../../sandbox/simulator/stripe-terminal-events';
import { testKeys } from '../../support/temp-store';
import { dialectStores } from '../match/store-dialects';
import { REDRIVE_FAILURE, workflowIdOf } from './support/waiting-inbox';

const T0 = Date.parse('2026-11-20T10:00:00.000Z');
const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
let serial = 0;

function sale(): PaymentEvent {
  const n = ++serial;
  const created = T0 / 1000 + n;
  return normalizeStripeEvent(stripeEvent('charge.succeeded', chargeObject({ chargeId: `ch_handoff_${n}`, amount: 2000 + n, created, card: { fingerprint: `fp_handoff_${n}` } }), { id: `evt_1HandOff${String(n).padStart(3, '0')}${'C'.repeat(14)}`, created }));
}

/** The worker's redrive at `at`: each event handed to its workflow, with the worker's lease for a 5-minute grace. */
const workerRedrive = (db: SqlDatabase, at: number) =>
  redriveIntoWorkflows(db, (event) => Promise.resolve(workflowIdOf(event as PaymentEvent)), { olderThanMs: 5 * MIN, leaseMs: 5 * MIN, now: () => new Date(at) });

for (const where of dialectStores('tcrm-inbox-hand-off')) describe(`the worker's hand-off in the inbox on ${where.dialect}`, { timeout: 30_000 }, () => {
  let db: SqlDatabase;
  // A fresh store per test, with the test's one event accepted at T0.
  beforeEach(async () => {
    db = (await where.open()).db;
  });
  const accept = async (e: PaymentEvent) => new SqlInbox(db, testKeys(), 'test-trigger').accept([e], new Date(T0));
  const stateOf = async (e: PaymentEvent, at: number) => {
    const report = await inboxReport(db, { now: at });
    const event = report.events.find((r) => r.eventId === e.id)!;
    return { failed: report.sources[0]!.failed, inWorkflow: report.sources[0]!.inWorkflow, event };
  };

  it('keeps the workflow the redrive started and when, over an earlier failure, and returns the redrive report as before', async () => {
    const e = sale();
    await accept(e);
    await redriveInbox(db, () => Promise.reject(new Error(REDRIVE_FAILURE)), { olderThanMs: 5 * MIN, now: () => new Date(T0 + 10 * MIN) });
    assert.deepEqual(await stateOf(e, T0 + 16 * MIN).then((s) => [s.failed, s.inWorkflow, s.event.lastError]), [1, 0, REDRIVE_FAILURE]);

    const run = await workerRedrive(db, T0 + 20 * MIN);
    assert.deepEqual(run.redriven, [{ eventId: e.id, receivedAt: iso(T0), attempts: 2, result: workflowIdOf(e) }]);
    assert.deepEqual(run.failed, []);
    // Hours on, its claim long run out, the workflow still has it (retrying a CRM that is down): not failed.
    for (const at of [T0 + 21 * MIN, T0 + 26 * MIN, T0 + 8 * 60 * MIN]) {
      const s = await stateOf(e, at);
      assert.deepEqual([s.failed, s.inWorkflow], [0, 1], iso(at));
      assert.deepEqual(s.event.inWorkflow, { workflowId: workflowIdOf(e), handedOffAt: iso(T0 + 20 * MIN) });
      assert.equal(s.event.lastError, null, 'the earlier failure no longer says why it waits');
    }
    // The worker's next pass after its claim ran out hands it again: the hand-off is that pass's.
    await workerRedrive(db, T0 + 30 * MIN);
    assert.deepEqual((await stateOf(e, T0 + 40 * MIN)).event.inWorkflow, { workflowId: workflowIdOf(e), handedOffAt: iso(T0 + 30 * MIN) });
  });

  it('counts it failed again once a later redrive fails on it, with that reason', async () => {
    const e = sale();
    await accept(e);
    await workerRedrive(db, T0 + 10 * MIN);
    const failing = await redriveInbox(db, () => Promise.reject(new Error('Temporal: 14 UNAVAILABLE: connection refused')), { olderThanMs: 5 * MIN, now: () => new Date(T0 + 16 * MIN) });
    assert.deepEqual(failing.failed.map((f) => f.eventId), [e.id]);
    const s = await stateOf(e, T0 + 17 * MIN);
    assert.deepEqual([s.failed, s.inWorkflow, s.event.inWorkflow, s.event.lastError], [1, 0, null, 'Temporal: 14 UNAVAILABLE: connection refused']);
  });

  it("counts a start that failed as failed, with no workflow, like any redrive's failure", async () => {
    const e = sale();
    await accept(e);
    const run = await redriveIntoWorkflows(db, () => Promise.reject(new Error('Temporal: 14 UNAVAILABLE: connection refused')), { olderThanMs: 5 * MIN, now: () => new Date(T0 + 10 * MIN) });
    assert.deepEqual(run.failed.map((f) => [f.eventId, f.error]), [[e.id, 'Temporal: 14 UNAVAILABLE: connection refused']]);
    const s = await stateOf(e, T0 + 11 * MIN);
    assert.deepEqual([s.failed, s.inWorkflow, s.event.inWorkflow], [1, 0, null]);
  });

  it('counts it held while a later redrive is on it, and failed once that redrive died without handing it on', async () => {
    const e = sale();
    await accept(e);
    await workerRedrive(db, T0 + 10 * MIN);
    // A command-line (or n8n, Node-RED) redrive takes it after the worker's claim ran out, and dies.
    assert.deepEqual((await claimWaitingEvents(db, new Date(T0 + 16 * MIN), { olderThanMs: 5 * MIN, leaseMs: 5 * MIN })).map((w) => w.eventId), [e.id]);
    const held = await stateOf(e, T0 + 17 * MIN);
    assert.deepEqual([held.failed, held.inWorkflow, held.event.inWorkflow, held.event.claimedUntil], [0, 0, null, iso(T0 + 21 * MIN)]);
    const died = await stateOf(e, T0 + 22 * MIN);
    assert.deepEqual([died.failed, died.inWorkflow, died.event.inWorkflow, died.event.lastError, died.event.attempts], [1, 0, null, null, 2]);
  });
});
