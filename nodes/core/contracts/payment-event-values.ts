import { z } from 'zod/v4';

/**
 * The value lists and patterns of the PaymentEvent contract. payment-event.ts builds its zod schema from them and
 * exactPaymentEvent (payment-event-exact.ts) checks with them, so the two cannot drift apart on a value.
 */
export const EVENT_KINDS = ['payment', 'refund', 'dispute', 'failure'] as const;
export const ENTRY_MODES = ['chip', 'contactless', 'swipe', 'fallback', 'keyed', 'unknown'] as const;
export const EVENT_STATUSES = ['succeeded', 'failed', 'refunded', 'partially_refunded', 'disputed', 'pending'] as const;
export const CARD_FUNDINGS = ['credit', 'debit', 'prepaid', 'unknown'] as const;
export const SOURCE_NAME_PATTERN = /^[a-z][a-z0-9-]{0,39}$/;
export const LAST4_PATTERN = /^\d{4}$/;
export const BIN_PATTERN = /^\d{6,8}$/;
export const CARD_TOKEN_PATTERN = /^ctok_/;
/** ISO 8601 with a Z or an offset: zod's own pattern for it, taken from the schema so both test the same thing. */
export const OccurredAtSchema = z.iso.datetime({ offset: true });
