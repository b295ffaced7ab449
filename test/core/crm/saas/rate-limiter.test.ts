import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RateLimiter } from '../../../../nodes/core/crm/saas/rate-limiter';
import { mulberry32 } from './mocks/hubspot-mock';

/** Virtual time for concurrent sleepers: the earliest timer fires first, once everything else has run. */
function simClock(start = 0) {
  let t = start;
  const timers: { at: number; resolve: () => void }[] = [];
  return {
    now: () => t,
    sleep: (ms: number) => new Promise<void>((resolve) => timers.push({ at: t + Math.max(0, ms), resolve })),
    async run(work: Promise<unknown>): Promise<void> {
      let done = false;
      void work.finally(() => (done = true));
      while (!done) {
        await new Promise((r) => setImmediate(r));
        if (done) break;
        timers.sort((a, b) => a.at - b.at);
        const next = timers.shift();
        if (!next) throw new Error('deadlock: nothing scheduled and the work is not done');
        t = Math.max(t, next.at);
        next.resolve();
      }
    },
  };
}

describe('outbox rate limiter', () => {
  it('never lets more than N requests be out or answered within any window, however long they take, and keeps near N per window', async () => {
    const clock = simClock();
    const limiter = new RateLimiter({ requestsPerWindow: 10, windowMs: 1_000 }, clock);
    const rng = mulberry32(7);
    const spans: { start: number; end: number }[] = [];
    const worker = async () => {
      for (let i = 0; i < 40; i++) {
        const release = (await limiter.acquire())!;
        const start = clock.now();
        await clock.sleep(Math.floor(rng() * 80));
        spans.push({ start, end: clock.now() });
        release();
      }
    };
    await clock.run(Promise.all([worker(), worker(), worker()]));

    assert.equal(spans.length, 120);
    spans.sort((a, b) => a.start - b.start);
    for (const [k, s] of spans.entries()) {
      // What a CRM counting a rolling window sees when this request arrives: the earlier ones still out or answered within it.
      const inWindow = spans.filter((o, j) => j < k && o.end > s.start - 1_000).length;
      assert.ok(inWindow < 10, `request ${k} at ${s.start} had ${inWindow} others in its window`);
      if (k > 0) assert.ok(s.start - spans[k - 1]!.start >= 100, 'spaced a window’s share apart: no bursts');
    }
    const elapsed = spans.at(-1)!.start - spans[0]!.start;
    assert.ok(elapsed <= 119 * 100 * 1.08, `120 requests took ${elapsed} ms, the limit allows them in 11.9 s`);
  });

  it('after a stall, catches up with a short burst (a twentieth of the budget) and still never overruns the window', async () => {
    const clock = simClock();
    const limiter = new RateLimiter({ requestsPerWindow: 190, windowMs: 10_000 }, clock);
    const rng = mulberry32(11);
    const spans: { start: number; end: number }[] = [];
    const worker = async () => {
      for (let i = 0; i < 100; i++) {
        const release = (await limiter.acquire())!;
        const start = clock.now();
        await clock.sleep(Math.floor(rng() * 120));
        spans.push({ start, end: clock.now() });
        release();
        // Now and then the drainer is held up (a slow store, a busy machine).
        if (rng() < 0.05) await clock.sleep(500 + Math.floor(rng() * 1_000));
      }
    };
    await clock.run(Promise.all(Array.from({ length: 6 }, worker)));

    spans.sort((a, b) => a.start - b.start);
    let busiestSecond = 0;
    let closeTogether = 0;
    for (const [k, s] of spans.entries()) {
      const inWindow = spans.filter((o, j) => j < k && o.end > s.start - 10_000).length;
      assert.ok(inWindow < 190, `request ${k} at ${s.start} had ${inWindow} others in its window`);
      busiestSecond = Math.max(busiestSecond, spans.filter((o) => o.start >= s.start && o.start < s.start + 1_000).length);
      if (k > 0 && s.start - spans[k - 1]!.start < 10) closeTogether++;
    }
    assert.ok(closeTogether > 0, 'after stalls, requests went out close together to catch up');
    // One second holds 19 requests at the even pace; a catch-up adds at most the bucket's 10 tokens.
    assert.ok(busiestSecond <= 19 + 10 + 1, `${busiestSecond} requests in one second`);
    const elapsed = spans.at(-1)!.start - spans[0]!.start;
    assert.ok(elapsed <= (600 / 190) * 10_000 * 1.05, `600 requests took ${elapsed} ms; the limit allows them in ${Math.round((599 / 190) * 10_000)} ms`);
  });

  it('does not space a daily budget: a backlog may use it at once, then waits for the oldest request to leave the window', async () => {
    const clock = simClock();
    const limiter = new RateLimiter({ requestsPerWindow: 5, windowMs: 86_400_000 }, clock);
    const starts: number[] = [];
    await clock.run((async () => {
      for (let i = 0; i < 6; i++) {
        const release = (await limiter.acquire())!;
        starts.push(clock.now());
        await clock.sleep(10);
        release();
      }
    })());
    assert.deepEqual(starts.slice(0, 5), [0, 10, 20, 30, 40]);
    assert.equal(starts[5], 10 + 86_400_000, 'the sixth waits for the first to be a day old');
  });

  it("heeds a CRM's reported limit below the configured one, never above it, and ignores one that is no limit", () => {
    const limiter = new RateLimiter({ requestsPerWindow: 190, windowMs: 10_000 });
    const told = (requestsPerWindow: number, windowMs: number) => {
      limiter.heed({ requestsPerWindow, windowMs });
      return limiter.limits;
    };
    assert.deepEqual(told(100, 10_000), { requestsPerWindow: 100, windowMs: 10_000 });
    assert.deepEqual(told(250, 10_000), { requestsPerWindow: 190, windowMs: 10_000 }, 'back to the configured pace, no faster');
    assert.deepEqual(told(15, 1_000), { requestsPerWindow: 15, windowMs: 1_000 }, '15 a second is 150 per 10 s, slower');
    for (const [n, ms] of [[0, 10_000], [Number.NaN, 10_000], [100, 0], [-5, 10_000]] as const) assert.deepEqual(told(n, ms), { requestsPerWindow: 15, windowMs: 1_000 }, `${n} per ${ms} ms`);
  });

  it('holds every request for as long as the CRM said, and gives up rather than wait past a deadline', async () => {
    const clock = simClock(1_000);
    const limiter = new RateLimiter({ requestsPerWindow: 100, windowMs: 10_000 }, clock);
    limiter.pauseFor(30_000);
    assert.equal(await limiter.acquire({ deadline: 5_000 }), undefined);
    let startedAt = 0;
    await clock.run((async () => {
      const release = await limiter.acquire();
      startedAt = clock.now();
      release!();
    })());
    assert.equal(startedAt, 31_000);
  });
});
