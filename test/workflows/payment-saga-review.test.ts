import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { runReview } from '../../bin/commands/review';
import { temporalReviewClient, type ReviewClient } from '../../temporal/review-client';
import { startPaymentSaga } from '../../temporal/start-payment/start-payment-saga';
import { SAGA_REVIEW_WAITS_PATCH } from '../../workflows/payment-saga';
import { pendingReviewQuery, resolveReviewSignal } from '../../workflows/review';
import { eventTypeName } from '../temporal/support/history-text';
import { resultWithin } from '../temporal/support/result-within';
import { patchesOf } from './support/history-activities';
import { customerOf, probablyJonPayment, reviewRig, waitingReviewOf } from './support/review-fixtures';

const HOUR = 60 * 60 * 1000;
const timerEvents = (history: Awaited<ReturnType<WorkflowHandle['fetchHistory']>>) => history.events!.map(eventTypeName).filter((name) => name.startsWith('timer'));

describe('paymentSaga: a payment in the review band waits for an operator, the events behind it wait their turn (time-skipping test server)', { timeout: 120_000 }, () => {
  const rig = reviewRig('saga-review');
  const { storeWithJon, withWorker } = rig;

  it('shows the sale in pendingReview, keeps its refund queued, and after `terminal-crm review resolve <eventId> --link` records both under the candidate', async () => {
    const s = await storeWithJon();
    const { sale, refund } = probablyJonPayment();
    const refunded = refund(1000);
    const { result, pending, written, workflowId } = await withWorker(s.url, {}, async (taskQueue) => {
      const handle = await startPaymentSaga(rig.env().client, sale, { taskQueue });
      const pending = await waitingReviewOf(rig.env().client, handle.workflowId);
      await startPaymentSaga(rig.env().client, refunded, { taskQueue });
      const written = await s.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM transactions WHERE payment_id = ?', [sale.paymentId]);
      // The saga's id names the payment: the command finds it among the running payment workflows. The test server
      // has no visibility (list) API, so the list is the one run here; the dev server's e2e lists for real.
      const open = async (): Promise<ReviewClient> => ({
        ...temporalReviewClient(rig.env().client, taskQueue),
        runningPaymentWorkflows: async function* () {
          yield handle.workflowId;
        },
        close: async () => {},
      });
      const io = { out: () => {}, err: (t: string) => assert.fail(t) };
      assert.equal(await runReview(['resolve', sale.id, '--link'], io, open), 0);
      return { result: await resultWithin(handle), pending, written: Number(written!.n), workflowId: handle.workflowId };
    });
    assert.deepEqual([pending.eventId, pending.candidateId], [sale.id, 'cus_jon']);
    assert.equal(written, 0, 'nothing is written while the sale waits, the refund included');
    assert.deepEqual(
      result.events.map((e) => [e.eventId, e.kind, e.outcome, e.review, e.customerId]),
      [
        [sale.id, 'payment', 'recorded', 'operator-link', 'cus_jon'],
        [refunded.id, 'refund', 'recorded', null, 'cus_jon'],
      ],
    );
    assert.equal(await customerOf(s, sale.id), 'cus_jon');
    const totals = await s.db.get<{ payments: number; gross_minor: number; refunded_minor: number }>('SELECT payments, gross_minor, refunded_minor FROM customer_totals WHERE customer_id = ?', ['cus_jon']);
    assert.deepEqual([Number(totals!.payments), Number(totals!.gross_minor), Number(totals!.refunded_minor)], [1, 2500, 1000]);
    const history = await rig.env().client.workflow.getHandle(workflowId).fetchHistory();
    assert.deepEqual(timerEvents(history), ['timerStartedEventAttributes', 'timerCanceledEventAttributes'], 'answered before the wait ran out');
    assert.ok(patchesOf(history).includes(SAGA_REVIEW_WAITS_PATCH));
    await Worker.runReplayHistory({ workflowBundle: rig.bundle() }, history, workflowId);
  });

  it('records under a new customer when nobody answers within TERMINAL_CRM_REVIEW_WAIT, and ignores a malformed answer meanwhile', async () => {
    const s = await storeWithJon();
    const { sale } = probablyJonPayment();
    const startedAt = await rig.env().currentTimeMs();
    const result = await withWorker(s.url, { reviewWaitMs: 5 * HOUR }, async (taskQueue) => {
      const handle = await startPaymentSaga(rig.env().client, sale, { taskQueue });
      await waitingReviewOf(rig.env().client, handle.workflowId);
      await handle.signal('resolveReview', { action: 'merge', customerId: 42 });
      assert.ok(await handle.query(pendingReviewQuery), 'still waiting after the malformed answer');
      return resultWithin(handle);
    });
    const [event] = result.events;
    assert.equal(event!.review, 'timeout');
    assert.notEqual(event!.customerId, 'cus_jon');
    assert.equal(await customerOf(s, sale.id), event!.customerId);
    assert.ok((await rig.env().currentTimeMs()) - startedAt >= 5 * HOUR, 'the server clock went past the wait');
  });

  it('"new" records under a new customer at once; with TERMINAL_CRM_REVIEW_WAIT 0 nothing waits', async () => {
    const s = await storeWithJon();
    const answered = probablyJonPayment().sale;
    const byAnswer = await withWorker(s.url, {}, async (taskQueue) => {
      const handle = await startPaymentSaga(rig.env().client, answered, { taskQueue });
      await waitingReviewOf(rig.env().client, handle.workflowId);
      await handle.signal(resolveReviewSignal, { action: 'new' });
      return resultWithin(handle);
    });
    assert.equal(byAnswer.events[0]!.review, 'operator-new');
    assert.notEqual(byAnswer.events[0]!.customerId, 'cus_jon');

    const unattended = probablyJonPayment().sale;
    const { result, history } = await withWorker(s.url, { reviewWaitMs: 0 }, async (taskQueue) => {
      const handle = await startPaymentSaga(rig.env().client, unattended, { taskQueue });
      return { result: await resultWithin(handle), history: await handle.fetchHistory() };
    });
    assert.deepEqual([result.events[0]!.review, result.events[0]!.outcome], ['no-wait', 'recorded']);
    assert.notEqual(result.events[0]!.customerId, 'cus_jon');
    assert.deepEqual(timerEvents(history), [], 'no wait');
  });
});
