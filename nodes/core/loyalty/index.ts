// What the engine faces call for the Loyalty step and its scheduled review (see loyalty-step.ts, review.ts).
export { loyaltyStep, type LoyaltyDeps, type LoyaltyResult } from './loyalty-step';
export { parseLoyaltyProgram, LoyaltyProgramSchema, type LoyaltyProgram } from './program';
export { reviewLoyalty, type LoyaltyReview } from './review';
export type { LedgerEntry, Member, MembershipEvent } from './ledger';
