import { createHash } from 'node:crypto';
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
