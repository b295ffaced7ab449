import { scoreRfmColumns } from './rfm';
import { segmentOf, type SegmentRules } from './segments';
import { bgNbdConditionalExpectedPurchases, bgNbdProbabilityAlive, fitBgNbd, type BgNbdFit } from './clv/bg-nbd';
import { fitGammaGamma, gammaGammaExpectedValue, usableForSpend, type GammaGammaFit } from './clv/gamma-gamma';
import { unitDays, type TimeUnit } from './clv/summary';

/**
 * Fit both models on a population's summaries and forecast every customer: the computation behind the `clv`
 * command, kept here so any face can offer it. Forecasts are floats (model estimates), values undiscounted.
 */
export interface ReportInput {
  customerId: string;
  frequency: number;
  recency: number;
  T: number;
  /** Mean value of repeat purchases (0 without repeats); NaN when the input has no amounts. */
  monetary: number;
  /** Value over the calibration period, when known (transactions input); otherwise estimated from the mean. */
  totalValue?: number;
  holdoutFrequency?: number;
}

export interface ReportOptions {
  unit: TimeUnit;
  horizonsDays: number[];
  penalizer?: number;
  rules: SegmentRules;
  /** Length of the holdout period in days, when a calibration/holdout split was made. */
  holdoutDays?: number;
}

export interface ReportRow {
  customerId: string;
  frequency: number;
  recency: number;
  T: number;
  monetary: number | null;
  pAlive: number;
  horizons: { days: number; expectedPurchases: number; expectedValue: number | null }[];
  r: number;
  f: number;
  m: number;
  segment: string;
  holdoutFrequency?: number;
  predictedHoldoutPurchases?: number;
}

export interface ClvReport {
  unit: TimeUnit;
  purchase: BgNbdFit;
  spend: GammaGammaFit | null;
  spendSkipped?: string;
  rows: ReportRow[];
  holdout?: { days: number; actualPurchases: number; predictedPurchases: number };
}

export function clvReport(input: readonly ReportInput[], options: ReportOptions): ClvReport {
  if (input.length === 0) throw new Error('no customers to fit: the input has no purchases up to the observation end');
  const purchase = fitBgNbd(input, { penalizer: options.penalizer });
  const hasAmounts = input.some((c) => Number.isFinite(c.monetary));
  let spend: GammaGammaFit | null = null;
  let spendSkipped: string | undefined;
  if (!hasAmounts) spendSkipped = 'no amounts in the input';
  else if (input.filter(usableForSpend).length < 2) spendSkipped = 'fewer than two customers with repeat purchases and a positive mean value';
  else spend = fitGammaGamma(input, { penalizer: options.penalizer });

  const scale = unitDays(options.unit);
  const n = input.length;
  // RFM on the calibration period: recency as the (negative) time since the last purchase, so later is higher.
  const rfm = scoreRfmColumns(
    Float64Array.from(input, (c) => c.recency - c.T),
    Float64Array.from(input, (c) => c.frequency),
    Float64Array.from(input, (c) => c.totalValue ?? (Number.isFinite(c.monetary) ? c.monetary * c.frequency : 0)),
  );
  const rows: ReportRow[] = [];
  let actual = 0;
  let predicted = 0;
  for (let i = 0; i < n; i++) {
    const c = input[i]!;
    const summary = { frequency: c.frequency, recency: c.recency, T: c.T };
    const average = spend ? gammaGammaExpectedValue(spend.params, { frequency: c.frequency, monetary: c.monetary }) : Number.NaN;
    const r = rfm.scores[i * 3]!;
    const f = rfm.scores[i * 3 + 1]!;
    const m = rfm.scores[i * 3 + 2]!;
    const row: ReportRow = {
      customerId: c.customerId,
      frequency: c.frequency,
      recency: c.recency,
      T: c.T,
      monetary: Number.isFinite(c.monetary) ? c.monetary : null,
      pAlive: bgNbdProbabilityAlive(purchase.params, summary),
      horizons: options.horizonsDays.map((days) => {
        const expected = bgNbdConditionalExpectedPurchases(purchase.params, days / scale, summary);
        return { days, expectedPurchases: expected, expectedValue: Number.isFinite(average) ? expected * average : null };
      }),
      r, f, m,
      segment: segmentOf(options.rules, { r, f, m, payments: c.frequency + 1, daysSinceFirst: c.T * scale, daysSinceLast: (c.T - c.recency) * scale }),
    };
    if (options.holdoutDays !== undefined) {
      row.holdoutFrequency = c.holdoutFrequency ?? 0;
      row.predictedHoldoutPurchases = bgNbdConditionalExpectedPurchases(purchase.params, options.holdoutDays / scale, summary);
      actual += row.holdoutFrequency;
      predicted += row.predictedHoldoutPurchases;
    }
    rows.push(row);
  }
  return {
    unit: options.unit,
    purchase,
    spend,
    ...(spendSkipped ? { spendSkipped } : {}),
    rows,
    ...(options.holdoutDays !== undefined ? { holdout: { days: options.holdoutDays, actualPurchases: actual, predictedPurchases: predicted } } : {}),
  };
}
