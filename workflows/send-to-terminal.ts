import type { Duration } from '@temporalio/common';
import { ActivityFailure, ApplicationFailure, condition, defineSignal, proxyActivities, setHandler } from '@temporalio/workflow';
import type { PushOutcome } from '../nodes/core/terminal-push/terminal-push';
import type { PushActivities, SendToTerminalInput } from './activity-contracts/push-activities';

/**
 * A customer waits at the counter: a push that has not reached the reader within a minute or so is better reported
 * than retried, so transient errors get a few quick attempts, not days. Adyen's /sync answers only once the
 * customer paid or the terminal gave up (up to about 150 s), hence the start-to-close time.
 */
const { sendToTerminal: pushSale } = proxyActivities<PushActivities>({
  startToCloseTimeout: '3 minutes',
  scheduleToCloseTimeout: '5 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '20 seconds', maximumAttempts: 5, nonRetryableErrorTypes: ['InputError'] },
});

/**
 * Failure types of the outcomes that end a push: retrying the same request cannot change them. The failure's
 * details[0] is the PushOutcome, so the workflow can still read the message and the field. The activity fails with
 * these (temporal/activities/push-activities.ts), so the two cannot drift apart.
 */
export const PUSH_FAILURE_TYPES = {
  rejected: 'TerminalPushRejected',
  declined: 'TerminalPushDeclined',
  cancelled: 'TerminalPushCancelled',
} as const;

/** The payment the pushed sale became, as the path that recorded it reports it. */
export interface PaymentArrived {
  eventId: string;
  /** The customer the payment was recorded under. */
  customerId?: string | null;
}

export interface SendToTerminalWorkflowInput extends SendToTerminalInput {
  /** How long to wait for `paymentArrived` after the sale reached the reader (ms or a duration such as "10 minutes"); no wait when absent. */
  waitForPayment?: Duration;
}

export interface SendToTerminalResult {
  /** Every outcome, the ones that fail the activity (rejected, declined, cancelled) included. */
  push: PushOutcome;
  /** Null when not waited for, or when it did not arrive in time. */
  payment: PaymentArrived | null;
}

/** Sent by whoever records the payment (for example a flow after CRM Upsert) to the workflow of its sale. */
export const paymentArrivedSignal = defineSignal<[PaymentArrived]>('paymentArrived');

/** The workflow id to start a push under: one push per vendor and reference, and a known address for the signal. */
export function sendToTerminalWorkflowId(vendor: string, reference: string): string {
  return `send-to-terminal-${vendor}-${reference}`;
}

/**
 * Pushes a sale to a reader and, when asked, waits for the payment it becomes. Declined, cancelled and rejected
 * pushes fail the activity without retries (their failure carries the outcome); this workflow turns them back into
 * a result, so its caller reads every outcome in one place. A refused key, a bad setting or an Adyen request
 * without an answer fail the workflow: those are for a person.
 */
export async function sendToTerminal(input: SendToTerminalWorkflowInput): Promise<SendToTerminalResult> {
  // Before the sale goes to the reader: a wait Temporal cannot read would fail the workflow task after the push, over
  // and over, leaving the run stuck with the customer's sale on the reader.
  if (input.waitForPayment !== undefined) checkWaitForPayment(input.waitForPayment);
  let payment: PaymentArrived | null = null;
  // The first well-formed report counts; it may come before the push returns (a tap right away).
  setHandler(paymentArrivedSignal, (p) => {
    if (!payment && p && typeof p === 'object' && typeof p.eventId === 'string' && p.eventId) payment = { eventId: p.eventId, customerId: p.customerId ?? null };
  });

  let push: PushOutcome;
  try {
    push = await pushSale({ vendor: input.vendor, sale: input.sale });
  } catch (e) {
    const outcome = outcomeOf(e);
    if (!outcome) throw e;
    return { push: outcome, payment: null };
  }
  if (push.outcome === 'sent' && input.waitForPayment !== undefined) await condition(() => payment !== null, input.waitForPayment);
  return { push, payment };
}

/**
 * The duration grammar Temporal reads a timer's length with (its `ms` package's): a number of milliseconds, or text
 * such as "10 minutes", "90s", "1.5h". Workflow code imports nothing but @temporalio/workflow, hence the copy.
 */
const DURATION_TEXT = /^(-?(?:\d+)?\.?\d+) *(milliseconds?|msecs?|ms|seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|w|years?|yrs?|y)?$/i;

function checkWaitForPayment(wait: unknown): void {
  if (typeof wait === 'number' ? Number.isFinite(wait) : typeof wait === 'string' && wait.length <= 100 && DURATION_TEXT.test(wait)) return;
  const field = 'waitForPayment';
  const fix = 'give milliseconds or a duration such as "10 minutes", or leave it out for no wait';
  throw ApplicationFailure.create({ type: 'InputError', message: `${field}: ${JSON.stringify(wait)} is not a duration. Fix: ${fix}`, nonRetryable: true, details: [{ field, fix }] });
}

function outcomeOf(e: unknown): PushOutcome | undefined {
  if (!(e instanceof ActivityFailure) || !(e.cause instanceof ApplicationFailure)) return undefined;
  if (!(Object.values(PUSH_FAILURE_TYPES) as string[]).includes(e.cause.type ?? '')) return undefined;
  return e.cause.details?.[0] as PushOutcome | undefined;
}
