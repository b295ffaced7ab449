import { predictClv, type ClvPrediction } from './clv/predict';
import type { SegmentConfig } from './config';
import type { CustomerFieldValue } from '../crm/customer-fields';
import { flagsOf, type AnomalyResult, type Flags } from './flags';
import type { Preferences } from './preferences';
import { approximateRfm, type RfmScores } from './rfm';
import type { RfmRun, StoredClvModel } from './runs-repository';
import { segmentOf, type SegmentRules } from './segments';

/** A customer's statistics in one currency, as the Segment step keeps them (stats-repository.ts). */
export interface StatsRow {
  customerId: string;
  currency: string;
  payments: number;
  purchaseDays: number;
  grossMinor: number;
  refundedMinor: number;
  chargebackMinor: number;
  disputes: number;
  disputedOpenMinor: number;
  netMinor: number;
  firstSeen: string;
  lastSeen: string;
  firstDay: number;
  lastDay: number;
  firstDayValueMinor: number;
  version: number;
  updatedAt: string;
}

/** Everything the Segment step says about a customer, computed the same way by the step and the batch run. */
export interface CustomerEvaluation {
  rfm: (RfmScores & { runId: string; approximate: boolean }) | null;
  segment: string | null;
  clv: ClvPrediction | null;
  flags: Flags;
}

export interface EvaluationContext {
  config: SegmentConfig;
  run: RfmRun | null;
  model: StoredClvModel | null;
  /** "Now" as a day number: the payment's day in the step, the as-of day in a batch run. */
  asOfDay: number;
  /** Exact scores from a batch run; otherwise the customer is placed against the last run's thresholds. */
  exact?: RfmScores;
  paymentMinor?: number;
  anomaly?: AnomalyResult;
}

const NO_ANOMALY: AnomalyResult = { amount: false, time: false, location: false };

/** Rules that need no RFM score (like "New") still apply before the first batch run has scored anyone. */
function rulesWithoutScores(rules: SegmentRules): SegmentRules {
  return { ...rules, rules: rules.rules.filter((r) => !r.r && !r.f && !r.m && !r.fm) };
}

export function evaluateCustomer(s: StatsRow, ctx: EvaluationContext): CustomerEvaluation {
  const { config, run, model } = ctx;
  const scores = ctx.exact ?? (run ? approximateRfm(run.cuts, { lastDay: s.lastDay, frequency: s.payments, monetaryMinor: s.netMinor }) : null);
  const facts = { payments: s.payments, daysSinceFirst: ctx.asOfDay - s.firstDay, daysSinceLast: ctx.asOfDay - s.lastDay };
  let segment: string | null;
  if (scores) {
    segment = segmentOf(config.segments, { ...scores, ...facts });
  } else {
    const early = rulesWithoutScores(config.segments);
    segment = early.rules.length ? segmentOf(early, { r: 0, f: 0, m: 0, ...facts }) : null;
    if (segment === config.segments.fallback) segment = null;
  }
  const frequency = Math.max(0, s.purchaseDays - 1);
  const clv =
    model && s.purchaseDays > 0
      ? predictClv(
          model,
          {
            frequency,
            recencyDays: s.lastDay - s.firstDay,
            ageDays: Math.max(ctx.asOfDay - s.firstDay, s.lastDay - s.firstDay),
            repeatMeanMinor: frequency > 0 ? Math.max(0, (s.netMinor - s.firstDayValueMinor) / frequency) : 0,
          },
          config.clv.horizonsDays,
        )
      : null;
  const longest = clv?.horizons.reduce((a, b) => (b.days > a.days ? b : a));
  const flags = flagsOf(config.flags, {
    currency: s.currency,
    paymentMinor: ctx.paymentMinor,
    netSpendMinor: s.netMinor,
    payments: s.payments,
    segment,
    pAlive: clv?.pAlive ?? null,
    expectedValueMinor: longest?.expectedValueMinor ?? null,
    monetaryPercentiles: run?.monetaryPercentiles ?? null,
    anomaly: ctx.anomaly ?? NO_ANOMALY,
  });
  return { rfm: scores && run ? { ...scores, runId: run.id, approximate: !ctx.exact } : null, segment, clv, flags };
}

/** The values behind the CRM field mapping (config.crmFields). */
export function fieldValuesOf(s: StatsRow, e: CustomerEvaluation, prefs?: Preferences): Record<string, CustomerFieldValue> {
  const longest = e.clv?.horizons.reduce((a, b) => (b.days > a.days ? b : a));
  const round = (x: number | null | undefined, digits: number) => (x === null || x === undefined || !Number.isFinite(x) ? null : Number(x.toFixed(digits)));
  const values: Record<string, CustomerFieldValue> = {
    segment: e.segment,
    rfm: e.rfm ? `${e.rfm.r}${e.rfm.f}${e.rfm.m}` : null,
    pAlive: round(e.clv?.pAlive, 4),
    expectedPurchases: round(longest?.expectedPurchases, 3),
    expectedValue: round(longest?.expectedValueMinor, 0),
    highValue: e.flags.highValue,
    atRisk: e.flags.atRisk,
    anomaly: e.flags.anomaly,
    payments: s.payments,
    netSpend: s.netMinor,
    averageOrder: s.payments > 0 ? Math.round(s.netMinor / s.payments) : null,
    // netSpend, averageOrder and expectedValue are minor units of this currency: mapped beside them, a CRM user
    // can read 1250 as 12.50 EUR or 1,250 JPY.
    currency: s.currency,
    lastSeen: s.lastSeen,
  };
  if (prefs) {
    values.preferredMethod = prefs.method;
    values.preferredEntryMode = prefs.entryMode;
    values.preferredDay = prefs.dayOfWeek;
    values.preferredCategory = prefs.category;
  }
  return values;
}
