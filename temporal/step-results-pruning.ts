import { openDatabase } from '../nodes/core/store/open-database';
import type { SqlDatabase } from '../nodes/core/store/sql-database';
import { pruneStepResults, STEP_RESULTS_KEEP_ENV, stepResultsKeepMs } from '../nodes/core/store/step-results';
import { startPeriodicPass, type PeriodicPass } from './periodic-pass';

const HOUR_MS = 3_600_000;

/**
 * The worker's pruning of `step_results` (the saga's remembered answers, four or five rows per event): rows older
 * than `keepMs` are deleted at start and then every `everyMs` (an hour by default), so the table holds about
 * `keepMs` of traffic instead of growing with every payment ever made.
 */
export function startStepResultsPruning(o: { db: SqlDatabase; keepMs: number; everyMs?: number; now?: () => number; log?: (line: string) => void }): PeriodicPass<number> {
  const log = o.log ?? (() => undefined);
  const now = o.now ?? Date.now;
  return startPeriodicPass({
    everyMs: o.everyMs ?? Math.min(HOUR_MS, o.keepMs),
    pass: () => pruneStepResults(o.db, new Date(now() - o.keepMs)),
    onResult: (n) => {
      if (n > 0) log(`Step results: ${n} answers older than ${Math.round(o.keepMs / HOUR_MS)} h deleted`);
    },
    onError: (e) => log(`Step results pruning failed: ${e instanceof Error ? e.message : String(e)}`),
  });
}

/** TERMINAL_CRM_STEP_RESULTS_KEEP ("7d" by default, "off"): null when off. A wrong value stops the worker at start. */
export async function startStepResultsPruningFromEnv(env: NodeJS.ProcessEnv, o: { storeUrl: string; log?: (line: string) => void }): Promise<PeriodicPass<number> | null> {
  const keepMs = stepResultsKeepMs(env[STEP_RESULTS_KEEP_ENV]);
  if (keepMs === null) return null;
  return startStepResultsPruning({ db: await openDatabase(o.storeUrl || undefined), keepMs, log: o.log });
}
