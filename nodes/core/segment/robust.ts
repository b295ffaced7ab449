/**
 * Median and MAD: statistics a few wild values cannot drag, which is what "unusual for this customer" needs
 * (a mean and standard deviation would be pulled toward the very outlier being looked for).
 */
export const MAD_TO_SIGMA = 1.4826;

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function mad(values: readonly number[], center = median(values)): number {
  return median(values.map((v) => Math.abs(v - center)));
}

/** |x − median| in units of the MAD scaled to a normal σ, with a floor so identical histories do not divide by zero. */
export function robustZ(x: number, history: readonly number[], minScale: number): number {
  const center = median(history);
  const scale = Math.max(MAD_TO_SIGMA * mad(history, center), minScale);
  return Math.abs(x - center) / scale;
}

const DAY_MINUTES = 1440;
const circularDistance = (a: number, b: number) => {
  const d = Math.abs(a - b) % DAY_MINUTES;
  return Math.min(d, DAY_MINUTES - d);
};

/**
 * The same on the clock face, where 23:50 and 00:10 are 20 minutes apart: the circular median is the history
 * point with the least total distance to the others, and the MAD is taken of the circular distances to it.
 */
export function robustZOnClock(minute: number, history: readonly number[], minScaleMinutes: number): number {
  let center = history[0]!;
  let best = Number.POSITIVE_INFINITY;
  for (const c of history) {
    let total = 0;
    for (const h of history) total += circularDistance(c, h);
    if (total < best) {
      best = total;
      center = c;
    }
  }
  const spread = median(history.map((h) => circularDistance(h, center)));
  return circularDistance(minute, center) / Math.max(MAD_TO_SIGMA * spread, minScaleMinutes);
}
