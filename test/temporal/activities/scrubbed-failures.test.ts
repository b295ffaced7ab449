import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import type { ActivityExecuteInput, ActivityInterceptors, NativeConnection } from '@temporalio/worker';
import type { Context } from '@temporalio/activity';
import { CloverApiError } from '../../../nodes/core/sources/clover-api';
import { PAN_REDACTION } from '../../../nodes/core/pan-scrub';
import type { TerminalCrmActivities } from '../../../temporal/activities/worker-activities';
import { paymentWorkerOptions } from '../../../temporal/payment-worker';

/**
 * What an activity fails with is kept in the workflow's history. The core's own errors are scrubbed when built; an
 * error it did not build (a processor's answer quoted by an API error, a library's message) is scrubbed by the
 * worker's activity interceptor before Temporal records it.
 */
const PAN = '4012888888881881';
const SPACED = '5425 2334 3010 9903';

/** The activity interceptors the pack's worker is created with, around an activity that fails with `failure`. */
async function failureThroughWorker(failure: unknown): Promise<unknown> {
  const options = paymentWorkerOptions({ connection: {} as NativeConnection, taskQueue: 'scrub', activities: {} as TerminalCrmActivities, workflowsPath: 'unused' });
  const factories = options.interceptors?.activity ?? [];
  const inbound = factories.map((f) => (f({} as Context) as ActivityInterceptors).inbound).filter((i) => i?.execute !== undefined);
  let run: (input: ActivityExecuteInput) => Promise<unknown> = () => Promise.reject(failure);
  for (const i of inbound.reverse()) {
    const next = run;
    run = (input) => i!.execute!(input, next);
  }
  try {
    await run({ args: [], headers: {} });
  } catch (e) {
    return e;
  }
  assert.fail('the activity failed');
}

describe('an activity failure the worker records holds no card number', { timeout: 10_000 }, () => {
  it('a processor answer quoted by an API error: message and stack scrubbed, the error and its class kept', async () => {
    const thrown = new CloverApiError(400, 'reading payment ABC123', `Invalid note "paid with ${PAN}"`);
    const e = await failureThroughWorker(thrown);
    assert.ok(e instanceof CloverApiError, 'the same error, for the retry policy to read');
    assert.equal(e.status, 400);
    assert.equal(e.message, `Clover answered 400 reading payment ABC123: Invalid note "paid with ${PAN_REDACTION}"`);
    assert.ok(!e.stack?.includes(PAN), e.stack);
  });

  it('an ApplicationFailure: its message, details and cause scrubbed, its type and retry kept', async () => {
    const cause = new Error(`card ${SPACED} refused`);
    const thrown = ApplicationFailure.create({ type: 'CrmRejected', message: `row ${PAN} refused`, nonRetryable: true, details: [{ field: 'note', value: `typed ${SPACED}` }], cause });
    const e = await failureThroughWorker(thrown);
    assert.ok(e instanceof ApplicationFailure);
    assert.deepEqual([e.type, e.nonRetryable], ['CrmRejected', true]);
    const recorded = JSON.stringify({ message: e.message, stack: e.stack, details: e.details, cause: e.cause?.message, causeStack: e.cause?.stack });
    assert.ok(!recorded.replace(/\D/g, '').includes(PAN.slice(-12)) && !recorded.includes(SPACED), recorded);
    assert.equal(e.message, `row ${PAN_REDACTION} refused`);
    assert.deepEqual(e.details, [{ field: 'note', value: `typed ${PAN_REDACTION}` }]);
  });

  it('a failure without card data is left as it is', async () => {
    const thrown = new Error('Pipedrive answered 503 to POST /persons');
    const stack = thrown.stack;
    const e = await failureThroughWorker(thrown);
    assert.equal(e, thrown);
    assert.equal((e as Error).message, 'Pipedrive answered 503 to POST /persons');
    assert.equal((e as Error).stack, stack);
  });
});
