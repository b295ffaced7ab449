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

/** What a business knows about a person. Any subset may be missing: a walk-in with a tapped card has none. */
export const CustomerProfileSchema = z.object({
  givenName: z.string().optional(),
  familyName: z.string().optional(),
  /** The full name as it was given, when it could not be split into given and family name. */
  name: z.string().optional(),
  email: z.string().optional(),
  phone: z.string().optional(),
  street: z.string().optional(),
  city: z.string().optional(),
  postalCode: z.string().optional(),
  region: z.string().optional(),
  /** ISO 3166 alpha-2. */
  country: z.string().optional(),
  /** YYYY-MM-DD. */
  dateOfBirth: z.string().optional(),
});
export type CustomerProfile = z.infer<typeof CustomerProfileSchema>;

export const CustomerSchema = CustomerProfileSchema.extend({
  id: z.string(),
  /** "<processor>:<id>", e.g. "stripe:cus_123", "square:7WQ…". */
  processorIds: z.array(z.string()).optional(),
  /** Our keyed card tokens (ctok_…), never card data. */
  cardTokens: z.array(z.string()).optional(),
  /** Set when this customer was merged into another; undoing the merge clears it. */
  mergedInto: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Customer = z.infer<typeof CustomerSchema>;

/**
 * link: the payment belongs to `customerId`. review: it probably belongs to `candidateId`, but not surely enough
 * to link without a person looking; `customerId` stays null so nothing is attached to the wrong customer.
 * create: nobody known; a new customer is made.
 */
export const MatchDecisionSchema = z.enum(['link', 'review', 'create']);
export type MatchDecision = z.infer<typeof MatchDecisionSchema>;

/**
 * The fields the probabilistic tier compares. `address` is street, postal code and city as one field: they
 * agree together for everyone in a household, and counting them three times would merge families.
 */
export const MatchFieldSchema = z.enum(['givenName', 'familyName', 'email', 'phone', 'address', 'dateOfBirth', 'card']);
export type MatchField = z.infer<typeof MatchFieldSchema>;

/** One field's part in a decision: what was compared, how it came out, and what it weighed (log2 odds). */
export const FieldEvidenceSchema = z.object({
  field: MatchFieldSchema,
  outcome: z.enum(['agree', 'partial', 'disagree']),
  /** The comparison level, e.g. "nickname", "jaro-winkler ≥ 0.92", "bin+last4+expiry". */
  level: z.string(),
  weight: z.number(),
});
export type FieldEvidence = z.infer<typeof FieldEvidenceSchema>;

export const MergeProposalSchema = z.object({
  /** The customer that would disappear into `into`. */
  from: z.string(),
  into: z.string(),
  /** The keys of this payment that tie the two together. */
  sharedKeys: z.array(MatchKeyKindSchema),
  /** Whether the two records agree closely enough to merge without a person looking. */
  auto: z.boolean(),
  explanation: z.string(),
});
export type MergeProposal = z.infer<typeof MergeProposalSchema>;

export const MatchResultSchema = z.object({
  customerId: z.string().nullable(),
  confidence: z.number().min(0).max(1),
  matchedOn: z.array(z.union([MatchKeyKindSchema, MatchFieldSchema])),
  decision: MatchDecisionSchema,
  explanation: z.string(),
  /** The normalized keys this event carries: upsert attaches them to the customer. */
  keys: z.array(z.object({ kind: MatchKeyKindSchema, value: z.string() })),
  /** Which tier decided: exact keys, or field-by-field comparison. */
  tier: z.enum(['exact', 'probabilistic']).optional(),
  /** For review: the customer this payment probably belongs to. */
  candidateId: z.string().optional(),
  evidence: z.array(FieldEvidenceSchema).optional(),
  /** Customers this payment shows to be one person (its keys sit on both). */
  merges: z.array(MergeProposalSchema).optional(),
});
export type MatchResult = z.infer<typeof MatchResultSchema>;
