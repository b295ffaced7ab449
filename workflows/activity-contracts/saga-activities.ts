import type { CrmSync, PaymentMessage } from '../../nodes/core/contracts/payment-message';
import type { MatchedMessage, RecordedMessage } from './payment-activities';

/**
 * What the payment saga asks of its own activities (merges, CRM sync, compensations). Types only: workflow code
 * names them with `import type`, so the workflow bundle never loads the activities
 * (temporal/activities/saga-activities.ts implements them).
 */

export interface SagaMerge {
  id: string;
  into: string;
  from: string;
}

/** What the saga's compensations and its alert need to know of the event. */
export interface SagaFailureInput {
  workflowId: string;
  eventId: string;
  source: string;
  paymentId: string;
  reason: string;
}

export type SagaCrmMode = 'none' | 'queue' | 'send';

export interface SagaActivities {
  /** Matching only: the merges it proposes are carried out by sagaMerge, so each can be undone on its own. */
  sagaMatch(message: PaymentMessage): Promise<MatchedMessage>;
  sagaMerge(message: MatchedMessage): Promise<SagaMerge[]>;
  /** Compensation of sagaMerge: the merges undone, latest first. Returns the ids undone now. */
  sagaUnmerge(merges: SagaMerge[]): Promise<string[]>;
  /**
   * What sagaCrmSync would do here: nothing (the local CRM), only queue into the outbox (a store step, crmWaitMs 0),
   * or also send to the SaaS CRM (a call that may wait on its rate limit).
   */
  sagaCrmMode(): Promise<SagaCrmMode>;
  /** The recorded payment into the CRM's outbox (and sent for at most crmWaitMs); null for the local CRM. */
  sagaCrmSync(message: RecordedMessage): Promise<CrmSync | null>;
  /** Compensation of the CRM steps: the payment's queued CRM write marked rejected with the reason. */
  sagaMarkCrmFailed(input: SagaFailureInput): Promise<number>;
  /** Compensation of Loyalty: the points this event moved, taken back. */
  sagaReversePoints(input: SagaFailureInput): Promise<number>;
  /** The alert row the templates' alert path reads (outbox_alerts, kind "saga-failed"). */
  sagaAlert(input: SagaFailureInput): Promise<string>;
  /** Follow-up events: the Send to Terminal workflow waiting for this payment, when the pack pushed the sale. */
  sagaFollowUps(message: RecordedMessage): Promise<{ pushedSaleWorkflowId: string | null }>;
}
