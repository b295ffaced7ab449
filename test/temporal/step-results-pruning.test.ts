import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { closeAllDatabases, openDatabase } from '../../nodes/core/store/open-database';
import { rememberedStep } from '../../nodes/core/store/step-results';
import { startStepResultsPruning, startStepResultsPruningFromEnv } from '../../temporal/step-results-pruning';
import { tempDir } from '../support/temp-store';

const dir = tempDir('step-pruning-');
after(async () => {
  await closeAllDatabases();
  dir.remove();
});

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 11, 10, 12);

async function storeWithAnswers(name: string, ages: readonly number[]) {
  const db = await openDatabase(`sqlite:${join(dir.path, `${name}.db`)}`);
  for (const [i, age] of ages.entries()) await rememberedStep(db, { runId: `run-${i}`, stepId: 'upsert#2', input: [i] }, async () => i, () => new Date(NOW - age));
  return db;
}

const runsLeft = async (db: Awaited<ReturnType<typeof storeWithAnswers>>) =>
  (await db.all<{ run_id: string }>('SELECT run_id FROM step_results ORDER BY run_id')).map((r) => r.run_id);

describe('the worker prunes the saga\'s remembered answers', () => {
  it('deletes at start what is older than the retention, and logs how many', async () => {
    const db = await storeWithAnswers('start', [8 * 24 * HOUR, 7 * 24 * HOUR + 1, 6 * 24 * HOUR, HOUR]);
    const lines: string[] = [];
    const pruning = startStepResultsPruning({ db, keepMs: 7 * 24 * HOUR, now: () => NOW, log: (l) => lines.push(l) });
    try {
      const deadline = Date.now() + 5_000;
      while (!lines.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(await runsLeft(db), ['run-2', 'run-3']);
      assert.equal(await pruning.runOnce(), 0, 'nothing left to delete after the first pass');
      assert.deepEqual(lines, ['Step results: 2 answers older than 168 h deleted']);
    } finally {
      await pruning.stop();
    }
  });

  it('runs again every interval, and a failed pass is reported without stopping the next', async () => {
    const db = await storeWithAnswers('interval', []);
    let now = NOW;
    const lines: string[] = [];
    let failOnce = true;
    const flaky = Object.create(db) as typeof db;
    flaky.run = async (sql, params) => {
      if (failOnce) {
        failOnce = false;
        throw new Error('database is locked');
      }
      return db.run(sql, params);
    };
    const pruning = startStepResultsPruning({ db: flaky, keepMs: HOUR, everyMs: 20, now: () => now, log: (l) => lines.push(l) });
    try {
      await rememberedStep(db, { runId: 'later', stepId: 'segment#4', input: [] }, async () => 1, () => new Date(NOW));
      now = NOW + 2 * HOUR;
      const deadline = Date.now() + 5_000;
      while ((await runsLeft(db)).length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(await runsLeft(db), []);
      assert.equal(lines[0], 'Step results pruning failed: database is locked');
      assert.ok(lines.includes('Step results: 1 answers older than 1 h deleted'), lines.join('\n'));
    } finally {
      await pruning.stop();
    }
  });

  it('is off with TERMINAL_CRM_STEP_RESULTS_KEEP=off, and refuses a value under an hour', async () => {
    assert.equal(await startStepResultsPruningFromEnv({ TERMINAL_CRM_STEP_RESULTS_KEEP: 'off' }, { storeUrl: `sqlite:${join(dir.path, 'off.db')}` }), null);
    await assert.rejects(startStepResultsPruningFromEnv({ TERMINAL_CRM_STEP_RESULTS_KEEP: '30m' }, { storeUrl: `sqlite:${join(dir.path, 'off.db')}` }), /TERMINAL_CRM_STEP_RESULTS_KEEP: "30m" is shorter than an hour/);
  });
});
