import type { PaymentEvent } from '../contracts/payment-event';
import { IgnoredEventError, InputError, SignatureError } from '../errors';
import { sourceByName } from '../sources/registry';
import type { WebhookRequest } from '../sources/source';

/**
 * What a trigger does with one webhook, whatever engine hosts it. `status` is the HTTP answer to give: a
 * rejected signature is a 400 with the reason (and nothing goes further), an ignored type is a 200 so the
 * processor does not retry it for days, and a mistake in our own setup (no signing secret, an unknown source)
 * is a 500 with the fix, so the processor keeps retrying and nothing is lost once it is fixed.
 */
export type WebhookOutcome =
  | { status: 200; accepted: true; event: PaymentEvent }
  | { status: 200; accepted: false; ignored: string }
  | { status: 400; accepted: false; rejected: string }
  | { status: 500; accepted: false; misconfigured: string };

export function receiveWebhook(sourceName: string, request: WebhookRequest, signingSecrets: readonly string[]): WebhookOutcome {
  let verified: unknown;
  let source: ReturnType<typeof sourceByName>;
  try {
    source = sourceByName(sourceName);
    verified = source.verify(request, signingSecrets);
  } catch (e) {
    if (e instanceof SignatureError) return { status: 400, accepted: false, rejected: e.reason };
    if (e instanceof InputError) return { status: 500, accepted: false, misconfigured: e.message };
    throw e;
  }
  try {
    return { status: 200, accepted: true, event: source.normalize(verified) };
  } catch (e) {
    if (e instanceof IgnoredEventError) return { status: 200, accepted: false, ignored: e.message };
    if (e instanceof InputError) return { status: 400, accepted: false, rejected: e.message };
    throw e;
  }
}
