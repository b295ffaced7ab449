import type { PurchaseSummary } from './bg-nbd';
import { countBelow } from './count-below';

/**
 * Transactions → the (frequency, recency, T, mean value) summary the BG/NBD and Gamma–Gamma models read, by the
 * usual convention: purchases are grouped into calendar days (UTC), frequency counts the days with a purchase
 * after the first one (repeat purchases), recency is the time from the first to the last purchase day and T the
 * time from the first purchase day to the end of observation, in days or in weeks (days / 7).
 */
export type TimeUnit = 'days' | 'weeks';

export interface Purchase {
  customerId: string;
  /** When, as epoch milliseconds. */
  at: number;
  /**
   * Value in any unit (a float model input). Zero is a purchase (a free item is still a visit); negative values are
   * refunds: never a purchase, they lower that day's value, or on a day without a purchase the latest purchase day's before it.
   */
  amount: number;
}

export interface SummaryOptions {
  /** Last moment of the calibration period; its whole UTC day counts. Purchases after it go to the holdout. */
  observationEnd: number;
  unit: TimeUnit;
  /** End of the holdout period (inclusive day), when a calibration/holdout split is wanted. */
  holdoutEnd?: number;
}

export interface CustomerSummary extends PurchaseSummary {
  customerId: string;
  /** Mean value of the repeat purchase days (the first day excluded, as Gamma–Gamma expects), net of their returns; 0 without repeats. */
  monetary: number;
  /** Value of all purchase days in the calibration period, the first included. */
  totalValue: number;
  /** Day of the first purchase, YYYY-MM-DD. */
  firstPurchase: string;
  /** Purchase days and their value in the holdout period, when one was given. */
  holdoutFrequency?: number;
  holdoutValue?: number;
}

const DAY_MS = 86_400_000;
export const dayNumber = (ms: number): number => Math.floor(ms / DAY_MS);
export const dayString = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);
export const unitDays = (unit: TimeUnit): number => (unit === 'weeks' ? 7 : 1);

export function summarizePurchases(purchases: Iterable<Purchase>, options: SummaryOptions): CustomerSummary[] {
  const endDay = dayNumber(options.observationEnd);
  const holdoutEndDay = options.holdoutEnd === undefined ? undefined : dayNumber(options.holdoutEnd);
  if (holdoutEndDay !== undefined && holdoutEndDay <= endDay) throw new Error('the holdout must end after the observation end');
  const perDay = new Map<string, { bought: Set<number>; value: Map<number, number> }>();
  for (const p of purchases) {
    if (!Number.isFinite(p.at) || !Number.isFinite(p.amount)) continue;
    const day = dayNumber(p.at);
    if (day > (holdoutEndDay ?? endDay)) continue;
    let c = perDay.get(p.customerId);
    if (!c) perDay.set(p.customerId, (c = { bought: new Set(), value: new Map() }));
    if (p.amount >= 0) c.bought.add(day);
    c.value.set(day, (c.value.get(day) ?? 0) + p.amount);
  }
  const scale = unitDays(options.unit);
  const out: CustomerSummary[] = [];
  for (const [customerId, c] of perDay) {
    const calibration = [...c.bought].filter((d) => d <= endDay).sort((a, b) => a - b);
    if (calibration.length === 0) continue; // first bought after the observation end: not in this cohort
    const first = calibration[0]!;
    const last = calibration[calibration.length - 1]!;
    // A return on a day with no purchase (a cancelled invoice dated after its sale) lowers the latest purchase day
    // before it, the purchase it most likely takes back: otherwise whether it lowered the repeat purchases' value
    // would depend on whether the customer happened to buy something else that day.
    const dayValue = new Map<number, number>();
    for (const [d, v] of c.value) {
      if (d > endDay) continue;
      const owner = c.bought.has(d) ? d : latestBefore(calibration, d);
      if (owner !== undefined) dayValue.set(owner, (dayValue.get(owner) ?? 0) + v);
    }
    let repeatValue = 0;
    for (const d of calibration.slice(1)) repeatValue += dayValue.get(d) ?? 0;
    let totalValue = 0;
    for (const [d, v] of c.value) if (d <= endDay) totalValue += v;
    const frequency = calibration.length - 1;
    const summary: CustomerSummary = {
      customerId,
      frequency,
      recency: (last - first) / scale,
      T: (endDay - first) / scale,
      monetary: frequency > 0 ? repeatValue / frequency : 0,
      totalValue,
      firstPurchase: dayString(first),
    };
    if (holdoutEndDay !== undefined) {
      const holdout = [...c.bought].filter((d) => d > endDay);
      summary.holdoutFrequency = holdout.length;
      summary.holdoutValue = [...c.value].filter(([d]) => d > endDay).reduce((s, [, v]) => s + v, 0);
    }
    out.push(summary);
  }
  return out;
}

/** The latest of the ascending `days` before `day`, if any. */
function latestBefore(days: readonly number[], day: number): number | undefined {
  const below = countBelow(days, day);
  return below > 0 ? days[below - 1] : undefined;
}
