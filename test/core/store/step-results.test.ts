import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rememberedStep } from '../../../nodes/core/store/step-results';
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
  });
}
