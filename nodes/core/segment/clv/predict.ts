import { bgNbdConditionalExpectedPurchases, bgNbdProbabilityAlive, type BgNbdParams } from './bg-nbd';
import { gammaGammaExpectedValue, type GammaGammaParams } from './gamma-gamma';
import { unitDays, type TimeUnit } from './summary';

export interface ClvModel {
  id: string;
  currency: string;
  unit: TimeUnit;
  purchase: BgNbdParams;
  /** Absent when too few customers had repeat purchases to fit spend. */
  spend: GammaGammaParams | null;
}

/** A customer's history in days, as the store keeps it. */
export interface CustomerHistory {
  /** Repeat purchase days (purchase days − 1). */
  frequency: number;
  recencyDays: number;
  ageDays: number;
  /** Mean net value of the repeat purchase days, minor units. */
  repeatMeanMinor: number;
}

/**
 * Lifetime-value forecast for one customer. All numbers are model estimates (floats), including the values in
 * minor units: never add them to a ledger. Values are undiscounted.
 */
export interface ClvPrediction {
  modelId: string;
  pAlive: number;
  horizons: { days: number; expectedPurchases: number; expectedValueMinor: number | null }[];
  /** Expected value of one future purchase (Gamma–Gamma), minor units. */
  expectedAverageMinor: number | null;
}

export function predictClv(model: ClvModel, h: CustomerHistory, horizonsDays: readonly number[]): ClvPrediction {
  const scale = unitDays(model.unit);
  const summary = { frequency: h.frequency, recency: h.recencyDays / scale, T: Math.max(h.ageDays, h.recencyDays) / scale };
  const average = model.spend ? gammaGammaExpectedValue(model.spend, { frequency: h.frequency, monetary: h.repeatMeanMinor }) : Number.NaN;
  const expectedAverageMinor = Number.isFinite(average) ? average : null;
  return {
    modelId: model.id,
    pAlive: bgNbdProbabilityAlive(model.purchase, summary),
    horizons: horizonsDays.map((days) => {
      const purchases = bgNbdConditionalExpectedPurchases(model.purchase, days / scale, summary);
      return { days, expectedPurchases: purchases, expectedValueMinor: expectedAverageMinor === null ? null : purchases * expectedAverageMinor };
    }),
    expectedAverageMinor,
  };
}
