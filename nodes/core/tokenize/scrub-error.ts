import { scrubPan, scrubStrings } from './pan-scrub';

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
    if (scrubbed !== e.message) e.message = scrubbed;
    if (typeof e.stack === 'string') e.stack = scrubPan(e.stack);
    const details = (e as { details?: unknown }).details;
    if (Array.isArray(details)) Object.defineProperty(e, 'details', { value: scrubStrings(details), writable: true, configurable: true, enumerable: true });
    e = e.cause;
  }
  return error;
}
