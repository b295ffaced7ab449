import type { Client } from '@temporalio/client';
import { type PaymentEvent } from '../nodes/core/contracts/payment-event';
import { parsePaymentEvent } from '../nodes/core/contracts/parse-payment-event';
import { exactPaymentEvent } from '../nodes/core/contracts/payment-event-exact';
import { InputError } from '../nodes/core/errors';
import { paymentKeyOf } from '../nodes/core/ledger/ledger-event';
import { PAN_SCRUB, scrubStrings } from '../nodes/core/pan-scrub';
import { scrubKeepingIds, type EventDraft } from '../nodes/core/tokenize/scrub-keeping-ids';
import { loadTemporal } from './optional-temporal';

/** What Hand to Temporal answers at once: the saga that has the event, not its outcome. */
export interface HandedToTemporal {
  workflowId: string;
  /** The run the signal reached (a new one, or the saga already working on this payment). */
  runId: string;
  eventId: string;
  paymentKey: string;
  taskQueue: string;
}

/**
 * The event an item carries: the item itself as a trigger, Tokenize, Match Customer or CRM Upsert output it (the
 * extra fields are dropped), or under `event` when a flow wrapped it. Raw or tokenized: the saga tokenizes what is
 * not tokenized yet. Scrubbed of card numbers, track data, security codes and PINs here, as Tokenize scrubs (the
 * processor's ids kept whole): the event becomes the saga's signal input and so stays in its Temporal history, and
 * the steps of a flow between the trigger and this one (a Set or Code node, a form, a lookup) may have added free
 * text the source never scrubbed.
 */
export function paymentEventOfItem(item: unknown, where = 'input item'): PaymentEvent {
  if (!item || typeof item !== 'object' || Array.isArray(item)) {
    throw new InputError(where, 'is not an object', 'connect the output of a Terminal Trigger, Terminal Poll Trigger or Tokenize');
  }
  const o = item as Record<string, unknown>;
  const wrapped = o.event && typeof o.event === 'object' && !('paymentId' in o) ? o.event : o;
  // Checked as it came first, so a bad item is refused in the words it always was.
  const event = parsePaymentEvent(wrapped, where);
  return exactPaymentEvent(event, PAN_SCRUB) ?? parsePaymentEvent(scrubKeepingIds(event as EventDraft, scrubStrings), where);
}

/**
 * Signal-with-start of the event's payment saga (`payment-<source>:<paymentId>`): a second event of the same
 * payment joins the running saga and waits behind the first. Returns as soon as the server has the signal.
 */
export async function handToTemporal(client: Client, taskQueue: string, item: unknown, where?: string): Promise<HandedToTemporal> {
  const event = paymentEventOfItem(item, where);
  const { startPaymentSaga } = loadTemporal(() => require('./start-payment/start-payment-saga') as typeof import('./start-payment/start-payment-saga'));
  const handle = await startPaymentSaga(client, event, { taskQueue });
  return { workflowId: handle.workflowId, runId: handle.signaledRunId, eventId: event.id, paymentKey: paymentKeyOf(event), taskQueue };
}
