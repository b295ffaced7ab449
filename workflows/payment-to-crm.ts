import { proxyActivities } from '@temporalio/workflow';
import type { MatchResult } from '../nodes/core/contracts/customer';
import type { PaymentEvent } from '../nodes/core/contracts/payment-event';
import type { UpsertResult } from '../nodes/core/crm/upsert-payments';
import type { PaymentActivities } from '../temporal/activities/payment-activities';

/**
 * A payment is worth retrying for as long as the processor keeps the webhook alive (Stripe: three days): a CRM
 * that is down over a weekend must not lose the sale. Backoff starts at a second so a blip costs nothing, and is
 * capped at ten minutes so a recovered CRM is picked up soon. Input errors never heal, so they are not retried.
 */
const { tokenize, match, upsert } = proxyActivities<PaymentActivities>({
  startToCloseTimeout: '2 minutes',
  scheduleToCloseTimeout: '3 days',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '10 minutes',
    nonRetryableErrorTypes: ['InputError'],
  },
});

/** Small on purpose: it stays in the workflow history, the full record lives in the CRM. */
export interface PaymentToCrmResult {
  eventId: string;
  customerId: string | null;
  outcome: UpsertResult['outcome'];
  decision: MatchResult['decision'];
  matchedOn: MatchResult['matchedOn'];
  customerCreated: boolean;
}

/**
 * One payment event into the CRM. The input is the source's normalized event: card numbers already scrubbed,
 * the card known only by the processor's fingerprint, which tokenize replaces before anything else sees it.
 */
export async function paymentToCrm(event: PaymentEvent): Promise<PaymentToCrmResult> {
  const tokenized = await tokenize(event);
  const matched = await match(tokenized);
  const recorded = await upsert(matched);
  return {
    eventId: recorded.id,
    customerId: recorded.crm.customerId,
    outcome: recorded.crm.outcome,
    decision: recorded.match.decision,
    matchedOn: recorded.match.matchedOn,
    customerCreated: recorded.crm.customerCreated,
  };
}
