import { scrubPan, scrubStrings } from '../pan-scrub';

/** How deep a chain of causes is followed: errors wrapping errors nest a few levels at most. */
const MAX_CAUSES = 8;

/**
 * An error as it leaves the pack for a place that keeps it (a Temporal failure in a workflow's history, an n8n
 * execution, a Node-RED Catch node and log): its message, its stack (which repeats the message), its details (an
 * ApplicationFailure's) and every cause, scrubbed of card numbers, track data, security codes and PINs. The core's own
 * errors are scrubbed when built (errors.ts); this is for what the core did not build: a processor's or a CRM's answer
 * quoted by an API error, a library's message quoting the value it choked on. In place, so the error's class and what
 * reads it (a retry policy, a Catch node) stay; a thrown string is returned scrubbed.
 */
export function scrubError<T>(error: T): T {
  if (typeof error === 'string') return scrubPan(error) as T;
  let e: unknown = error;
  for (let depth = 0; e instanceof Error && depth < MAX_CAUSES; depth++) {
    const scrubbed = scrubPan(e.message);
    if (scrubbed !== e.message) rewrite(e, 'message', scrubbed);
    const stack = typeof e.stack === 'string' ? scrubPan(e.stack) : e.stack;
    if (stack !== e.stack) rewrite(e, 'stack', stack);
    const details = (e as { details?: unknown }).details;
    if (Array.isArray(details)) rewrite(e, 'details', scrubStrings(details));
    e = e.cause;
  }
  return error;
}

/** Whatever was thrown, as an Error scrubbed of card data (scrubError): what the faces log and hand on. */
export function scrubbedError(thrown: unknown): Error {
  return scrubError(thrown instanceof Error ? thrown : new Error(String(thrown)));
}

/**
 * One property of the error, rewritten as an own data property: a class may define it read-only or as a getter (a
 * library's error), and a failed assignment must not replace the error with a TypeError.
 */
function rewrite(e: Error, key: 'message' | 'stack' | 'details', value: unknown): void {
  try {
    const own = Object.getOwnPropertyDescriptor(e, key);
    if (own && !own.configurable) {
      if (own.writable) (e as unknown as Record<string, unknown>)[key] = value;
      return;
    }
    Object.defineProperty(e, key, { value, writable: true, configurable: true, enumerable: own?.enumerable ?? false });
  } catch {
    // A frozen error stays as it is: the error itself still goes on, not a TypeError about it.
  }
}
