import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { summarizePurchases, type Purchase } from '../../../../nodes/core/segment/clv/summary';

const at = (day: string) => Date.parse(`${day}T10:00:00Z`);
const summary = (purchases: Purchase[], end = '2025-03-31') => summarizePurchases(purchases, { observationEnd: at(end), unit: 'days' })[0]!;

describe('transactions → BG/NBD and Gamma–Gamma summary: returns', () => {
  it('a return dated after its sale, on a day with no purchase, lowers the repeat purchases\' value as one made the same day does', () => {
    const bought = [
      { customerId: 'c', at: at('2025-01-01'), amount: 100 },
      { customerId: 'c', at: at('2025-01-10'), amount: 500 },
    ];
    const sameDay = summary([...bought, { customerId: 'c', at: at('2025-01-10') + 3_600_000, amount: -500 }]);
    const later = summary([...bought, { customerId: 'c', at: at('2025-01-12'), amount: -500 }]);
    assert.deepEqual([sameDay.frequency, sameDay.recency, sameDay.monetary, sameDay.totalValue], [1, 9, 0, 100]);
    assert.deepEqual([later.frequency, later.recency, later.monetary, later.totalValue], [1, 9, 0, 100]);
  });

  it('a return before any repeat purchase takes back from the first day, which is not in the repeat mean', () => {
    const s = summary([
      { customerId: 'c', at: at('2025-01-01'), amount: 100 },
      { customerId: 'c', at: at('2025-01-05'), amount: -30 },
      { customerId: 'c', at: at('2025-01-10'), amount: 40 },
      { customerId: 'c', at: at('2025-01-20'), amount: 60 },
    ]);
    assert.deepEqual([s.frequency, s.monetary, s.totalValue], [2, 50, 170]);
  });

  it('a return after the observation end is the holdout\'s, not the calibration\'s', () => {
    const s = summary([
      { customerId: 'c', at: at('2025-01-01'), amount: 100 },
      { customerId: 'c', at: at('2025-03-01'), amount: 80 },
      { customerId: 'c', at: at('2025-04-02'), amount: -80 },
    ]);
    assert.deepEqual([s.frequency, s.monetary, s.totalValue], [1, 80, 180]);
  });
});
