import { loyaltyProgramFromJson, loyaltyProgramFromSettings, type LoyaltySettings } from '../../core/loyalty/operator-settings';
import type { LoyaltyProgram } from '../../core/loyalty/program';
import { fieldsTargetOf, flushDeadlineMs } from '../../core/outbox/field-updates';
import type { SegmentConfig } from '../../core/segment/config';
import { segmentConfigFromSettings } from '../../core/segment/operator-settings';
import type { NodeDef } from './red-api';

/**
 * What terminal segment and terminal loyalty enroll read of their dialogs, apart from the runtime they run in, so
 * the editor's checks (test/node-red/editor-validation) are held to the very reading the nodes do.
 */

/** terminal segment: its settings for the core. Recompute all reads no currency and no payment threshold. */
export function segmentConfigOfNode(def: NodeDef): SegmentConfig {
  const recompute = def.mode === 'recompute';
  return segmentConfigFromSettings({
    ...(recompute ? {} : { currency: def.currency as string, highValuePayment: def.highValuePayment as string }),
    highValueTopPercent: def.highValueTopPercent as string,
    timeZone: def.timeZone as string,
    segmentRules: def.segmentRules,
    crmFields: def.crmFields,
    advanced: def.advanced,
  });
}

/** terminal loyalty enroll: the program as JSON, or from its fields (the thresholds only when enrolling at one). */
export function loyaltyProgramOfNode(def: NodeDef): LoyaltyProgram {
  if (def.define === 'json') return loyaltyProgramFromJson(def.programJson);
  const s = def as NodeDef & LoyaltySettings;
  return loyaltyProgramFromSettings({
    programId: s.programId,
    currency: s.currency,
    enrollWhen: s.enrollWhen,
    ...(s.enrollWhen === 'threshold'
      ? { enrollLifetimeSpend: s.enrollLifetimeSpend, enrollVisits: s.enrollVisits, enrollPeriodSpend: s.enrollPeriodSpend, enrollPeriodDays: s.enrollPeriodDays, enrollRule: s.enrollRule }
      : {}),
    pointsPerUnit: s.pointsPerUnit,
    pointsExpiryDays: s.pointsExpiryDays,
    tiers: Array.isArray(s.tiers) ? s.tiers : [],
    tierWindowDays: s.tierWindowDays,
    tierField: s.tierField,
    pointsField: s.pointsField,
    memberSinceField: s.memberSinceField,
  });
}

/**
 * How long a message waits for the node's SaaS CRM: 0 with the local store, or for a run that waits for none
 * (`waits` false: the batch modes, whose dialogs hide Wait for CRM).
 */
export function crmWaitOfNode(def: NodeDef, waits: boolean): number {
  return waits && fieldsTargetOf(def.crm, 'CRM') ? flushDeadlineMs(def.waitForCrm ?? 0, 'Wait for CRM') : 0;
}
