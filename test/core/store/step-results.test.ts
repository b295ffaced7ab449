import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError } from '../../../nodes/core/errors';
import { DEFAULT_STEP_RESULTS_KEEP_MS, pruneStepResults, rememberedStep, stepResultsKeepMs } from '../../../nodes/core/store/step-results';
import { dialectStores } from '../match/store-dialects';

for (const store of dialectStores('step-results')) {
  describe(`step results: a step's first answer in a run, given again (${store.dialect})`, () => {
    it('runs a step once per run, step and input, and answers the stored answer after that', async () => {
      const { db } = await store.open();
      let runs = 0;
      const step = async () => ({ outcome: runs++ === 0 ? 'recorded' : 'duplicate', at: undefined, n: runs });
      const call = { runId: 'run-1', stepId: 'upsert#3', input: [{ id: 'evt_1' }] };

      const first = await rememberedStep(db, call, step);
      const again = await rememberedStep(db, call, step);

      assert.deepEqual(first, { outcome: 'recorded', at: undefined, n: 1 });
      assert.deepEqual(again, { outcome: 'recorded', n: 1 }, 'the first answer, as JSON gives it back');
      assert.equal(runs, 1);
      // Another run, another position or another input is another question.
      assert.equal((await rememberedStep(db, { ...call, runId: 'run-2' }, step)).outcome, 'duplicate');
      assert.equal((await rememberedStep(db, { ...call, stepId: 'upsert#9' }, step)).n, 3);
      assert.equal((await rememberedStep(db, { ...call, input: [{ id: 'evt_2' }] }, step)).n, 4);
      const rows = await db.all<{ run_id: string; step_id: string }>('SELECT run_id, step_id FROM step_results ORDER BY recorded_at, run_id, step_id');
      assert.equal(rows.length, 4);
    });

    it('keeps nothing of a step that failed: it runs again', async () => {
      const { db } = await store.open();
      let runs = 0;
      const call = { runId: 'run-f', stepId: 'segment#5', input: ['x'] };
      await assert.rejects(rememberedStep(db, call, async () => {
        runs++;
        throw new Error('store locked');
      }), /store locked/);
      assert.equal(await rememberedStep(db, call, async () => ++runs), 2);
      assert.equal(await rememberedStep(db, call, async () => ++runs), 2);
    });

    it('prunes the answers recorded before a time, in chunks, and keeps the newer ones answering', async () => {
      const { db } = await store.open();
      const day = (d: number) => () => new Date(Date.UTC(2026, 11, d, 12));
      for (let i = 0; i < 7; i++) await rememberedStep(db, { runId: `old-${i}`, stepId: 'match#1', input: [i] }, async () => i, day(1));
      await rememberedStep(db, { runId: 'new', stepId: 'match#1', input: [0] }, async () => 'first', day(9));

      assert.equal(await pruneStepResults(db, new Date(Date.UTC(2026, 11, 2)), 3), 7, 'three chunks: 3, 3 and 1');
      const left = await db.all<{ run_id: string }>('SELECT run_id FROM step_results');
      assert.deepEqual(left.map((r) => r.run_id), ['new']);
      assert.equal(await rememberedStep(db, { runId: 'new', stepId: 'match#1', input: [0] }, async () => 'second'), 'first');
      assert.equal(await pruneStepResults(db, new Date(Date.UTC(2026, 11, 2))), 0);
    });
  });
}

describe('step results: how long the worker keeps them', () => {
  it('reads TERMINAL_CRM_STEP_RESULTS_KEEP: a week by default, a duration of an hour or more, or off', () => {
    assert.equal(stepResultsKeepMs(undefined), DEFAULT_STEP_RESULTS_KEEP_MS);
    assert.equal(stepResultsKeepMs(' '), 7 * 86_400_000);
    assert.equal(stepResultsKeepMs('2d'), 2 * 86_400_000);
    assert.equal(stepResultsKeepMs('36h'), 36 * 3_600_000);
    assert.equal(stepResultsKeepMs('OFF'), null);
  });

  it('refuses what is not a duration, or under an hour, naming the variable and the fix', () => {
    for (const raw of ['a week', '10m', '0']) {
      assert.throws(() => stepResultsKeepMs(raw), (e: unknown) => e instanceof InputError && e.field === 'TERMINAL_CRM_STEP_RESULTS_KEEP' && /7d/.test(e.fix) && e.message.includes(raw));
    }
  });
});
