import { InputError, issueText } from '../errors';
import { PAYMENT_EVENT_SCHEMA_VERSION, PaymentEventSchema, type PaymentEvent } from './payment-event';
import { exactPaymentEvent } from './payment-event-exact';
import { rawDeliveryOf } from './raw-delivery';

/**
 * Validates anything that claims to be a PaymentEvent (for instance an n8n item or a Node-RED msg.payload)
 * and turns zod's issues into one message that names the field and the fix. An InputError, because no retry
 * makes a malformed event valid: a durable engine (Temporal) must fail it at once instead of retrying for days.
 */
export function parsePaymentEvent(
  input: unknown,
  where = 'payment event',
  fix = 'feed this step the output of a Terminal Trigger (or of the step before it) unchanged',
): PaymentEvent {
  const exact = exactPaymentEvent(input);
  if (exact) return exact;
  const r = PaymentEventSchema.safeParse(input);
  if (r.success) return r.data;
  const raw = rawDeliveryOf(input);
  if (raw) {
    throw new InputError(
      where,
      `${where} is ${raw}, not a PaymentEvent: nothing has checked its signature or read it yet`,
      'receive webhooks with the Terminal Payment Trigger (n8n) or the terminal payment trigger node (Node-RED), which verifies each delivery and hands on PaymentEvents, and connect this step after it',
    );
  }
  const issues = r.error.issues.slice(0, 5);
  const lines = issues.map((i) => `${i.path.join('.') || '(root)'}: ${issueText(i)}`);
  throw new InputError(
    issues[0]?.path.join('.') || where,
    `${where} is not a valid PaymentEvent v${PAYMENT_EVENT_SCHEMA_VERSION} — ${lines.join('; ')}`,
    fix,
  );
}
