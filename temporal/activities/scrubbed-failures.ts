import type { ActivityInboundCallsInterceptor, ActivityInterceptorsFactory } from '@temporalio/worker';
import { scrubPan, scrubStrings } from '../../nodes/core/tokenize/pan-scrub';

/** How deep a chain of causes is followed: Temporal's own failures nest a few levels at most. */
const MAX_CAUSES = 8;

/**
 * What an activity throws becomes its failure in the workflow's history: the message, the stack (which repeats the
 * message), an ApplicationFailure's details and every cause. The core's own errors are scrubbed when built
 * (nodes/core/errors.ts), but an activity also fails with what it did not build: a processor's or a CRM's answer
 * quoted by an API error, a library's message quoting the value it choked on. Each is scrubbed here of card numbers,
 * track data, security codes and PINs, in place (its class and type, which the retry policy reads, stay).
 */
export function scrubFailure<T>(error: T): T {
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

class ScrubbedFailures implements ActivityInboundCallsInterceptor {
  async execute(input: Parameters<NonNullable<ActivityInboundCallsInterceptor['execute']>>[0], next: Parameters<NonNullable<ActivityInboundCallsInterceptor['execute']>>[1]): Promise<unknown> {
    try {
      return await next(input);
    } catch (e) {
      throw scrubFailure(e);
    }
  }
}

/** The worker's activity interceptor that scrubs every failure before Temporal records it. */
export const scrubbedFailures: ActivityInterceptorsFactory = () => ({ inbound: new ScrubbedFailures() });
