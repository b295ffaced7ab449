/** A pass a worker runs now and then for as long as it runs (redrive, pruning), one at a time. */
export interface PeriodicPass<R> {
  /** Runs one pass now, after the one running, if any (tests, and the first pass at start). */
  runOnce(): Promise<R>;
  /** No pass starts after this; resolves when the one running has ended. */
  stop(): Promise<void>;
}

/**
 * Runs `pass` at once and then `everyMs` after each pass ends, never two at a time. A pass that fails is reported
 * through `onError` and the next runs as planned: the worker keeps processing payments either way.
 */
export function startPeriodicPass<R>(o: { pass: () => Promise<R>; everyMs: number; onResult?: (r: R) => void; onError?: (e: unknown) => void }): PeriodicPass<R> {
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const runOnce = () => {
    const pass = running.then(() => o.pass());
    running = pass.catch(() => undefined);
    return pass;
  };
  const tick = async () => {
    if (stopped) return;
    try {
      o.onResult?.(await runOnce());
    } catch (e) {
      o.onError?.(e);
    }
    if (!stopped) timer = setTimeout(() => void tick(), o.everyMs);
  };
  let timer: NodeJS.Timeout | undefined = setTimeout(() => void tick(), 0);
  return {
    runOnce,
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
