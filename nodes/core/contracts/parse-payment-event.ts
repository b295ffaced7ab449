import { InputError } from '../errors';
import { PAYMENT_EVENT_SCHEMA_VERSION, PaymentEventSchema, type PaymentEvent } from './payment-event';
import { exactPaymentEvent } from './payment-event-exact';

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
  const issues = r.error.issues.slice(0, 5);
  const lines = issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new InputError(
    issues[0]?.path.join('.') || where,
    `${where} is not a valid PaymentEvent v${PAYMENT_EVENT_SCHEMA_VERSION} — ${lines.join('; ')}`,
    fix,
  );
}
