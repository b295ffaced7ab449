import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { availableSources } from '../../nodes/core/sources/registry';
import { benchSourceNames, receiveBench, sourceBench } from '../../bench/sources/source-deliveries';
import { measureSource } from '../../bench/sources/source-throughput';

/**
 * The per-source bench (npm run bench:sources) is only worth its figures if every delivery it times is accepted:
 * a rejected delivery is answered fast and would flatter a source. Not a timing test.
 */
describe('bench: per-source throughput setup', () => {
  it('has deliveries for every registered source', () => {
    assert.deepEqual(benchSourceNames(), availableSources());
  });

  for (const name of availableSources()) {
    it(`${name}: every simulated delivery is accepted and becomes events`, { timeout: 30_000 }, async () => {
      const bench = sourceBench(name, 5, 42);
      assert.equal(bench.deliveries.length, 5);
      for (const [i, d] of bench.deliveries.entries()) {
        const out = await receiveBench(bench, d);
        assert.equal(out.status, 200, `delivery ${i}: ${out.answer.body}`);
        assert.equal(out.rejected, undefined);
        assert.ok(out.events.length >= 1, `delivery ${i} made no event: ${out.answer.body}`);
        assert.deepEqual(out.report.ignored, [], `delivery ${i}`);
        assert.deepEqual(out.report.forged, [], `delivery ${i}`);
        assert.deepEqual(out.report.accepted, out.events.map((e) => e.id));
        for (const e of out.events) assert.equal(e.source, bench.source.eventSource ?? name);
      }
    });
  }

  it('counts the events it measured and refuses to time deliveries that are not accepted', { timeout: 30_000 }, async () => {
    const bench = sourceBench('zettle', 5, 42);
    let events = 0;
    for (const d of bench.deliveries) events += (await receiveBench(bench, d)).events.length;
    const figures = await measureSource(bench, 1, 5);
    assert.equal(figures.events, events);
    assert.equal(figures.deliveries, 5);
    assert.ok(figures.rate > 0 && figures.floorRate > 0);

    const forged = { ...bench, credentials: { signingKey: 'not-the-key-that-signed-them' } };
    await assert.rejects(measureSource(forged, 1, 5), /zettle: 5 of 5 deliveries were not accepted, e\.g\. #0: 400 .*X-iZettle-Signature does not match/);
  });
});
