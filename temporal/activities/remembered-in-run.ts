import { Context } from '@temporalio/activity';
import type { SqlDatabase } from '../../nodes/core/store/sql-database';
import { rememberedStep } from '../../nodes/core/store/step-results';

/**
 * A step whose answer depends on what it finds in the store (the match meets the customer it created, the ledger
 * its own row), run as a local activity: its first answer in this run is kept and given again. Temporal runs a
 * workflow task's local activities again when the server refuses the task's completion — it does when an event
 * reached the run meanwhile — and the steps would then read their own writes as a duplicate. Keyed by the run, the
 * activity's sequence number in it and its input, so a replayed task asks the same question and gets the same
 * answer. Regular activities, and calls outside an activity, run as they are.
 */
export function rememberedInRun<A extends unknown[], R>(db: () => Promise<SqlDatabase>, step: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A) => {
    const info = localActivityInfo();
    if (!info?.workflowExecution) return step(...args);
    return rememberedStep(await db(), { runId: info.workflowExecution.runId, stepId: `${info.activityType}#${info.activityId}`, input: args }, () => step(...args));
  };
}

function localActivityInfo() {
  try {
    const info = Context.current().info;
    return info.isLocal ? info : undefined;
  } catch {
    return undefined;
  }
}
