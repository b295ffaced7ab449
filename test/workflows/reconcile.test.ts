import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../../temporal/payment-worker';
import type { ReconcileActivities, ReconcileInput, ReconcileSummary } from '../../workflows/activity-contracts/reconcile-activities';
import { reconcilePeriod, type ReconcileWorkflowInput } from '../../workflows/reconcile';
import { startTimeSkippingServer } from '../temporal/support/dev-server';
import { settledWithin } from '../temporal/support/result-within';

describe('reconcilePeriod workflow (time-skipping test server)', { timeout: 60_000 }, () => {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleWithSourceMap;
  before(async () => {
    [env, bundle] = await Promise.all([startTimeSkippingServer(), bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('WARN') })]);
  });
  after(async () => {
    await env?.teardown();
  });

  async function run(input: ReconcileWorkflowInput) {
    const asked: ReconcileInput[] = [];
    const activities: ReconcileActivities = {
      reconcileActivity: async (i) => {
        asked.push(i);
        return { source: i.source, since: i.since, until: i.until, processorPayments: 0, ledgerPayments: 0, clean: 0, missing: [], duplicated: [], mismatched: [], unknown: [] } as unknown as ReconcileSummary;
      },
    };
    const taskQueue = `reconcile-${randomUUID()}`;
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle, activities });
    const settled = await worker.runUntil(async () => settledWithin(await env.client.workflow.start(reconcilePeriod, { workflowId: `reconcile-${randomUUID()}`, taskQueue, args: [input] }), 10_000));
    return { ...settled, asked };
  }

  it('covers the lookback up to the run\'s start when no dates are given', async () => {
    const { value, asked } = await run({ source: 'stripe', lookbackDays: 2 });
    assert.ok(value);
    assert.equal(asked.length, 1);
    assert.equal(Date.parse(asked[0]!.until) - Date.parse(asked[0]!.since), 2 * 86_400_000);
  });

  // What an operator's `temporal schedule create --input '…'` may carry: the run must fail, naming the field, not
  // stay running on a failing workflow task (with overlap SKIP, every later scheduled run would be skipped).
  for (const [input, field] of [
    [{ source: 'stripe', lookbackDays: 'a week' }, 'lookbackDays'],
    [{ source: 'stripe', until: 'yesterday' }, 'until'],
  ] as const) {
    it(`fails at once, naming ${field}, on ${JSON.stringify(input)}`, async () => {
      const { error, asked } = await run(input as unknown as ReconcileWorkflowInput);
      assert.ok(error instanceof WorkflowFailedError && error.cause instanceof ApplicationFailure, `the run failed, not ${String(error)}`);
      assert.equal(error.cause.type, 'InputError');
      assert.match(error.cause.message, new RegExp(`^${field}: `));
      assert.deepEqual(asked, [], 'nothing was read');
    });
  }
});
