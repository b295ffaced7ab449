import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { MatchResult } from '../nodes/core/contracts/customer';
import type { ReviewResolution } from '../nodes/core/match/review-resolution';

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
