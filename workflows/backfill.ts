import { condition, continueAsNew, defineQuery, defineSignal, proxyActivities, setHandler } from '@temporalio/workflow';
import type { BackfillProgress } from '../nodes/core/backfill/backfill-progress';
import type { BackfillActivities, BackfillInput } from './activity-contracts/backfill-activities';

/**
 * A page is seconds (a request and a ledger batch): heartbeats come after every batch, so a worker that dies is
 * noticed within the heartbeat timeout and the page goes to another worker, which carries on from the heartbeat.
 * Retries go on (a processor down for an hour is waited out); a setup mistake fails at once, with the fix.
 */
const { backfillPageActivity, openBackfillActivity } = proxyActivities<BackfillActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', nonRetryableErrorTypes: ['InputError'] },
});

export const backfillProgressQuery = defineQuery<BackfillStatus>('progress');
export const pauseBackfillSignal = defineSignal('pause');
export const resumeBackfillSignal = defineSignal('resume');
export const cancelBackfillSignal = defineSignal('cancel');

/** Pages per run before the workflow continues as new, keeping its history short. */
export const DEFAULT_PAGES_PER_RUN = 25;

export interface BackfillWorkflowInput extends BackfillInput {
  pagesPerRun?: number;
  /** Carried across continue-as-new. */
  state?: BackfillProgress;
  paused?: boolean;
}

export interface BackfillStatus extends BackfillProgress {
  paused: boolean;
  cancelled: boolean;
}

/** The id a backfill of this window runs under: starting it twice joins the one running. */
export function backfillWorkflowId(input: Pick<BackfillInput, 'source' | 'since' | 'until'>): string {
  return `backfill-${input.source}-${input.since}${input.until ? `..${input.until}` : ''}`;
}

/**
 * One backfill: an activity per page, the state passed from page to page (and kept in the store by the activity),
 * a progress query, and pause / resume / cancel signals taking effect between pages. Deterministic: the activities
 * do all I/O.
 */
export async function backfill(input: BackfillWorkflowInput): Promise<BackfillStatus> {
  let paused = input.paused ?? false;
  let cancelled = false;
  let state: BackfillProgress | undefined = input.state;
  const status = (): BackfillStatus => ({ ...state!, paused, cancelled });
  setHandler(backfillProgressQuery, () => (state ? status() : ({ paused, cancelled } as BackfillStatus)));
  setHandler(pauseBackfillSignal, () => void (paused = true));
  setHandler(resumeBackfillSignal, () => void (paused = false));
  setHandler(cancelBackfillSignal, () => void (cancelled = true));

  const { pagesPerRun, state: _carried, paused: _paused, ...work } = input;
  state ??= await openBackfillActivity(work);
  // A restart forgets the stored position once, not again after continue-as-new.
  const page = { ...work, restart: false };
  let pages = 0;
  while (!state.done && !cancelled) {
    await condition(() => !paused || cancelled);
    if (cancelled) break;
    state = await backfillPageActivity(page, state);
    pages++;
    if (!state.done && !cancelled && pages >= Math.max(1, pagesPerRun ?? DEFAULT_PAGES_PER_RUN)) {
      await continueAsNew<typeof backfill>({ ...page, pagesPerRun, state, paused });
    }
  }
  return status();
}
