/**
 * Long store work (the segment batch, the loyalty review) on one process with other work: node:sqlite answers
 * synchronously, so a run that only awaits the store never lets the event loop turn (no timer fires, no Temporal
 * heartbeat is sent, no other activity or webhook is served) until it ends. Such work calls the pacer between its
 * steps; the pacer lets the loop turn once `everyMs` of work has passed since it last did, calling `report` first.
 */
export type Pacer = (report?: () => void) => Promise<void>;

/**
 * The longest such work goes on before letting the loop turn, by default. With its steps kept to some tens of
 * milliseconds (a page read, a chunk written, a step of a model fit), the loop waits about 100 ms at most.
 */
export const PAUSE_EVERY_MS = 50;

export function pacer(everyMs: number = PAUSE_EVERY_MS): Pacer {
  let since = performance.now();
  return async (report) => {
    if (performance.now() - since < everyMs) return;
    report?.();
    await new Promise<void>((resolve) => setImmediate(resolve));
    since = performance.now();
  };
}
