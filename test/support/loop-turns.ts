/**
 * Runs `run` and records where it stood (`where()`) at its start and each time the event loop turned meanwhile
 * (setImmediate): a run that lets the loop turn only where it pauses shows how much it did between two pauses.
 */
export async function countingLoopTurns<S, R>(where: () => S, run: () => Promise<R>): Promise<{ result: R; turns: S[] }> {
  const turns = [where()];
  let ticking = true;
  const tick = () => {
    turns.push(where());
    if (ticking) setImmediate(tick);
  };
  setImmediate(tick);
  try {
    return { result: await run(), turns };
  } finally {
    ticking = false;
  }
}

/** The most a count (`of`) grew between two turns recorded by countingLoopTurns. */
export function mostBetweenTurns<S>(turns: readonly S[], of: (s: S) => number): number {
  return Math.max(...turns.slice(1).map((t, i) => of(t) - of(turns[i]!)));
}
