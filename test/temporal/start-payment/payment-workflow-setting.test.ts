import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { InputError } from '../../../nodes/core/errors';
import { normalizeStripeEvent } from '../../../nodes/core/sources/stripe-terminal';
import { chargeObject, stripeEvent } from '../../../sandbox/simulator/stripe-terminal-events';
import { DEFAULT_PAYMENT_WORKFLOW, paymentWorkflowIdOfKind, paymentWorkflowKind, paymentWorkflowKindFromEnv, startPaymentWorkflowOfKind } from '../../../temporal/start-payment/payment-workflow-setting';

/** A client that records what it was asked to do (the workflow service is Temporal's; what we send is ours). */
function recordingClient() {
  const calls: { method: string; workflowType: string; options: Record<string, unknown> }[] = [];
  const handle = (workflowId: string) => ({ workflowId, firstExecutionRunId: 'run-1', signaledRunId: 'run-1' });
  const client = {
    workflow: {
      start: async (workflowType: string, options: Record<string, unknown>) => (calls.push({ method: 'start', workflowType, options }), handle(options.workflowId as string)),
      signalWithStart: async (workflowType: string, options: Record<string, unknown>) => (calls.push({ method: 'signalWithStart', workflowType, options }), handle(options.workflowId as string)),
    },
  } as unknown as Client;
  return { client, calls };
}

describe('TERMINAL_CRM_PAYMENT_WORKFLOW', () => {
  it('is the saga (paymentSaga) when unset or empty, and reads saga / classic in any case, or the workflow names', () => {
    assert.equal(DEFAULT_PAYMENT_WORKFLOW, 'saga');
    assert.equal(paymentWorkflowKindFromEnv({}), 'saga');
    assert.equal(paymentWorkflowKindFromEnv({ TERMINAL_CRM_PAYMENT_WORKFLOW: '  ' }), 'saga');
    assert.equal(paymentWorkflowKindFromEnv({ TERMINAL_CRM_PAYMENT_WORKFLOW: ' SAGA ' }), 'saga');
    assert.equal(paymentWorkflowKindFromEnv({ TERMINAL_CRM_PAYMENT_WORKFLOW: 'Classic' }), 'classic');
    assert.equal(paymentWorkflowKind('classic'), 'classic');
    assert.equal(paymentWorkflowKind('paymentSaga'), 'saga');
    assert.equal(paymentWorkflowKind('paymentToCrm'), 'classic');
  });

  it('refuses anything else, naming the variable and both choices', () => {
    assert.throws(
      () => paymentWorkflowKindFromEnv({ TERMINAL_CRM_PAYMENT_WORKFLOW: 'sagas' }),
      (e: unknown) => e instanceof InputError && e.field === 'TERMINAL_CRM_PAYMENT_WORKFLOW' && /"sagas"/.test(e.message) && /saga \(paymentSaga/.test(e.fix) && /classic/.test(e.fix),
    );
  });

  it('classic starts paymentToCrm under the event id; saga signal-with-starts paymentSaga under the payment key', async () => {
    const e = normalizeStripeEvent(stripeEvent('charge.succeeded', chargeObject({ amount: 1200, email: 'a@example.com' })));
    const { client, calls } = recordingClient();
    assert.equal(await startPaymentWorkflowOfKind(client, e, 'classic', { taskQueue: 'q1' }), `payment-${e.id}`);
    assert.equal(await startPaymentWorkflowOfKind(client, e, 'saga', { taskQueue: 'q2' }), `payment-stripe:${e.paymentId}`);
    assert.deepEqual([paymentWorkflowIdOfKind(e, 'classic'), paymentWorkflowIdOfKind(e, 'saga'), paymentWorkflowIdOfKind(e)], [`payment-${e.id}`, `payment-stripe:${e.paymentId}`, `payment-stripe:${e.paymentId}`]);
    assert.deepEqual(
      calls.map((c) => [c.method, c.workflowType, c.options.taskQueue]),
      [['start', 'paymentToCrm', 'q1'], ['signalWithStart', 'paymentSaga', 'q2']],
    );
    assert.deepEqual(calls[1]!.options.signalArgs, [e]);
    assert.deepEqual(calls[0]!.options.args, [e]);
  });
});
