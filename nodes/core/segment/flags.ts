import type { SegmentConfig } from './config';
import { robustZ, robustZOnClock } from './robust';

/** One earlier payment of the customer, as far as "is this one unusual?" needs to know. */
export interface HistoryPoint {
  amountMinor: number;
  minuteOfDay: number;
  locationId: string | null;
}

export interface Flags {
  highValue: boolean;
  atRisk: boolean;
  /** Unusual for this customer's own history: for fraud review, not a verdict. */
  anomaly: boolean;
  /** Why each flag is up, in words an operator can act on. */
  reasons: string[];
}

/** Below these spreads a difference is never unusual: ±25% in amount per σ, one hour on the clock. */
const MIN_LOG_AMOUNT_SCALE = 0.25;
const MIN_CLOCK_SCALE_MINUTES = 60;

export interface AnomalyResult {
  amount: boolean;
  time: boolean;
  location: boolean;
  amountScore?: number;
  timeScore?: number;
}

export function anomalyOf(current: HistoryPoint, history: readonly HistoryPoint[], cfg: SegmentConfig['flags']['anomaly']): AnomalyResult {
  const none: AnomalyResult = { amount: false, time: false, location: false };
  if (history.length < cfg.minHistory) return none;
  // Amounts compared on a log scale: 10 → 100 is as surprising as 100 → 1000.
  const logAmount = (m: number) => Math.log(Math.max(m, 1));
  const amountScore = robustZ(logAmount(current.amountMinor), history.map((h) => logAmount(h.amountMinor)), MIN_LOG_AMOUNT_SCALE);
  const timeScore = robustZOnClock(current.minuteOfDay, history.map((h) => h.minuteOfDay), MIN_CLOCK_SCALE_MINUTES);
  const places = history.filter((h) => h.locationId !== null);
  const location =
    cfg.newLocation && current.locationId !== null && places.length >= cfg.minHistory && !places.some((h) => h.locationId === current.locationId);
  return { amount: amountScore > cfg.threshold, time: timeScore > cfg.threshold, location, amountScore, timeScore };
}

export interface FlagInputs {
  currency: string;
  paymentMinor?: number;
  netSpendMinor: number;
  payments: number;
  segment: string | null;
  pAlive: number | null;
  /** Expected value over the longest horizon, minor units (an estimate). */
  expectedValueMinor: number | null;
  /** Net spend at percentiles 0..100 as of the last batch run, if there was one. */
  monetaryPercentiles: readonly number[] | null;
  anomaly: AnomalyResult;
}

export function flagsOf(cfg: SegmentConfig['flags'], x: FlagInputs): Flags {
  const reasons: string[] = [];
  const paymentThreshold = cfg.highValue.paymentMinor[x.currency];
  if (paymentThreshold !== undefined && x.paymentMinor !== undefined && x.paymentMinor >= paymentThreshold) {
    reasons.push(`high value: payment of ${x.paymentMinor} ${x.currency} minor units ≥ ${paymentThreshold}`);
  }
  const clvThreshold = cfg.highValue.expectedValueMinor[x.currency];
  if (clvThreshold !== undefined && x.expectedValueMinor !== null && x.expectedValueMinor >= clvThreshold) {
    reasons.push(`high value: expected value ${Math.round(x.expectedValueMinor)} ≥ ${clvThreshold}`);
  }
  const pct = x.monetaryPercentiles;
  if (pct && pct.length === 101) {
    const cut = pct[Math.max(0, Math.min(100, Math.round(100 - cfg.highValue.topPercent)))]!;
    if (x.netSpendMinor > 0 && x.netSpendMinor >= cut) reasons.push(`high value: net spend in the top ${cfg.highValue.topPercent}% of customers`);
  }
  const highValue = reasons.length > 0;
  if (x.segment !== null && cfg.atRisk.segments.includes(x.segment)) reasons.push(`at risk: segment "${x.segment}"`);
  if (x.pAlive !== null && x.payments >= cfg.atRisk.minPayments && x.pAlive < cfg.atRisk.pAliveBelow) {
    reasons.push(`at risk: probability still active ${x.pAlive.toFixed(2)} < ${cfg.atRisk.pAliveBelow}`);
  }
  const atRisk = reasons.some((r) => r.startsWith('at risk'));
  const a = x.anomaly;
  if (a.amount) reasons.push(`anomaly: amount unusual for this customer (robust z ${a.amountScore!.toFixed(1)})`);
  if (a.time) reasons.push(`anomaly: time of day unusual for this customer (robust z ${a.timeScore!.toFixed(1)})`);
  if (a.location) reasons.push('anomaly: first payment at this location');
  return { highValue, atRisk, anomaly: a.amount || a.time || a.location, reasons };
}
