import { ApplicationFailure, condition, continueAsNew, defineQuery, defineSignal, patched, proxyActivities, setHandler } from '@temporalio/workflow';
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

/**
 * Runs started before pagesPerRun was read as below replay as they ran (one that held no number never continued as
 * new: test/workflows/histories/backfill.pages-per-run-text.json); after their next page they read it too, and one
 * that holds no number fails then, with the fix (the store has its position: started again, it carries on).
 */
export const PAGES_PER_RUN_READ_PATCH = 'backfill-pages-per-run-read';

export interface BackfillWorkflowInput extends BackfillInput {
  /**
   * Pages per run before continuing as new (DEFAULT_PAGES_PER_RUN when absent). A whole number, or its digits as
   * text (a start from the Temporal UI or CLI with JSON input); below 1 is 1, a fraction is rounded down.
   */
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
  // Read before the first command, so a count that is not one fails the run at once, with the fix: read as NaN, it
  // never continued the run as new and the history grew without end.
  let perRun: number | undefined;
  const runLength = () => (patched(PAGES_PER_RUN_READ_PATCH) ? (perRun ??= pagesPerRunOf(pagesPerRun)) : Math.max(1, pagesPerRun ?? DEFAULT_PAGES_PER_RUN));
  runLength();
  state ??= await openBackfillActivity(work);
  // A restart forgets the stored position once, not again after continue-as-new.
  const page = { ...work, restart: false };
  let pages = 0;
  while (!state.done && !cancelled) {
    await condition(() => !paused || cancelled);
    if (cancelled) break;
    state = await backfillPageActivity(page, state);
    pages++;
    if (!state.done && !cancelled && pages >= runLength()) {
      await continueAsNew<typeof backfill>({ ...page, pagesPerRun: perRun ?? pagesPerRun, state, paused });
    }
  }
  return status();
}

/** pagesPerRun as a whole number of at least 1; anything but a number (or a number's digits) fails the run. */
function pagesPerRunOf(value: unknown): number {
  if (value === undefined || value === null) return DEFAULT_PAGES_PER_RUN;
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (Number.isFinite(n)) return Math.max(1, Math.floor(n));
  const field = 'pagesPerRun';
  const fix = `give a whole number such as 10, or leave it out for ${DEFAULT_PAGES_PER_RUN}`;
  throw ApplicationFailure.create({ type: 'InputError', message: `${field}: ${JSON.stringify(value)} is not a number of pages. Fix: ${fix}`, nonRetryable: true, details: [{ field, fix }] });
}
