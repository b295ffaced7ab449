import { getExternalWorkflowHandle, patched, proxyActivities, setHandler } from '@temporalio/workflow';
import type { MatchResult } from '../nodes/core/contracts/customer';
import type { PaymentEvent } from '../nodes/core/contracts/payment-event';
import type { ReviewResolution } from '../nodes/core/match/review-resolution';
import type { UpsertResult } from '../nodes/core/contracts/payment-message';
import type { PaymentActivities } from './activity-contracts/payment-activities';
import type { LoyaltyOutcome, SegmentOutcome } from './activity-contracts/segment-loyalty-activities';
import { PAYMENT_STEP_HEARTBEAT_TIMEOUT } from './heartbeat-timeout';
import { paymentArrivedSignal, sendToTerminalWorkflowId } from './send-to-terminal';
import { pendingReviewQuery, resolveReviewSignal, ReviewDesk, type ReviewOutcome } from './review';

/**
 * A payment is worth retrying for as long as the processor keeps the webhook alive (Stripe: three days): a CRM
 * that is down over a weekend must not lose the sale. Backoff starts at a second so a blip costs nothing, and is
 * capped at ten minutes so a recovered CRM is picked up soon. Input errors never heal, so they are not retried.
 * Segment and Loyalty write to the store as well, so they get the same patience. Each heartbeats while it runs: an
 * attempt whose worker died is retried within the heartbeat timeout, not after the start-to-close timeout.
 */
const { tokenize, match, upsert, reviewWait, segment, loyalty } = proxyActivities<PaymentActivities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: PAYMENT_STEP_HEARTBEAT_TIMEOUT,
  scheduleToCloseTimeout: '3 days',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '10 minutes',
    nonRetryableErrorTypes: ['InputError'],
  },
});

/** Small on purpose: it stays in the workflow history, the full record lives in the CRM and the store. */
export interface PaymentToCrmResult {
  eventId: string;
  customerId: string | null;
  outcome: UpsertResult['outcome'];
  /** The matcher's decision; for "review", `review` says how it was settled and `customerId` where it went. */
  decision: MatchResult['decision'];
  /** For review: the customer the matcher proposed. */
  candidateId: string | null;
  /** Null unless the decision was review. */
  review: ReviewOutcome | null;
  matchedOn: MatchResult['matchedOn'];
  customerCreated: boolean;
  /** The customer's segment and flags after this payment; null when the Segment step is off. */
  segment: SegmentOutcome | null;
  /** Points and membership events (enrolled, tier-changed); null without a loyalty program. */
  loyalty: LoyaltyOutcome | null;
}

/**
 * One payment event into the CRM, then into the customer's segment and loyalty account. The input is the
 * source's normalized event: card numbers already scrubbed, the card known only by the processor's fingerprint,
 * which tokenize replaces before anything else sees it.
 */
export async function paymentToCrm(event: PaymentEvent): Promise<PaymentToCrmResult> {
  const desk = new ReviewDesk();
  setHandler(pendingReviewQuery, () => desk.pending);
  setHandler(resolveReviewSignal, (value) => desk.answer(value));

  const tokenized = await tokenize(event);
  const matched = await match(tokenized);
  let review: ReviewOutcome | null = null;
  let answer: ReviewResolution | undefined;
  if (matched.match.decision === 'review') {
    // Asked only here, so payments outside the review band keep their history as it was. A run started before
    // reviews could wait replays as it ran then: recorded at once.
    const waitMs = patched('review-waits-for-operator') ? await reviewWait() : 0;
    // A durable timer: the wait survives worker restarts, and nobody answering sends it to a new customer.
    ({ outcome: review, resolution: answer } = await desk.settle(matched, waitMs));
  }
  const recorded = answer ? await upsert(matched, answer) : await upsert(matched);
  // A sale the pack pushed to the reader: its Send to Terminal workflow may be waiting for this payment.
  const sale = recorded.pushedSale;
  if (sale && patched('tells-pushed-sale-its-payment')) {
    const pushed = getExternalWorkflowHandle(sendToTerminalWorkflowId(sale.vendor, sale.reference));
    // A push started elsewhere (n8n, Node-RED) or long finished has no workflow here: nothing to tell.
    await pushed.signal(paymentArrivedSignal, { eventId: recorded.id, customerId: recorded.crm.customerId }).catch(() => undefined);
  }
  // Both read the event and whose it is (crm), not how the match was found: the history keeps that once already.
  const forSteps = { ...recorded, match: undefined };
  // Neither needs the other: they run side by side.
  const [segmented, rewarded] = await Promise.all([segment(forSteps), loyalty(forSteps)]);
  return {
    eventId: recorded.id,
    customerId: recorded.crm.customerId,
    outcome: recorded.crm.outcome,
    decision: matched.match.decision,
    candidateId: matched.match.candidateId ?? null,
    review,
    matchedOn: recorded.match.matchedOn,
    customerCreated: recorded.crm.customerCreated,
    segment: segmented,
    loyalty: rewarded,
  };
}
