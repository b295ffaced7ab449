import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import { SCHEDULED_RUN_HEARTBEAT_TIMEOUT } from './heartbeat-timeout';
import type { ReconcileActivities, ReconcileInput, ReconcileSummary } from './activity-contracts/reconcile-activities';

/**
 * Reading a period's history is minutes at most; a failed run is tried again a few times, then the next scheduled one
 * covers it. The activity heartbeats while it works, so a lost attempt is retried within the heartbeat timeout, not
 * after the hour.
 */
const { reconcileActivity } = proxyActivities<ReconcileActivities>({
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: SCHEDULED_RUN_HEARTBEAT_TIMEOUT,
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 3, nonRetryableErrorTypes: ['InputError'] },
});

export const DEFAULT_RECONCILE_LOOKBACK_DAYS = 7;

export interface ReconcileWorkflowInput extends Partial<Pick<ReconcileInput, 'since' | 'until'>>, Omit<ReconcileInput, 'since' | 'until'> {
  /** Without `since`: the period is this many days up to the run's start (a schedule passes no dates). */
  lookbackDays?: number;
}

/**
 * One reconciliation (a Temporal Schedule runs it, e.g. nightly over the last week): the processor's record of the
 * period against the ledger and the CRM, repaired where asked. The period is fixed from the workflow's clock, which
 * replays the same.
 */
export async function reconcilePeriod(input: ReconcileWorkflowInput): Promise<ReconcileSummary> {
  const { lookbackDays, ...rest } = input;
  const until = input.until ?? new Date(Date.now()).toISOString();
  // Worked out here, so checked here: a time that is not one would throw in the workflow task, which fails the task
  // and not the run, and the run would stay open for good (a schedule's overlap SKIP then skipping every later run).
  if (input.since === undefined && Number.isNaN(Date.parse(until))) inputError('until', `"${until}" is not a time`, 'give an ISO time such as 2026-01-31T00:00:00Z, or leave it out for the run\'s start');
  const days = lookbackDays === undefined ? DEFAULT_RECONCILE_LOOKBACK_DAYS : Number(lookbackDays);
  if (input.since === undefined && !Number.isFinite(days)) inputError('lookbackDays', `${JSON.stringify(lookbackDays)} is not a number of days`, `give a number such as 7, or leave it out for ${DEFAULT_RECONCILE_LOOKBACK_DAYS}`);
  const since = input.since ?? new Date(Date.parse(until) - days * 86_400_000).toISOString();
  return reconcileActivity({ ...rest, since, until });
}

/** The run fails at once, as the activities' InputErrors do: the field, the problem and the fix. */
function inputError(field: string, problem: string, fix: string): never {
  throw ApplicationFailure.create({ type: 'InputError', message: `${field}: ${problem}. Fix: ${fix}`, nonRetryable: true, details: [{ field, fix }] });
}
