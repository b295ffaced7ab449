import { MockActivityEnvironment } from '@temporalio/testing';

/** A heartbeat an activity sent, with when. */
export interface Beat<P> {
  at: number;
  progress: P;
}

/**
 * Runs an activity in Temporal's mock activity environment under `heartbeatTimeoutMs` and measures its heartbeats: each
 * sent, and the longest it went without one (from its start to its end), with the heartbeat before that gap.
 */
export async function runCountingBeats<A extends unknown[], R, P>(
  activity: (...args: A) => Promise<R>,
  args: A,
  heartbeatTimeoutMs: number,
): Promise<{ result: R; beats: Beat<P>[]; longestGapMs: number; gapAfter: P | undefined; ms: number }> {
  const env = new MockActivityEnvironment({ heartbeatTimeoutMs });
  const beats: Beat<P>[] = [];
  env.on('heartbeat', (progress: P) => beats.push({ at: performance.now(), progress }));
  const started = performance.now();
  const result = (await env.run(activity, ...args)) as R;
  const ended = performance.now();
  const times = [started, ...beats.map((b) => b.at), ended];
  const gaps = times.slice(1).map((t, i) => t - times[i]!);
  const longestGapMs = Math.max(...gaps);
  const where = gaps.indexOf(longestGapMs);
  return { result, beats, longestGapMs, gapAfter: where === 0 ? undefined : beats[where - 1]!.progress, ms: ended - started };
}
