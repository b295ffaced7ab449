import type { LoyaltyResult, MembershipEvent } from '../../nodes/core/loyalty';
import type { SegmentResult } from '../../nodes/core/segment';
import type { Flags } from '../../nodes/core/segment/flags';

/**
 * What the payment workflows keep of the Segment and Loyalty activities. Types only: workflow code names them with
 * `import type`, so the workflow bundle never loads the activities
 * (temporal/activities/segment-loyalty-activities.ts implements them).
 */

/**
 * What the workflow keeps of the Segment step: enough to branch on (segment name, flags), not the statistics,
 * forecast and CRM fields, which are in the store and, with the local CRM, on the customer.
 */
export interface SegmentOutcome {
  outcome: SegmentResult['outcome'];
  reason?: string;
  customerId: string | null;
  currency: string;
  name: string | null;
  flags: Flags | null;
  rfm: { r: number; f: number; m: number; approximate: boolean } | null;
  pAlive: number | null;
  /** With a SaaS CRM: the fields queued for it. */
  crmFields?: { crm: string; fields: string[] };
}

/** What the workflow keeps of the Loyalty step: the membership events to branch on and the balance after. */
export interface LoyaltyOutcome {
  programId: string;
  outcome: LoyaltyResult['outcome'];
  reason?: string;
  customerId: string | null;
  enrolled: boolean;
  tier: string | null;
  pointsBalance: number | null;
  pointsHeld: number | null;
  /** Change of the available balance this event made (0 for a repeat). */
  pointsChange: number;
  events: MembershipEvent[];
  /** With a SaaS CRM: the membership fields queued for it. */
  crmFields?: { crm: string; fields: string[] };
}
