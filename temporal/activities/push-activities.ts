import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import type { HttpTransport } from '../../nodes/core/http/http-transport';
import { axiosTransport } from '../../nodes/core/http/axios-transport';
import { createTerminalPush } from '../../nodes/core/terminal-push/create-terminal-push';
import { pushSettingsFromEnv, type PushSettingsByVendor } from '../../nodes/core/terminal-push/push-settings';
import { PushAuthError, PushTransientError, TERMINAL_VENDORS, type PushOutcome } from '../../nodes/core/terminal-push/terminal-push';
import { failFastOnInputError } from './fail-fast';
import type { PushActivities } from '../../workflows/activity-contracts/push-activities';
import { PUSH_FAILURE_TYPES } from '../../workflows/send-to-terminal';

/** The vendor refused the key: a person must fix the setting. */
export const PUSH_AUTH_ERROR_TYPE = 'TerminalPushAuth';
/** Adyen did not answer a payment request: sending it again would start a second payment on the terminal. */
export const PUSH_OUTCOME_UNKNOWN_TYPE = 'TerminalPushOutcomeUnknown';
/** No answer, a 5xx or a rate limit on a request that is safe to repeat: Temporal retries it. */
export const PUSH_TRANSIENT_TYPE = 'TerminalPushTransient';

export interface PushActivityOptions {
  /** Where vendor settings come from when `settings` has none for the vendor: STRIPE_SECRET_KEY… (process.env by default). */
  env?: NodeJS.ProcessEnv;
  settings?: Partial<PushSettingsByVendor>;
  http?: HttpTransport;
}

/**
 * Send to Terminal as a Temporal activity. Why each result is what it is:
 *
 * - `sent`, `offline` and `busy` are returned. Offline and busy are transient for the reader, but not for the sale:
 *   Temporal retrying them on its own would make the sale pop up on the reader minutes later, when the customer may
 *   have left or paid another way. A person (or the calling workflow, with its own timer) decides whether to push
 *   again; with Stripe and Square the same reference is safe to push again.
 * - `rejected`, `declined` and `cancelled` fail the activity, non-retryable: the same request gets the same
 *   answer, and a decline or a cancel is the customer's, not something to try again by itself. The outcome
 *   travels in the failure's details.
 * - A refused key and a bad setting fail non-retryable, for a person to fix.
 * - No answer, a 5xx or a rate limit is retried with the workflow's policy (after the vendor's Retry-After when it
 *   gave one): Stripe reuses the PaymentIntent of the same reference and Square the checkout of the same
 *   idempotency key, so a retry never charges twice. Adyen has no such key, so an Adyen payment request whose answer
 *   never came is not retried: someone must look at the terminal first.
 */
export function createPushActivities(options: PushActivityOptions = {}): PushActivities {
  const env = options.env ?? process.env;
  const http = options.http ?? axiosTransport();
  return {
    sendToTerminal: (input) =>
      failFastOnInputError(async () => {
        const vendor = input?.vendor;
        // Settings are read per call, so a worker without, say, Square settings runs every other vendor's pushes.
        const settings = (TERMINAL_VENDORS as readonly string[]).includes(vendor) ? options.settings?.[vendor] ?? pushSettingsFromEnv(vendor, env) : undefined;
        const push = createTerminalPush(vendor, { http, settings });
        let outcome: PushOutcome;
        try {
          outcome = await push.pushSale(input.sale);
        } catch (e) {
          throw asFailure(e);
        }
        if (outcome.outcome === 'sent' || outcome.outcome === 'offline' || outcome.outcome === 'busy') return outcome;
        throw ApplicationFailure.create({
          type: PUSH_FAILURE_TYPES[outcome.outcome],
          message: outcome.message,
          nonRetryable: true,
          details: [outcome],
          // A decline or a cancel is the customer's choice: no error metrics, no warning in the worker's log.
          ...(outcome.outcome === 'rejected' ? {} : { category: ApplicationFailureCategory.BENIGN }),
        });
      }),
  };
}

function asFailure(e: unknown): unknown {
  if (e instanceof PushAuthError) {
    return ApplicationFailure.create({ type: PUSH_AUTH_ERROR_TYPE, message: e.message, nonRetryable: true, details: [{ field: e.field, fix: e.fix }] });
  }
  if (e instanceof PushTransientError) {
    if (e.outcomeUnknown && e.vendor === 'adyen') {
      return ApplicationFailure.create({ type: PUSH_OUTCOME_UNKNOWN_TYPE, message: e.message, nonRetryable: true });
    }
    return ApplicationFailure.create({ type: PUSH_TRANSIENT_TYPE, message: e.message, nonRetryable: false, ...(e.retryAfterMs ? { nextRetryDelay: e.retryAfterMs } : {}) });
  }
  return e;
}
