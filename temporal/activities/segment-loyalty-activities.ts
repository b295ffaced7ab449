import { fieldsTargetOf } from '../../nodes/core/outbox/field-updates';
import type { LoyaltyProgram } from '../../nodes/core/loyalty/program';
import { loyaltyStep, type LoyaltyResult } from '../../nodes/core/loyalty';
import { parseSegmentConfig, segmentStep, type SegmentConfig, type SegmentResult } from '../../nodes/core/segment';
import type { PaymentMessage } from '../../nodes/core/contracts/payment-message';
import { openDatabase } from '../../nodes/core/store/open-database';
import { failFastOnInputError } from './fail-fast';
import { rememberedInRun } from './remembered-in-run';
import type { SegmentOutcome, LoyaltyOutcome } from '../../workflows/activity-contracts/segment-loyalty-activities';

/** The worker's CRM choice, as the sandbox and the CLI name it. */
const CRM_ENV = 'TERMINAL_CRM_CRM';

export interface SegmentLoyaltySettings {
  storeUrl: string;
  /**
   * The CRM the fields go to (as TERMINAL_CRM_CRM, read when absent): "local" keeps them in the store only; a SaaS
   * CRM also gets them through the outbox, queued with the local state. The worker does not send them: the CRM
   * sync schedule drains the outbox.
   */
  crm?: string;
  /** The Segment step's configuration: the defaults when absent, off when null. */
  segment?: SegmentConfig | null;
  /** The loyalty program: none when absent or null. */
  loyalty?: LoyaltyProgram | null;
}

export interface SegmentLoyaltyActivities {
  segment(message: PaymentMessage): Promise<SegmentOutcome | null>;
  loyalty(message: PaymentMessage): Promise<LoyaltyOutcome | null>;
}

export function segmentOutcome(s: SegmentResult): SegmentOutcome {
  return {
    outcome: s.outcome,
    ...(s.reason ? { reason: s.reason } : {}),
    customerId: s.customerId,
    currency: s.currency,
    name: s.name ?? null,
    flags: s.flags ?? null,
    rfm: s.rfm ? { r: s.rfm.r, f: s.rfm.f, m: s.rfm.m, approximate: s.rfm.approximate } : null,
    pAlive: s.clv?.pAlive ?? null,
    ...(s.crmSync ? { crmFields: { crm: s.crmSync.crm, fields: s.crmSync.fields } } : {}),
  };
}

export function loyaltyOutcome(l: LoyaltyResult): LoyaltyOutcome {
  return {
    programId: l.programId,
    outcome: l.outcome,
    ...(l.reason ? { reason: l.reason } : {}),
    customerId: l.customerId,
    enrolled: l.member?.enrolled ?? false,
    tier: l.member?.tier ?? null,
    pointsBalance: l.member?.pointsBalance ?? null,
    pointsHeld: l.member?.pointsHeld ?? null,
    pointsChange: l.outcome === 'duplicate' ? 0 : l.entries.reduce((sum, e) => sum + e.points, 0),
    events: l.events,
    ...(l.crmSync ? { crmFields: { crm: l.crmSync.crm, fields: l.crmSync.fields } } : {}),
  };
}

/**
 * The Segment and Loyalty steps after CRM Upsert. Both are idempotent by event id in the store, so a retried
 * activity changes nothing twice. A retry can follow a first attempt that committed but never reported (the
 * worker stopped in between): the loyalty repeat then answers with the first attempt's events, so the workflow
 * still sees an enrolment or a tier change. An activity that is off answers null at once.
 */
export function createSegmentLoyaltyActivities(settings: SegmentLoyaltySettings): SegmentLoyaltyActivities {
  const config = settings.segment === undefined ? parseSegmentConfig() : settings.segment;
  const program = settings.loyalty ?? null;
  // Checked at start-up: a misspelt CRM stops the worker instead of failing every payment.
  const crm = fieldsTargetOf(settings.crm ?? process.env[CRM_ENV], CRM_ENV);
  const db = () => openDatabase(settings.storeUrl);
  return {
    segment: rememberedInRun(db, async (message: PaymentMessage) => {
      if (!config) return null;
      return failFastOnInputError(async () => segmentOutcome((await segmentStep(message, { db: await db(), config, crm })).segment));
    }),
    loyalty: rememberedInRun(db, async (message: PaymentMessage) => {
      if (!program) return null;
      return failFastOnInputError(async () => loyaltyOutcome((await loyaltyStep(message, { db: await db(), program, repeats: 'first', crm })).loyalty));
    }),
  };
}
