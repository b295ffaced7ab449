import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { runReview } from '../../bin/commands/review';
import { MATCH_DEFAULTS } from '../../nodes/core/match/operator-settings';
import { temporalReviewClient } from '../../temporal/review-client';
import { paymentWorkflowId } from '../../temporal/start-payment/start-payment-workflow';
import type { paymentToCrm } from '../../workflows/payment-to-crm';
import { pendingReviewQuery, resolveReviewSignal } from '../../workflows/review';
import { seedCustomers } from '../core/match/match-fixtures';
import { eventTypeName } from '../temporal/support/history-text';
import { executeWithin, resultWithin } from '../temporal/support/result-within';
import { customerOf, probablyJon, reviewRig, waitingReviewOf } from './support/review-fixtures';

const HOUR = 60 * 60 * 1000;
/** The timer events of a history, in order: how a wait ended. */
const timerEvents = (history: Awaited<ReturnType<WorkflowHandle['fetchHistory']>>) =>
  history.events!.map(eventTypeName).filter((name) => name.startsWith('timer'));

describe('paymentToCrm: a payment in the review band waits for an operator (time-skipping test server)', () => {
  const rig = reviewRig('wf-review');
  const { storeWithJon, withWorker } = rig;

  const waitingReview = (workflowId: string) => waitingReviewOf(rig.env().client, workflowId);

  it('waits, shows the candidate in pendingReview, and records the payment under the candidate on a resolveReview link', async () => {
    const s = await storeWithJon();
    const e = probablyJon();
    const workflowId = paymentWorkflowId(e.id);
    const startedAt = await rig.env().currentTimeMs();
    const { result, pending, beforeAnswer } = await withWorker(s.url, {}, async (taskQueue) => {
      const handle = await rig.env().client.workflow.start<typeof paymentToCrm>('paymentToCrm', { workflowId, taskQueue, args: [e] });
      const pending = await waitingReview(workflowId);
      const beforeAnswer = await customerOf(s, e.id);
      await handle.signal(resolveReviewSignal, { action: 'link' });
      return { result: await resultWithin(handle), pending, beforeAnswer };
    });
    assert.equal(pending.eventId, e.id);
    assert.equal(pending.candidateId, 'cus_jon');
    assert.ok(pending.confidence >= MATCH_DEFAULTS.reviewThreshold && pending.confidence < MATCH_DEFAULTS.linkThreshold, String(pending.confidence));
    assert.match(pending.explanation, /^Probably cus_jon \(\d+%\), needs a person to confirm/);
    assert.equal(Date.parse(pending.waitsUntil) - startedAt >= 72 * HOUR - 60_000, true, `the default wait is 72h: ${pending.waitsUntil}`);
    assert.equal(beforeAnswer, undefined, 'nothing is written while the payment waits');

    assert.deepEqual([result.decision, result.candidateId, result.review, result.customerId, result.customerCreated, result.outcome], ['review', 'cus_jon', 'operator-link', 'cus_jon', false, 'recorded']);
    assert.equal(await customerOf(s, e.id), 'cus_jon');
    const keys = await s.db.all<{ customer_id: string }>("SELECT customer_id FROM customer_keys WHERE kind = 'paymentId'");
    assert.ok(keys.some((k) => k.customer_id === 'cus_jon'), 'the payment id is now a key of the candidate');
    // (The test server's clock is no measure here: it skips past the activities' three-day timeouts as well.)
    const history = await rig.env().client.workflow.getHandle(workflowId).fetchHistory();
    assert.deepEqual(timerEvents(history), ['timerStartedEventAttributes', 'timerCanceledEventAttributes'], 'answered before the wait ran out');
    // The answer replays to the same decisions.
    await Worker.runReplayHistory({ workflowBundle: rig.bundle() }, history, workflowId);
  });

  it('records under a new customer when nobody answers within TERMINAL_CRM_REVIEW_WAIT, on a durable timer of that length', async () => {
    const s = await storeWithJon();
    const e = probablyJon();
    const workflowId = paymentWorkflowId(e.id);
    const startedAt = await rig.env().currentTimeMs();
    const result = await withWorker(s.url, { reviewWaitMs: 5 * HOUR }, (taskQueue) =>
      executeWithin(rig.env().client.workflow.start<typeof paymentToCrm>('paymentToCrm', { workflowId, taskQueue, args: [e] })),
    );
    assert.deepEqual([result.decision, result.candidateId, result.review, result.customerCreated], ['review', 'cus_jon', 'timeout', true]);
    assert.notEqual(result.customerId, 'cus_jon');
    assert.equal(await customerOf(s, e.id), result.customerId);
    assert.ok((await rig.env().currentTimeMs()) - startedAt >= 5 * HOUR, 'the server clock went past the wait');
    const history = await rig.env().client.workflow.getHandle(workflowId).fetchHistory();
    const timers = history.events!.filter((ev) => ev.timerStartedEventAttributes).map((ev) => Number(ev.timerStartedEventAttributes!.startToFireTimeout!.seconds));
    assert.deepEqual(timers, [5 * 3600]);
    assert.deepEqual(timerEvents(history), ['timerStartedEventAttributes', 'timerFiredEventAttributes']);
  });

  it('ignores a malformed answer, and "new" records under a new customer at once', async () => {
    const s = await storeWithJon();
    const e = probablyJon();
    const workflowId = paymentWorkflowId(e.id);
    const result = await withWorker(s.url, {}, async (taskQueue) => {
      const handle = await rig.env().client.workflow.start<typeof paymentToCrm>('paymentToCrm', { workflowId, taskQueue, args: [e] });
      await waitingReview(workflowId);
      await rig.env().client.workflow.getHandle(workflowId).signal('resolveReview', { action: 'merge', customerId: 42 });
      assert.ok(await handle.query(pendingReviewQuery), 'still waiting after the malformed answer');
      await handle.signal(resolveReviewSignal, { action: 'new' });
      return resultWithin(handle);
    });
    assert.deepEqual([result.decision, result.review, result.customerCreated], ['review', 'operator-new', true]);
    assert.notEqual(result.customerId, 'cus_jon');
    assert.equal(await customerOf(s, e.id), result.customerId);
  });

  it('with TERMINAL_CRM_REVIEW_WAIT 0 records under a new customer at once, as before', async () => {
    const s = await storeWithJon();
    const e = probablyJon();
    const workflowId = paymentWorkflowId(e.id);
    const result = await withWorker(s.url, { reviewWaitMs: 0 }, (taskQueue) =>
      executeWithin(rig.env().client.workflow.start<typeof paymentToCrm>('paymentToCrm', { workflowId, taskQueue, args: [e] })),
    );
    assert.deepEqual([result.decision, result.candidateId, result.review, result.customerCreated], ['review', 'cus_jon', 'no-wait', true]);
    assert.notEqual(result.customerId, 'cus_jon');
    assert.equal(await customerOf(s, e.id), result.customerId);
    assert.deepEqual(timerEvents(await rig.env().client.workflow.getHandle(workflowId).fetchHistory()), [], 'no wait');
  });

  it('`terminal-crm review resolve <eventId> --link <customerId>` signals the workflow, which records under that customer', async () => {
    const s = await storeWithJon();
    await seedCustomers(s.crm, [{ id: 'cus_john_other', givenName: 'John', familyName: 'Smyth', postalCode: '10001' }]);
    const e = probablyJon();
    const workflowId = paymentWorkflowId(e.id);
    let out = '';
    let err = '';
    const io = { out: (t: string) => void (out += t), err: (t: string) => void (err += t) };
    const result = await withWorker(s.url, {}, async (taskQueue) => {
      const handle = await rig.env().client.workflow.start<typeof paymentToCrm>('paymentToCrm', { workflowId, taskQueue, args: [e] });
      await waitingReview(workflowId);
      // The test's client is shared: the command must not close it.
      const open = async () => ({ ...temporalReviewClient(rig.env().client, taskQueue), close: async () => {} });
      assert.equal(await runReview(['resolve', e.id, '--link', 'cus_john_other'], io, open), 0, err);
      const done = await resultWithin(handle);
      await assert.rejects(runReview(['resolve', e.id, '--new'], io, open), /not waiting for a review/);
      return done;
    });
    assert.match(out, new RegExp(`^${e.id}: sent — it will be recorded under cus_john_other\\n$`));
    assert.deepEqual([result.review, result.customerId, result.candidateId], ['operator-link', 'cus_john_other', 'cus_jon']);
    assert.equal(await customerOf(s, e.id), 'cus_john_other');
  });
});
