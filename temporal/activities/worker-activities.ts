import { createBatchActivities, type BatchActivities } from './batch-activities';
import { createPaymentActivities, type ActivitySettings, type PaymentActivities } from './payment-activities';
import { createPollActivities, type PollActivities } from './poll-activities';
import { createPushActivities, type PushActivities } from './push-activities';

export type { ActivitySettings };

/** Every activity the worker registers: the payment path, the scheduled batch, sale pushes and source polling. */
export type TerminalCrmActivities = PaymentActivities & BatchActivities & PushActivities & PollActivities;

/**
 * Composed here rather than in payment-activities.ts: polling starts payment workflows, whose code names the
 * payment activities' types, so the payment activities must not lead back to polling.
 */
export function createActivities(settings: ActivitySettings): TerminalCrmActivities {
  return {
    ...createPaymentActivities(settings),
    ...createBatchActivities(settings),
    ...createPushActivities(),
    ...createPollActivities(settings),
  };
}
