import { Context } from '@temporalio/activity';

/** Often enough for any heartbeat timeout of 10 s or more; the SDK throttles what it sends to the server. */
const BEAT_EVERY_MS = 2_000;

/**
 * Heartbeats while `run` works, so the workflow's heartbeat timeout tells a live attempt from a lost one. An
 * attempt's result can be lost without its worker dying: a Temporal server down for longer than the SDK retries the
 * completion (about ten seconds) never hears it, and without heartbeats it waits out the whole start-to-close
 * timeout. For a scheduled run (overlap skip) that timeout is the schedule's every run skipped. Outside an activity
 * (a test calling the activity directly), and in a local activity (whose heartbeats the SDK ignores: it lives in its
 * workflow task), it only runs `run`.
 */
export async function heartbeatWhileRunning<T>(run: () => Promise<T>, everyMs = BEAT_EVERY_MS): Promise<T> {
  let context: Context | undefined;
  try {
    context = Context.current();
  } catch {
    return run();
  }
  if (context.info.isLocal) return run();
  const live = context;
  live.heartbeat();
  const beat = setInterval(() => live.heartbeat(), everyMs);
  try {
    return await run();
  } finally {
    clearInterval(beat);
  }
}

type Activity = (...args: never[]) => Promise<unknown>;

/** Each of `activities` heartbeating while it runs (heartbeatWhileRunning), with the same signature. */
export function heartbeatingEach<T extends { [K in keyof T]: Activity }>(activities: T): T {
  const each = Object.entries(activities).map(([name, activity]) => [name, (...args: never[]) => heartbeatWhileRunning(() => (activity as Activity)(...args))]);
  return Object.fromEntries(each) as T;
}
