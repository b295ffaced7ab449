import type { MatchResult } from '../../nodes/core/contracts/customer';
import type { PaymentEvent } from '../../nodes/core/contracts/payment-event';
import type { PaymentMessage, UpsertResult } from '../../nodes/core/contracts/payment-message';
import type { ReviewResolution } from '../../nodes/core/match/review-resolution';
import type { TerminalVendor } from '../../nodes/core/terminal-push/terminal-push';
import type { LoyaltyOutcome, SegmentOutcome } from './segment-loyalty-activities';

/**
 * What the payment workflows ask of the step activities. Types only: workflow code names them with `import type`,
 * so the workflow bundle never loads the activities (temporal/activities/payment-activities.ts implements them).
 */

export type MatchedMessage = PaymentMessage & { match: MatchResult };

export type RecordedMessage = MatchedMessage & {
  crm: UpsertResult;
  /** Set when this payment completes a sale the pack pushed to a reader: whose Send to Terminal workflow to tell. */
  pushedSale?: { vendor: TerminalVendor; reference: string };
};

export interface PaymentActivities {
  tokenize(event: PaymentEvent): Promise<PaymentMessage>;
  match(message: PaymentMessage): Promise<MatchedMessage>;
  /** With an operator's resolution of a review: recorded as the operator decided (match/review-resolution.ts). */
  upsert(message: MatchedMessage, resolution?: ReviewResolution): Promise<RecordedMessage>;
  /** How long a payment in the review band waits for an operator (ms); asked only for such payments. */
  reviewWait(): Promise<number>;
  /** After upsert (`crm` set; `match` may be left out). Null when the Segment step is off. */
  segment(message: PaymentMessage): Promise<SegmentOutcome | null>;
  /** After upsert (`crm` set; `match` may be left out). Null without a loyalty program. */
  loyalty(message: PaymentMessage): Promise<LoyaltyOutcome | null>;
}
