import { condition, defineQuery, defineSignal } from '@temporalio/workflow';
import type { MatchResult } from '../nodes/core/contracts/customer';
import type { ReviewResolution } from '../nodes/core/match/review-resolution';
import type { MatchedMessage } from './activity-contracts/payment-activities';

/** What an operator sees of a payment waiting for review: who it probably is, how sure, and why. */
export interface PendingReview {
  eventId: string;
  candidateId: string | null;
  confidence: MatchResult['confidence'];
  explanation: MatchResult['explanation'];
  /** When the wait ends and the payment goes to a new customer (ISO time, workflow clock). */
  waitsUntil: string;
}

/** How a payment in the review band was settled: by an operator, by nobody answering in time, or at once (no wait). */
export type ReviewOutcome = 'operator-link' | 'operator-new' | 'timeout' | 'no-wait';

/** The operator's answer: `terminal-crm review resolve <eventId> --link [customerId] | --new`. */
export const resolveReviewSignal = defineSignal<[ReviewResolution]>('resolveReview');
/** Null unless the payment is waiting for an operator. */
export const pendingReviewQuery = defineQuery<PendingReview | null>('pendingReview');

/**
 * The workflow keeps only well-formed answers and ignores the rest, so a mistyped signal cannot fail a payment;
 * the CLI checks its arguments with the core's parseReviewResolution before sending.
 */
export function wellFormedResolution(value: unknown): ReviewResolution | undefined {
  const v = value as Partial<ReviewResolution> | null;
  if (!v || typeof v !== 'object') return undefined;
  if (v.action === 'new' && v.customerId === undefined) return { action: 'new' };
  if (v.action !== 'link') return undefined;
  if (v.customerId === undefined) return { action: 'link' };
  return typeof v.customerId === 'string' && v.customerId.trim() ? { action: 'link', customerId: v.customerId.trim() } : undefined;
}

/**
 * The operator's side of a review-band payment, for both payment workflows: `pendingReview` shows the payment the
 * run waits on (one at a time: paymentToCrm has one event, the saga applies its events in turn), and the first
 * well-formed `resolveReview` while it waits settles it; an answer sent at any other time is ignored.
 */
export class ReviewDesk {
  pending: PendingReview | null = null;
  private resolution: ReviewResolution | undefined;

  answer(value: unknown): void {
    if (this.pending && !this.resolution) this.resolution = wellFormedResolution(value);
  }

  /** Waits up to waitMs on a durable timer; nobody answering sends the payment to a new customer. */
  async settle(matched: MatchedMessage, waitMs: number): Promise<{ outcome: ReviewOutcome; resolution?: ReviewResolution }> {
    if (waitMs <= 0) return { outcome: 'no-wait' };
    this.resolution = undefined;
    this.pending = {
      eventId: matched.id,
      candidateId: matched.match.candidateId ?? null,
      confidence: matched.match.confidence,
      explanation: matched.match.explanation,
      waitsUntil: new Date(Date.now() + waitMs).toISOString(),
    };
    const answered = await condition(() => this.resolution !== undefined, waitMs);
    // Set by the signal handler meanwhile: TypeScript cannot see that and would narrow it to undefined.
    const resolution = this.resolution as ReviewResolution | undefined;
    this.pending = null;
    this.resolution = undefined;
    if (!answered || !resolution) return { outcome: 'timeout' };
    return resolution.action === 'link' ? { outcome: 'operator-link', resolution } : { outcome: 'operator-new' };
  }
}
