import type { SqlDatabase } from '../../../../nodes/core/store/sql-database';
import { simulatePopulation } from './simulate-population';

const DAY = 86_400_000;

/**
 * `customers` customers' statistics in one currency, inserted directly as the Segment step would have left them
 * (quicker than running the step for each payment): histories in days drawn from the models themselves, so a fit
 * has something real to find, ending by `asOf`. Made and inserted in slices, so the set-up's memory stays small.
 * Ids are `cus_00000000` on, in order.
 */
export async function insertSimulatedStats(db: SqlDatabase, customers: number, asOf: number, currency = 'USD'): Promise<void> {
  const now = new Date().toISOString();
  const asOfDay = Math.floor(asOf / DAY);
  const SLICE = 50_000;
  for (let from = 0; from < customers; from += SLICE) {
    const population = simulatePopulation(Math.min(SLICE, customers - from), { r: 0.6, alpha: 40, a: 0.8, b: 2.5 }, { p: 5, q: 4, gamma: 3000 }, { seed: 3 + from, minT: 30, maxT: 730 });
    await db.transaction(async (tx) => {
      for (let j = 0; j < population.length; j++) {
        const c = population[j]!;
        const firstDay = asOfDay - Math.floor(c.T);
        const lastDay = firstDay + Math.floor(c.recency);
        const gross = Math.round(c.values.reduce((sum, v) => sum + v, 0));
        await tx.run(
          `INSERT INTO segment_stats (customer_id, currency, payments, purchase_days, gross_minor, first_seen, last_seen, first_day, last_day, first_day_value_minor, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [`cus_${String(from + j).padStart(8, '0')}`, currency, c.times.length, new Set(c.times.map(Math.floor)).size, gross,
            new Date(firstDay * DAY).toISOString(), new Date(lastDay * DAY).toISOString(), firstDay, lastDay, Math.round(c.values[0]!), now],
        );
      }
    });
  }
}
