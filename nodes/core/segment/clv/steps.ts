/**
 * A computation that stops after each step (a simplex move of a model fit, a block of customers scored) so that
 * its caller may let the event loop turn before the next one; `finish` runs one to its end at once.
 */
export type Steps<T> = Generator<void, T, void>;

export function finish<T>(steps: Steps<T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}
