import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { approximateRfm, scoreRfm } from '../../../nodes/core/segment/rfm';
import { DEFAULT_SEGMENT_RULES, segmentOf, SegmentRulesSchema } from '../../../nodes/core/segment/segments';
import { Random } from './support/random';

describe('RFM quintiles', () => {
  it('ten customers with distinct values get two per quintile, higher is better on all three', () => {
    const rows = Array.from({ length: 10 }, (_, i) => ({ lastDay: 100 + i, frequency: i + 1, monetaryMinor: 1000 * (10 - i) }));
    const { scores } = scoreRfm(rows);
    const r = rows.map((_, i) => scores[i * 3]);
    const m = rows.map((_, i) => scores[i * 3 + 2]);
    assert.deepEqual(r, [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    assert.deepEqual(m, [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]);
  });

  it('ties share the lower score: 70% one-time buyers all get F = 1', () => {
    const rows = Array.from({ length: 10 }, (_, i) => ({ lastDay: 1, frequency: i < 7 ? 1 : i, monetaryMinor: 1 }));
    const { scores } = scoreRfm(rows);
    assert.deepEqual(rows.map((_, i) => scores[i * 3 + 1]), [1, 1, 1, 1, 1, 1, 1, 4, 5, 5]);
  });

  it('between runs, the saved thresholds place every customer of the run exactly where the run did', () => {
    const rnd = new Random(3);
    const rows = Array.from({ length: 997 }, () => ({ lastDay: rnd.int(300), frequency: 1 + rnd.int(8), monetaryMinor: 100 * rnd.int(50) }));
    const { scores, cuts } = scoreRfm(rows);
    rows.forEach((row, i) => {
      assert.deepEqual(approximateRfm(cuts, row), { r: scores[i * 3], f: scores[i * 3 + 1], m: scores[i * 3 + 2] }, `customer ${i}`);
    });
    assert.deepEqual(approximateRfm(cuts, { lastDay: 10_000, frequency: 1_000, monetaryMinor: 1e9 }), { r: 5, f: 5, m: 5 });
  });

  it('monetary percentiles by nearest rank', () => {
    const rows = Array.from({ length: 200 }, (_, i) => ({ lastDay: 0, frequency: 1, monetaryMinor: i + 1 }));
    const { monetaryPercentiles } = scoreRfm(rows);
    assert.deepEqual([monetaryPercentiles[0], monetaryPercentiles[50], monetaryPercentiles[95], monetaryPercentiles[100]], [1, 100, 190, 200]);
  });
});

describe('segment rules', () => {
  const rules = SegmentRulesSchema.parse({});
  const facts = (r: number, f: number, m: number, payments = 5, daysSinceFirst = 400) => ({ r, f, m, payments, daysSinceFirst, daysSinceLast: 10 });

  it('the default grid names every R × FM cell', () => {
    for (let r = 1; r <= 5; r++) for (let f = 1; f <= 5; f++) for (let m = 1; m <= 5; m++) assert.notEqual(segmentOf(rules, facts(r, f, m)), 'Other');
    assert.equal(segmentOf(rules, facts(5, 5, 5)), 'Champions');
    assert.equal(segmentOf(rules, facts(1, 5, 4)), "Can't lose them");
    assert.equal(segmentOf(rules, facts(1, 1, 1)), 'Lost');
    assert.equal(segmentOf(rules, facts(5, 1, 1, 1, 3)), 'New');
    assert.equal(segmentOf(rules, facts(5, 1, 1, 1, 90)), 'Potential', 'one purchase long ago is no longer new');
    assert.equal(rules.rules, DEFAULT_SEGMENT_RULES);
  });

  it('custom rules apply in order, with the fallback when none matches', () => {
    const custom = SegmentRulesSchema.parse({ rules: [{ name: 'Whales', m: [5, 5] }, { name: 'Regulars', f: [3, 5] }], fallback: 'Everyone else' });
    assert.equal(segmentOf(custom, facts(1, 5, 5)), 'Whales');
    assert.equal(segmentOf(custom, facts(1, 4, 2)), 'Regulars');
    assert.equal(segmentOf(custom, facts(1, 1, 1)), 'Everyone else');
    assert.throws(() => SegmentRulesSchema.parse({ rules: [{ name: 'Bad', r: [5, 1] }] }), /min ≤ max/);
  });
});
