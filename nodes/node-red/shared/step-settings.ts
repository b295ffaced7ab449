import { LOYALTY_LABELS, loyaltyProgramFromJson, loyaltyProgramFromSettings, type LoyaltyLabels, type LoyaltySettings } from '../../core/loyalty/operator-settings';
import type { LoyaltyProgram } from '../../core/loyalty/program';
import { fieldsTargetOf, flushDeadlineMs } from '../../core/outbox/field-updates';
import type { SegmentConfig } from '../../core/segment/config';
import { segmentConfigFromSettings, type SegmentLabels } from '../../core/segment/operator-settings';
import type { NodeDef, NodeRedApi } from './red-api';
import { formChoice } from './form-choice';

/**
 * What terminal segment and terminal loyalty enroll read of their dialogs, apart from the runtime they run in, so
 * the editor's checks (test/node-red/editor-validation) are held to the very reading the nodes do.
 */

/** terminal segment's settings as its dialog labels them (locales/en-US/terminal-segment.json). */
export const SEGMENT_FORM_LABELS: SegmentLabels = {
  currency: 'Currency', highValuePayment: 'High-value payment', highValueTopPercent: 'High-value top %', timeZone: 'Time zone',
  segmentRules: 'Segment rules', crmFields: 'CRM fields', advanced: 'Advanced',
};

/**
 * terminal loyalty enroll's settings as its dialog shows them (locales/en-US/terminal-loyalty-enroll.json): the
 * thresholds read as their row does ("Enroll after visits"). The dialog has no program name.
 */
export const LOYALTY_FORM_LABELS: LoyaltyLabels = {
  ...LOYALTY_LABELS,
  programId: 'Program ID', currency: 'Currency', enrollWhen: 'Enroll', enrollLifetimeSpend: 'Enroll after lifetime spend',
  enrollVisits: 'Enroll after visits', enrollPeriodSpend: 'Enroll after spend of', enrollPeriodDays: 'Enroll after spend of … within (days)',
  enrollRule: 'thresholds needed', pointsPerUnit: 'Points per unit', pointsExpiryDays: 'Points expire', tiers: 'Tiers',
  tierWindowDays: 'Tier window', tierField: 'CRM: tier', pointsField: 'CRM: points', memberSinceField: 'CRM: since', programJson: 'Program',
};

/** terminal segment's Operation: on payment, or recompute all. */
export function segmentModeOf(RED: NodeRedApi, def: NodeDef): 'payment' | 'recompute' {
  return formChoice(RED, 'terminal-segment', 'mode', 'Operation', def.mode, ['payment', 'recompute'], 'payment');
}

/** terminal loyalty enroll's Operation: on payment, or review program. */
export function loyaltyModeOf(RED: NodeRedApi, def: NodeDef): 'payment' | 'review' {
  return formChoice(RED, 'terminal-loyalty-enroll', 'mode', 'Operation', def.mode, ['payment', 'review'], 'payment');
}

/** terminal segment: its settings for the core. Recompute all reads no currency and no payment threshold. */
export function segmentConfigOfNode(def: NodeDef): SegmentConfig {
  const recompute = def.mode === 'recompute';
  // The labels name every field, Advanced included (what the core's schema refuses beyond the plain fields lies there).
  return segmentConfigFromSettings({
    ...(recompute ? {} : { currency: def.currency as string, highValuePayment: def.highValuePayment as string }),
    highValueTopPercent: def.highValueTopPercent as string,
    timeZone: def.timeZone as string,
    segmentRules: def.segmentRules,
    crmFields: def.crmFields,
    advanced: def.advanced,
  }, SEGMENT_FORM_LABELS);
}

/** terminal loyalty enroll: the program as JSON, or from its fields (the thresholds only when enrolling at one). */
export function loyaltyProgramOfNode(def: NodeDef, RED?: NodeRedApi): LoyaltyProgram {
  const define = formChoice(RED, 'terminal-loyalty-enroll', 'define', 'Program', def.define, ['fields', 'json'], 'fields');
  if (define === 'json') return loyaltyProgramFromJson(def.programJson, LOYALTY_FORM_LABELS.programJson);
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
    tiers: s.tiers,
    tierWindowDays: s.tierWindowDays,
    tierField: s.tierField,
    pointsField: s.pointsField,
    memberSinceField: s.memberSinceField,
  }, LOYALTY_FORM_LABELS);
}

/**
 * How long a message waits for the node's SaaS CRM: 0 with the local store, or for a run that waits for none
 * (`waits` false: the batch modes, whose dialogs hide Wait for CRM).
 */
export function crmWaitOfNode(def: NodeDef, waits: boolean): number {
  return waits && fieldsTargetOf(def.crm, 'CRM') ? flushDeadlineMs(def.waitForCrm ?? 0, 'Wait for CRM') : 0;
}
