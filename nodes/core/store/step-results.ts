import { createHash } from 'node:crypto';
import { durationOrOff } from '../config/settings';
import { InputError } from '../errors';
import type { SqlExecutor } from './sql-database';

/**
 * Store schema version 17: the first answer of a step, per run of the workflow that called it. A workflow engine
 * may run a step again that already did its work (Temporal drops a workflow task's local activity results when it
 * refuses the task's completion); the store's keys keep the effect single, and this keeps the answer the same, so
 * the run goes on as it went the first time instead of reading its own write as a duplicate.
 */
export const STEP_RESULTS_MIGRATION = {
  version: 17,
  name: 'step results: the first answer of each step of a workflow run',
  sql: `
    CREATE TABLE step_results (
      run_id TEXT NOT NULL,
      step_id TEXT NOT NULL,
      input_digest TEXT NOT NULL,
      result TEXT NOT NULL,
      recorded_at TEXT NOT NULL,
      PRIMARY KEY (run_id, step_id, input_digest)
    )`,
} as const;

/** Schema version 18: the rows by age, so that those of long-closed runs are deleted without reading the table. */
export const STEP_RESULTS_BY_TIME_MIGRATION = {
  version: 18,
  name: 'step results by age, for pruning',
  sql: 'CREATE INDEX step_results_by_time ON step_results(recorded_at)',
} as const;

/** Which call of which run: the engine's run id and the step's position in it, with the input it was given. */
export interface StepCall {
  runId: string;
  stepId: string;
  input: unknown;
}

const digestOf = (input: unknown) => createHash('sha256').update(JSON.stringify(input ?? null)).digest('base64url');

/**
 * The step's answer: the one stored for this call, else `run`'s, stored before it is returned. Only answers are
 * kept: a step that throws stores nothing and runs again. The answer comes back as JSON gives it back, which is
 * how the engine hands it to the workflow either way.
 */
export async function rememberedStep<T>(db: SqlExecutor, call: StepCall, run: () => Promise<T>, now: () => Date = () => new Date()): Promise<T> {
  const key = [call.runId, call.stepId, digestOf(call.input)];
  const stored = await db.get<{ result: string }>('SELECT result FROM step_results WHERE run_id = ? AND step_id = ? AND input_digest = ?', key);
  if (stored) return JSON.parse(stored.result) as T;
  const result = await run();
  await db.run('INSERT INTO step_results (run_id, step_id, input_digest, result, recorded_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (run_id, step_id, input_digest) DO NOTHING', [
    ...key,
    JSON.stringify(result ?? null),
    now().toISOString(),
  ]);
  return result;
}

/**
 * Deletes the answers recorded before `before`, in chunks of `chunk` rows (one short transaction each, so a
 * busy store is never held), and says how many went. A run's answers are read again only while one of its
 * workflow tasks is being retried, minutes at most: past the retention they belong to closed or long-settled runs.
 */
export async function pruneStepResults(db: SqlExecutor, before: Date, chunk = 5_000): Promise<number> {
  let deleted = 0;
  for (;;) {
    const { changes } = await db.run(
      `DELETE FROM step_results WHERE (run_id, step_id, input_digest) IN
         (SELECT run_id, step_id, input_digest FROM step_results WHERE recorded_at < ? ORDER BY recorded_at LIMIT ?)`,
      [before.toISOString(), chunk],
    );
    deleted += changes;
    if (changes < chunk) return deleted;
  }
}

export const STEP_RESULTS_KEEP_ENV = 'TERMINAL_CRM_STEP_RESULTS_KEEP';
export const DEFAULT_STEP_RESULTS_KEEP_MS = 7 * 24 * 3_600_000;
const MIN_KEEP_MS = 3_600_000;

/**
 * How long the worker keeps step answers: "7d" by default ("2d", "36h"; at least an hour, the longest a workflow
 * task is retried with room to spare), or "off" to keep them all (another worker on the store prunes). Null when off.
 */
export function stepResultsKeepMs(raw: string | undefined): number | null {
  const fix = 'write a duration of an hour or more such as 7d, 48h or 1d12h, or off to keep every answer';
  const ms = durationOrOff(STEP_RESULTS_KEEP_ENV, raw, DEFAULT_STEP_RESULTS_KEEP_MS, fix);
  if (ms !== null && ms < MIN_KEEP_MS) throw new InputError(STEP_RESULTS_KEEP_ENV, `"${raw}" is shorter than an hour: a workflow task still being retried could lose its answers`, fix);
  return ms;
}
