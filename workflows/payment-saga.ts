import { ActivityFailure, type RetryPolicy, ApplicationFailure, CancellationScope, TimeoutFailure, condition, isCancellation, defineSignal, getExternalWorkflowHandle, patched, proxyActivities, proxyLocalActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { PaymentEvent } from '../nodes/core/contracts/payment-event';
import type { ReviewResolution } from '../nodes/core/match/review-resolution';
import type { MatchedMessage, PaymentActivities, RecordedMessage } from './activity-contracts/payment-activities';
import type { SagaActivities, SagaFailureInput } from './activity-contracts/saga-activities';
import type { LoyaltyOutcome, SegmentOutcome } from './activity-contracts/segment-loyalty-activities';
import { PAYMENT_STEP_HEARTBEAT_TIMEOUT } from './heartbeat-timeout';
import { pendingReviewQuery, resolveReviewSignal, ReviewDesk, type ReviewOutcome } from './review';
import { paymentArrivedSignal } from './send-to-terminal';

/**
 * Failure types never retried: a bad event, and what the CRM port says no retry can fix (refused credentials, a
 * record the CRM refuses, our own CRM setup). Rate limits and transient CRM errors are retried like anything else.
 */
export const SAGA_NON_RETRYABLE = ['InputError', 'CrmAuthError', 'CrmValidationError', 'CrmConfigError'];

/** The failure type of a saga that gave up on an event (after compensating it). */
export const PAYMENT_SAGA_FAILED = 'PaymentSagaFailed';

/** Every event of one payment (the sale, its refunds and disputes) goes to its saga by this signal, in order. */
export const paymentEventSignal = defineSignal<[PaymentEvent]>('paymentEvent');

/** Same patience as paymentToCrm: a CRM down over a weekend must not lose the sale. */
const retry: RetryPolicy = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 minutes', nonRetryableErrorTypes: SAGA_NON_RETRYABLE };
/**
 * The regular activities heartbeat while they run: an attempt whose worker died, or whose result a restarting server
 * never recorded, is retried within the heartbeat timeout instead of after the start-to-close timeout. Changing these
 * options is replay-safe: a replay does not compare an activity's options with the history's (replay.test.ts).
 */
const regular = { startToCloseTimeout: '2 minutes', heartbeatTimeout: PAYMENT_STEP_HEARTBEAT_TIMEOUT, scheduleToCloseTimeout: '3 days', retry } as const;
const { tokenize, upsert, reviewWait, segment, loyalty } = proxyActivities<PaymentActivities>(regular);
const steps = proxyActivities<SagaActivities>(regular);
/**
 * The store-only steps as local activities: they run in the worker inside the workflow task, so a payment costs one
 * server round trip instead of one per step, and the history keeps each result as a marker all the same. Each is
 * idempotent by event id (a local activity runs again when its workflow task is lost). Backoff longer than the
 * threshold becomes a durable timer, so a store that is down for days is still waited for. No heartbeat timeout:
 * a local activity cannot heartbeat; a lost one is run again with its workflow task (workflow task timeout).
 */
const local = proxyLocalActivities<PaymentActivities & SagaActivities>({ startToCloseTimeout: '2 minutes', scheduleToCloseTimeout: '3 days', localRetryThreshold: '10 seconds', retry });

/** Runs started before the store-only steps became local activities replay as they ran: every step a regular activity. */
export const SAGA_LOCAL_STEPS_PATCH = 'saga-local-store-steps';

/** Runs started before every step ran in one workflow task end each event with a regular activity, as they did. */
export const SAGA_ONE_TASK_PATCH = 'saga-one-workflow-task';

/** Runs started before the saga waited for an operator's review record a review-band payment at once, as they did. */
export const SAGA_REVIEW_WAITS_PATCH = 'saga-review-waits-for-operator';

/**
 * Runs started before a cancelled run compensated replay as they ran: the compensations and the alert asked for in
 * the cancelled scope, so refused at once.
 */
export const SAGA_COMPENSATES_ON_CANCEL_PATCH = 'saga-compensates-on-cancel';

/** Which proxy each step goes through in this run. */
interface SagaSteps {
  tokenize: PaymentActivities['tokenize'];
  sagaMatch: SagaActivities['sagaMatch'];
  upsert: (message: MatchedMessage, resolution?: ReviewResolution) => Promise<RecordedMessage>;
  reviewWait: PaymentActivities['reviewWait'];
  /** Null: nothing to do for the CRM (the local CRM); otherwise the proxy sagaCrmSync goes through. */
  crmSync: () => Promise<SagaActivities['sagaCrmSync'] | null>;
  segment: PaymentActivities['segment'];
  loyalty: PaymentActivities['loyalty'];
  sagaFollowUps: SagaActivities['sagaFollowUps'];
}

// Called without the resolution when there is none, so the activity's input is what it was before reviews waited.
const regularSteps: SagaSteps = { tokenize, sagaMatch: steps.sagaMatch, upsert: (m, r) => (r ? upsert(m, r) : upsert(m)), reviewWait, crmSync: async () => steps.sagaCrmSync, segment, loyalty, sagaFollowUps: steps.sagaFollowUps };

/**
 * The CRM step is what may wait on a rate-limited SaaS, so it stays a regular activity (its own retries, a
 * worker slot of its own) when it sends; queueing into the outbox is a store step and runs locally; the local CRM
 * has none.
 */
const localSteps: SagaSteps = {
  tokenize: local.tokenize,
  sagaMatch: local.sagaMatch,
  upsert: (m, r) => (r ? local.upsert(m, r) : local.upsert(m)),
  reviewWait: local.reviewWait,
  crmSync: async () => {
    const mode = await local.sagaCrmMode();
    return mode === 'none' ? null : mode === 'queue' ? local.sagaCrmSync : steps.sagaCrmSync;
  },
  segment: local.segment,
  loyalty: local.loyalty,
  // Runs started before SAGA_ONE_TASK_PATCH: a regular activity, the event's last step, ended the workflow task
  // that ran the local ones, so that a refused completion could not drop their markers (see oneTaskSteps).
  sagaFollowUps: steps.sagaFollowUps,
};

/**
 * Every step of an event in one workflow task. The server refuses to complete a run while an event it has not yet
 * delivered waits (Stripe sends two per payment, moments apart), and drops that task's local activity markers with
 * the refused completion, so the next task runs the steps again. Each step that reads what it wrote answers again
 * as it did the first time in this run (temporal/activities/remembered-in-run.ts), so the run goes on unchanged
 * instead of reporting its own payment a duplicate, and no regular activity is needed to end the task.
 */
const oneTaskSteps: SagaSteps = { ...localSteps, sagaFollowUps: local.sagaFollowUps };

export interface SagaEventResult {
  eventId: string;
  kind: PaymentEvent['kind'];
  /** "duplicate-signal": the same event was delivered to this run twice and applied once. */
  outcome: RecordedMessage['crm']['outcome'] | 'duplicate-signal' | 'compensated';
  customerId: string | null;
  /** Merges this event made (undone again when the event was compensated). */
  merges: string[];
  crmSync: string | null;
  /** Null unless the matcher put the payment in the review band: how it was settled (as paymentToCrm says). */
  review: ReviewOutcome | null;
  segment: SegmentOutcome | null;
  loyalty: LoyaltyOutcome | null;
  /** Set when the event failed for good: why, and the compensations that ran. */
  failure?: { reason: string; compensated: string[]; compensationsFailed: string[] };
}

export interface PaymentSagaResult {
  events: SagaEventResult[];
}

/** Small undo list in the saga sample's shape: each step that changed something says how to take it back. */
class Compensations {
  private readonly steps: { name: string; undo: (reason: string) => Promise<unknown> }[] = [];
  push(name: string, undo: (reason: string) => Promise<unknown>): void {
    this.steps.push({ name, undo });
  }
  /** Latest first; one failing does not stop the others (each is an activity with its own retries). */
  async runInReverse(reason: string): Promise<{ ran: string[]; failed: string[] }> {
    const ran: string[] = [];
    const failed: string[] = [];
    for (const step of [...this.steps].reverse()) {
      try {
        await step.undo(reason);
        ran.push(step.name);
      } catch (e) {
        failed.push(`${step.name}: ${reasonOf(e)}`);
      }
    }
    return { ran, failed };
  }
}

function reasonOf(e: unknown): string {
  if (e instanceof ActivityFailure && e.cause) return e.cause.message;
  return e instanceof Error ? e.message : String(e);
}

/**
 * An activity that gave up (non-retryable, or out of retries): the saga compensates. A regular activity's failure
 * comes wrapped in an ActivityFailure, a local activity's as the failure it raised (or its timeout). Anything else
 * is a bug and fails the task.
 */
const gaveUp = (e: unknown) => e instanceof ActivityFailure || e instanceof ApplicationFailure || e instanceof TimeoutFailure;

/**
 * The payment saga: one run per payment (`payment-<source>:<paymentId>`), fed by signal-with-start, so a refund or
 * dispute delivered while the sale is still being processed waits its turn and is applied after it. Per event:
 * tokenize → match → merge (undone on failure) → CRM upsert into the store and its ledger (the CRM write marked
 * failed on failure) → CRM sync through the outbox → segment → loyalty (points reversed on failure) → follow-ups.
 * An event that fails for good is compensated latest step first, an alert row is written, the events queued
 * behind it are still applied (the ledger keeps the payment either way), and the run then fails with the reason.
 */
export async function paymentSaga(first?: PaymentEvent): Promise<PaymentSagaResult> {
  const queue: PaymentEvent[] = first ? [first] : [];
  const seen = new Set<string>();
  const results: SagaEventResult[] = [];
  // Decided once per run, before the first step, so a run never mixes the two shapes.
  const run = patched(SAGA_LOCAL_STEPS_PATCH) ? (patched(SAGA_ONE_TASK_PATCH) ? oneTaskSteps : localSteps) : regularSteps;
  const desk = new ReviewDesk();
  setHandler(paymentEventSignal, (event) => {
    queue.push(event);
  });
  setHandler(pendingReviewQuery, () => desk.pending);
  setHandler(resolveReviewSignal, (value) => desk.answer(value));
  // Started by signal-with-start, the signal is already here; a direct start brings its event as the argument.
  if (queue.length === 0) await condition(() => queue.length > 0, '1 minute');
  while (queue.length > 0) {
    const event = queue.shift()!;
    if (seen.has(event.id)) {
      results.push({ eventId: event.id, kind: event.kind, outcome: 'duplicate-signal', customerId: null, merges: [], crmSync: null, review: null, segment: null, loyalty: null });
      continue;
    }
    seen.add(event.id);
    results.push(await applyEvent(event, run, desk));
  }
  const failed = results.find((r) => r.failure);
  if (failed) throw ApplicationFailure.create({ type: PAYMENT_SAGA_FAILED, message: `${failed.eventId}: ${failed.failure!.reason}`, nonRetryable: true, details: [{ events: results }] });
  return { events: results };
}

async function applyEvent(event: PaymentEvent, run: SagaSteps, desk: ReviewDesk): Promise<SagaEventResult> {
  const compensations = new Compensations();
  const about = { workflowId: workflowInfo().workflowId, eventId: event.id, source: event.source, paymentId: event.paymentId };
  const merges: string[] = [];
  let review: ReviewOutcome | null = null;
  try {
    const matched = await run.sagaMatch(await run.tokenize(event));
    let resolution: ReviewResolution | undefined;
    // Asked only in the review band, so other payments keep the history they had. Nothing is written while it waits.
    if (matched.match.decision === 'review') {
      ({ outcome: review, resolution } = patched(SAGA_REVIEW_WAITS_PATCH) ? await desk.settle(matched, await run.reviewWait()) : { outcome: 'no-wait' as const });
    }
    if (matched.match.merges?.some((m) => m.auto)) {
      const made = await steps.sagaMerge(matched);
      merges.push(...made.map((m) => m.id));
      if (made.length > 0) compensations.push('unmerge', () => steps.sagaUnmerge(made));
    }
    // Pushed before the step: a write that committed but never answered is marked as well.
    compensations.push('crm-marked-failed', (reason) => steps.sagaMarkCrmFailed({ ...about, reason }));
    const recorded = await run.upsert(matched, resolution);
    const crmSync = await run.crmSync();
    const sync = crmSync ? await crmSync(recorded) : null;
    // The steps after read whose payment it is (crm), not how the match was found: the history has that once already.
    const forSteps = { ...recorded, match: undefined };
    const segmented = await run.segment(forSteps);
    compensations.push('points-reversed', (reason) => steps.sagaReversePoints({ ...about, reason }));
    const rewarded = await run.loyalty(forSteps);
    const { pushedSaleWorkflowId } = await run.sagaFollowUps(recorded);
    if (pushedSaleWorkflowId) {
      // A push started elsewhere (n8n, Node-RED) or long finished has no workflow here: nothing to tell.
      await getExternalWorkflowHandle(pushedSaleWorkflowId).signal(paymentArrivedSignal, { eventId: recorded.id, customerId: recorded.crm.customerId }).catch(() => undefined);
    }
    return {
      eventId: event.id, kind: event.kind, outcome: recorded.crm.outcome, customerId: recorded.crm.customerId, merges,
      crmSync: sync?.status ?? null, review, segment: segmented, loyalty: rewarded,
    };
  } catch (e) {
    // A cancelled run (an operator's `temporal workflow cancel`) is undone as a failed event is, then ends cancelled.
    const cancelled = isCancellation(e);
    if (!gaveUp(e) && !cancelled) throw e;
    const reason = cancelled ? 'the workflow run was cancelled' : reasonOf(e);
    const input: SagaFailureInput = { ...about, reason };
    const compensate = async () => {
      const ran = await compensations.runInReverse(reason);
      await steps.sagaAlert(input);
      return ran;
    };
    // Shielded from the cancellation: in the cancelled scope each would be refused before it was even scheduled,
    // leaving the queued CRM write for CRM Sync to send, the merge made and the points granted. A cancel arriving
    // while a failure is compensated waits for the compensations likewise.
    const undone = !cancelled || patched(SAGA_COMPENSATES_ON_CANCEL_PATCH) ? await CancellationScope.nonCancellable(compensate) : await compensate();
    if (cancelled) throw e;
    return {
      eventId: event.id, kind: event.kind, outcome: 'compensated', customerId: null, merges, crmSync: null, review, segment: null, loyalty: null,
      failure: { reason, compensated: undone.ran, compensationsFailed: undone.failed },
    };
  }
}
