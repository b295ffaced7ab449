import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { refundAmountsInOrder, type RefundReport } from '../../../nodes/core/ledger/refund-order';
import { permutations } from '../../support/permutations';

const day = (d: number) => `2025-03-0${d}T10:00:00.000Z`;
const total = (eventId: string, minor: number, d: number): RefundReport => ({ eventId, refundId: null, reversed: false, minor, currency: 'USD', occurredAt: day(d) });
const own = (eventId: string, refundId: string, minor: number, d: number, reversed = false): RefundReport => ({ eventId, refundId, reversed, minor, currency: 'USD', occurredAt: day(d) });

/** The amounts by event id, whatever order the reports are listed in (all of them checked). */
function inEveryOrder(reports: readonly RefundReport[], currency = 'USD'): Record<string, number> {
  const results = permutations([...reports.keys()]).map((order) => Object.fromEntries(refundAmountsInOrder(order.map((i) => reports[i]!), currency)));
  for (const r of results.slice(1)) assert.deepEqual(r, results[0]);
  return results[0]!;
}

describe('refund amounts in the processor\'s order', () => {
  it('a running total adds what it grew by since the total before it in time', () => {
    assert.deepEqual(inEveryOrder([total('b', 4000, 6), total('a', 2500, 5)]), { a: 2500, b: 1500 });
  });

  it('a refund that failed after the totals counted it takes its amount back; one that failed before any total counted it takes it from the totals after', () => {
    assert.deepEqual(inEveryOrder([total('a', 2500, 5), total('b', 4000, 6), own('f', 're_1', 1500, 8, true)]), { a: 2500, b: 1500, f: -1500 });
    assert.deepEqual(inEveryOrder([own('f', 're_1', 1500, 4, true), total('a', 2500, 5), total('b', 4000, 6)]), { f: 0, a: 1000, b: 1500 });
  });

  it('a refund voided at its own time stood first; voided at a time before it was read standing it never stood', () => {
    assert.deepEqual(inEveryOrder([own('r1', 'r1', 3000, 5), own('v2', 'r2', 2000, 6, true), own('r2', 'r2', 2000, 6)]), { r1: 3000, r2: 2000, v2: -2000 });
    assert.deepEqual(inEveryOrder([own('v2', 'r2', 2000, 5, true), own('r2', 'r2', 2000, 6)]), { v2: 0, r2: 0 });
  });

  it('a report in another currency than the payment\'s adds nothing, as the ledger sets none against it', () => {
    assert.deepEqual(inEveryOrder([own('r1', 'r1', 3000, 5), { ...own('r2', 'r2', 2000, 6), currency: 'EUR' }]), { r1: 3000, r2: 0 });
  });
});
