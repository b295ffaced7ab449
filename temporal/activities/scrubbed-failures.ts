import type { ActivityInboundCallsInterceptor, ActivityInterceptorsFactory } from '@temporalio/worker';
import { scrubError } from '../../nodes/core/tokenize/scrub-error';

type Execute = NonNullable<ActivityInboundCallsInterceptor['execute']>;

/**
 * What an activity throws becomes its failure in the workflow's history: whatever error it is, it is scrubbed of
 * card data before Temporal records it (scrubError).
 */
class ScrubbedFailures implements ActivityInboundCallsInterceptor {
  async execute(input: Parameters<Execute>[0], next: Parameters<Execute>[1]): Promise<unknown> {
    try {
      return await next(input);
    } catch (e) {
      throw scrubError(e);
    }
  }
}

/** The worker's activity interceptor that scrubs every failure before Temporal records it. */
export const scrubbedFailures: ActivityInterceptorsFactory = () => ({ inbound: new ScrubbedFailures() });
