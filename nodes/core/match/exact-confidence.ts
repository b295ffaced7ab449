import type { MatchKeyKind } from '../contracts/customer';

/**
 * How much a single exact key proves, most specific first. A payment id is the same payment; a processor
 * customer id is the processor's own identity; a card token can be shared in a family, so it ranks last.
 */
export const EXACT_KEY_CONFIDENCE: Record<MatchKeyKind, number> = {
  paymentId: 1,
  processorCustomerId: 0.99,
  email: 0.95,
  phone: 0.9,
  cardToken: 0.85,
};
