import { z } from 'zod/v4';

/**
 * The keys by which a customer can be found. Values are always stored normalized. `paymentId` ties every event
 * of one payment (a charge and its PaymentIntent, a later refund) to the customer the payment went to.
 */
export const MatchKeyKindSchema = z.enum(['paymentId', 'processorCustomerId', 'email', 'phone', 'cardToken']);
export type MatchKeyKind = z.infer<typeof MatchKeyKindSchema>;

export interface MatchKey {
  kind: MatchKeyKind;
  value: string;
}

export const CustomerSchema = z.object({
  id: z.string(),
  givenName: z.string().optional(),
  familyName: z.string().optional(),
  name: z.string().optional(),
  email: z.string().optional(),
  phone: z.string().optional(),
  postalCode: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Customer = z.infer<typeof CustomerSchema>;

export const MatchDecisionSchema = z.enum(['link', 'review', 'create']);

export const MatchResultSchema = z.object({
  customerId: z.string().nullable(),
  confidence: z.number().min(0).max(1),
  matchedOn: z.array(MatchKeyKindSchema),
  decision: MatchDecisionSchema,
  explanation: z.string(),
  /** The normalized keys this event carries: upsert attaches them to the customer. */
  keys: z.array(z.object({ kind: MatchKeyKindSchema, value: z.string() })),
});
export type MatchResult = z.infer<typeof MatchResultSchema>;
