import type { MembershipEvent } from './ledger';
import type { LoyaltyResult } from './loyalty-step';

/**
 * One message per enrollment or tier change, for the flow branch that welcomes or congratulates the customer:
 * the payment message with the event under `loyaltyEvent`. A duplicate delivery has no events, so it makes none.
 */
export function membershipEventMessages<T extends { loyalty: LoyaltyResult }>(message: T): Array<T & { loyaltyEvent: MembershipEvent }> {
  return message.loyalty.events.map((loyaltyEvent) => ({ ...message, loyaltyEvent }));
}
