import { formNumber } from '../../core/config/form-number';
import type { NodeMessage, RuntimeNode } from './red-api';
import { shortText } from './short-text';

/** The time of day a status line shows its last run at ("14:03:27"). */
export const clockTime = (at: Date): string => at.toTimeString().slice(0, 8);

/**
 * The longest interval a timer keeps: setInterval takes a 32-bit count of milliseconds and runs anything longer
 * every millisecond instead (TimeoutOverflowWarning), so 30 days would poll or redrive back to back.
 */
export const MAX_REPEAT_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

/** How terminal poll and terminal redrive read their Every (s): blank for a minute, 0 for input only. */
export const REPEAT_SECONDS = { field: 'Every (s)', fallback: 60, min: 0, max: MAX_REPEAT_SECONDS, unit: 'seconds' } as const;

/**
 * Every (s) as the dialog gave it, read on every run too, so a number the node cannot use is an error each run
 * shows (and a Catch node gets), not a default quietly run instead.
 */
export function repeatSeconds(raw: unknown): number {
  return formNumber(raw, REPEAT_SECONDS);
}

/** The interval the timer starts with: the field's, or the default until it is fixed (the first run, right after deploy, says why). */
export function startingRepeatSeconds(raw: unknown): number {
  try {
    return repeatSeconds(raw);
  } catch {
    return REPEAT_SECONDS.fallback;
  }
}

export interface RepeatingRun {
  /** Seconds between runs, up to MAX_REPEAT_SECONDS; 0 runs only on an incoming message. */
  intervalSeconds: number;
  /** One run: sends its messages, sets its status, and returns the error to report, if any. */
  run(send: (msg: NodeMessage) => void): Promise<Error | undefined>;
  /** The status shown until the first run ends. */
  idleStatus: string;
}

/**
 * A node that runs every interval (the first time right after deploy) and on any message, one run at a time: a
 * tick while one runs is skipped, a message waits for it. Closing the flow lets a run under way finish, so what
 * it read and what it kept stay together. Terminal poll and terminal redrive share this.
 */
export function runRepeatedly(node: RuntimeNode, r: RepeatingRun): void {
  let queue: Promise<unknown> = Promise.resolve();
  let busy = false;
  const enqueue = (send: (msg: NodeMessage) => void, done: (err?: Error) => void) => {
    queue = queue.then(async () => {
      busy = true;
      try {
        done(await r.run(send));
      } catch (e) {
        const error = e instanceof Error ? e : new Error(String(e));
        node.status({ fill: 'red', shape: 'ring', text: shortText(error.message) });
        done(error);
      } finally {
        busy = false;
      }
    });
  };
  const tick = () => {
    if (!busy) enqueue((msg) => node.send(msg), (err) => err && node.error(err.message));
  };
  node.on('input', (_msg, send, done) => enqueue((msg) => send(msg), done));

  const timer = r.intervalSeconds > 0 ? setInterval(tick, r.intervalSeconds * 1000) : undefined;
  const first = r.intervalSeconds > 0 ? setTimeout(tick, 0) : undefined;
  node.status({ fill: 'grey', shape: 'ring', text: r.idleStatus });
  node.on('close', (done: () => void) => {
    clearInterval(timer);
    clearTimeout(first);
    void queue.finally(() => {
      node.status({});
      done?.();
    });
  });
}
