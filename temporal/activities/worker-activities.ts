import { createBatchActivities } from './batch-activities';
import type { BatchActivities } from '../../workflows/activity-contracts/batch-activities';
import { createPaymentActivities, type ActivitySettings } from './payment-activities';
import type { PaymentActivities } from '../../workflows/activity-contracts/payment-activities';
import { createPollActivities } from './poll-activities';
import type { PollActivities } from '../../workflows/activity-contracts/poll-activities';
import { createPushActivities } from './push-activities';
import type { PushActivities } from '../../workflows/activity-contracts/push-activities';

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
