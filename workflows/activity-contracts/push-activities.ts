import type { PushOutcome, SaleRequest, TerminalVendor } from '../../nodes/core/terminal-push/terminal-push';

/**
 * What the Send to Terminal workflow asks of its activity. Types only: workflow code names them with `import type`,
 * so the workflow bundle never loads the activities (temporal/activities/push-activities.ts implements them).
 */

export interface SendToTerminalInput {
  /** stripe, square or adyen. */
  vendor: TerminalVendor;
  /** Amount in ISO minor units; the pack's customer id, which the payment carries back to the trigger. */
  sale: SaleRequest;
}

/** What the activity returns: the sale is on the reader, or the reader needs a person before it can take it. */
export type ReturnedPushOutcome = Extract<PushOutcome, { outcome: 'sent' | 'offline' | 'busy' }>;

export interface PushActivities {
  sendToTerminal(input: SendToTerminalInput): Promise<ReturnedPushOutcome>;
}
