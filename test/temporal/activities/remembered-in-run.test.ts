import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { rememberedInRun } from '../../../temporal/activities/remembered-in-run';
import { tempStore } from '../../support/temp-store';

describe('rememberedInRun: a local activity answers again as it first did in its run', () => {
  let s: Awaited<ReturnType<typeof tempStore>>;
  beforeEach(async () => {
    s = await tempStore();
  });
  afterEach(async () => {
    await s.remove();
  });
  const counted = () => {
    let runs = 0;
    return { step: rememberedInRun(async () => s.db, async (id: string) => ({ id, outcome: ++runs === 1 ? 'recorded' : 'duplicate' })), runs: () => runs };
  };
  const local = (runId: string, activityId = '3') =>
    new MockActivityEnvironment({ isLocal: true, activityId, activityType: 'upsert', workflowExecution: { workflowId: 'payment-stripe:pi_1', runId } });

  it('a local activity asked again in the same run (same position, same input) gets its first answer, without running', async () => {
    const { step, runs } = counted();
    assert.deepEqual(await local('run-a').run(step, 'evt_1'), { id: 'evt_1', outcome: 'recorded' });
    assert.deepEqual(await local('run-a').run(step, 'evt_1'), { id: 'evt_1', outcome: 'recorded' });
    assert.equal(runs(), 1);
    // A later run of the workflow (a redelivery after the first finished) asks anew and learns it is a duplicate.
    assert.deepEqual(await local('run-b').run(step, 'evt_1'), { id: 'evt_1', outcome: 'duplicate' });
    assert.equal((await s.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM step_results'))!.n, 2);
  });

  it('a regular activity, and a call outside any activity, run every time and keep nothing', async () => {
    const { step, runs } = counted();
    const regular = () => new MockActivityEnvironment({ isLocal: false, activityId: '3', workflowExecution: { workflowId: 'w', runId: 'run-r' } });
    await regular().run(step, 'evt_1');
    assert.equal(((await regular().run(step, 'evt_1')) as { outcome: string }).outcome, 'duplicate');
    assert.equal((await step('evt_1')).outcome, 'duplicate');
    assert.equal(runs(), 3);
    assert.equal((await s.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM step_results'))!.n, 0);
  });
});
