import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { InputError } from '../../nodes/core/errors';
import { failFastOnInputError } from '../../temporal/activities/fail-fast';
import { createActivities } from '../../temporal/activities/worker-activities';
import type { PollSourceInput, PollSummary } from '../../workflows/activity-contracts/poll-activities';
import { createPaymentWorker, WORKFLOWS_PATH } from '../../temporal/payment-worker';
import { MAX_POLL_ROUNDS, type pollSource } from '../../workflows/poll-source';
import { startTimeSkippingServer } from '../temporal/support/dev-server';
import { tempStore, TEST_TOKEN_KEYS } from '../support/temp-store';
import { executeWithin } from '../temporal/support/result-within';

const round = (over: Partial<PollSummary> = {}): PollSummary => ({ source: 'square', fresh: 2, duplicates: 1, pages: 1, more: false, raced: false, workflowIds: ['payment-a', 'payment-b'], ...over });

describe('pollSource workflow (time-skipping test server)', () => {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleWithSourceMap;
  let s: Awaited<ReturnType<typeof tempStore>>;
  before(async () => {
    [env, bundle, s] = await Promise.all([startTimeSkippingServer(), bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('WARN') }), tempStore()]);
  });
  after(async () => {
    await env?.teardown();
    await s?.remove();
  });

  /** Runs the workflow with the given poll activity; returns its result (or rejection) and the inputs the activity got. */
  async function run(activity: (input: PollSourceInput) => Promise<PollSummary>, input: PollSourceInput = { source: 'square' }) {
    const taskQueue = `poll-test-${randomUUID()}`;
    const inputs: PollSourceInput[] = [];
    const activities = { ...createActivities({ storeUrl: s.url, tokenKeys: TEST_TOKEN_KEYS, defaultRegion: 'US' }), pollSourceActivity: (i: PollSourceInput) => (inputs.push(i), activity(i)) };
    const worker = await createPaymentWorker({ connection: env.nativeConnection, taskQueue, activities, workflowBundle: bundle });
    const result = worker.runUntil(executeWithin(env.client.workflow.start<typeof pollSource>('pollSource', { workflowId: `poll-${randomUUID()}`, taskQueue, args: [input] })));
    return { result, inputs };
  }

  it('polls again while a backlog is reported, and adds the rounds up', async () => {
    const rounds = [round({ more: true }), round({ more: true, fresh: 0, duplicates: 0, workflowIds: [] }), round({ fresh: 1, duplicates: 0, workflowIds: ['payment-c'] })];
    const { result, inputs } = await run(async () => rounds.shift()!, { source: 'square', since: '2026-11-20T00:00:00Z', maxPages: 2 });
    assert.deepEqual(await result, { source: 'square', fresh: 3, duplicates: 1, pages: 3, workflowIds: ['payment-a', 'payment-b', 'payment-c'], rounds: 3, more: false });
    assert.deepEqual(inputs, Array(3).fill({ source: 'square', since: '2026-11-20T00:00:00Z', maxPages: 2 }));
  });

  it(`leaves a backlog beyond ${MAX_POLL_ROUNDS} rounds to the next scheduled run, and stops when another poller took over`, async () => {
    const endless = await run(async () => round({ more: true }));
    assert.deepEqual([(await endless.result).rounds, (await endless.result).more, endless.inputs.length], [MAX_POLL_ROUNDS, true, MAX_POLL_ROUNDS]);
    const raced = await run(async () => round({ more: true, raced: true }));
    assert.deepEqual([(await raced.result).rounds, (await raced.result).more], [1, false]);
  });

  it('tries a failed poll again, and fails at once, with the fix, on a setup mistake', async () => {
    let calls = 0;
    const flaky = await run(async () => {
      if (++calls === 1) throw new Error('Square answered 503 (simulated)');
      return round();
    });
    assert.equal((await flaky.result).fresh, 2);
    assert.equal(calls, 2);

    const misconfigured = await run(() => failFastOnInputError(() => {
      throw new InputError('accessToken', 'no Square access token is configured', 'set SQUARE_ACCESS_TOKEN');
    }));
    await assert.rejects(misconfigured.result, (e: Error & { cause?: { cause?: Error } }) => /accessToken: no Square access token/.test(String(e.cause?.cause?.message)));
    assert.equal(misconfigured.inputs.length, 1);
  });
});
