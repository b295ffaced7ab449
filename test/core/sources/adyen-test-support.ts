import assert from 'node:assert/strict';
import type { PaymentEvent } from '../../../nodes/core/contracts/payment-event';
import type { Inbox } from '../../../nodes/core/inbox/inbox';
import { receiveWebhook } from '../../../nodes/core/pipeline/receive-webhook';
import { adyenSource } from '../../../nodes/core/sources/adyen';
import type { WebhookRequest } from '../../../nodes/core/sources/source';
import HmacValidator from '@adyen/api-library/lib/src/utils/hmacValidator';
import type { Notification } from '@adyen/api-library/lib/src/typings/notification/notification';
import type { NotificationRequestItem } from '@adyen/api-library/lib/src/typings/notification/notificationRequestItem';
import { adyenDelivery, adyenPspReference } from '../../../sandbox/simulator/adyen-events';

/** A delivery as it reached the endpoint; the clock is fixed so nothing depends on the machine's time. */
export function adyenRequest(body: string | object, headers: Record<string, string> = {}, url = 'https://shop.example/webhooks/adyen'): WebhookRequest {
  return {
    rawBody: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
    headers: { 'content-type': 'application/json', ...headers },
    method: 'POST',
    url,
    receivedAt: new Date('2025-03-20T12:00:00Z'),
  };
}

/** One signed delivery received by the Adyen source, which must make exactly one event of it: that event. */
export async function receivedAdyen(d: { body: string; headers: Record<string, string> }, hmacKey: string): Promise<PaymentEvent> {
  const out = await receiveWebhook(adyenSource, adyenRequest(d.body, d.headers), { credentials: { hmacKey } });
  assert.equal(out.events.length, 1, JSON.stringify(out.report));
  return out.events[0]!;
}

export const basicAuth = (username: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` });

/**
 * No card number in what the pipeline hands on or answers: not one run of 13–19 digits. The processor's own
 * references (a tender reference such as "Ko8B001741947727016") are taken out first: Adyen assigns them, and they
 * are kept as they are on purpose.
 */
export function assertNoCardNumber(out: unknown, processorReferences: readonly string[] = []): void {
  let text = JSON.stringify(out);
  for (const ref of processorReferences) text = text.split(ref).join('<ref>');
  assert.doesNotMatch(text, /(?<!\d)\d{13,19}(?!\d)/, text);
}

/** The inbox's contract in memory: an event id seen before is a duplicate. */
export function memoryInbox(): Inbox & { ids: Set<string> } {
  const ids = new Set<string>();
  return {
    ids,
    async accept(events: readonly PaymentEvent[]) {
      const fresh = events.filter((e) => !ids.has(e.id));
      const duplicates = events.filter((e) => ids.has(e.id)).map((e) => e.id);
      for (const e of fresh) ids.add(e.id);
      return { fresh, duplicates };
    },
    async markDone() {},
  };
}

export const clone = <T>(v: T): T => structuredClone(v);

/**
 * An Adyen sale, its refund, the refund's REFUND_FAILED, and `again`: another notification under the refund's
 * pspReference (a CANCEL_OR_REFUND that refunded, so its event id differs), each signed and received as Adyen sends them.
 */
export async function adyenRefundThatFailed() {
  const key = 'AB'.repeat(32);
  const [pay, refundPsp] = [adyenPspReference(), adyenPspReference()];
  const receive = (d: { body: string; headers: Record<string, string> }) => receivedAdyen(d, key);
  const at = (day: number) => new Date(Date.UTC(2025, 6, day, 10));
  const card = { alias: 'H167852639363480', cardHolderName: 'Renée Refund' };
  return {
    payment: await receive(adyenDelivery('chip', key, { pspReference: pay, amount: 8000, eventDate: at(1), card, shopperEmail: 'renee@example.com' })),
    refund: await receive(adyenDelivery('partial_refund', key, { pspReference: refundPsp, originalReference: pay, amount: 3000, eventDate: at(2) })),
    failed: await receive(adyenDelivery('refund_failed', key, { pspReference: refundPsp, originalReference: pay, amount: 3000, eventDate: at(5) })),
    again: await receive(adyenDelivery('cancel_or_refund', key, { pspReference: refundPsp, originalReference: pay, amount: 3000, eventDate: at(6) })),
  };
}

/**
 * An Adyen terminal sale, the CAPTURE_FAILED of its capture (the card scheme rejected it) and Adyen's re-capture of
 * it (CAPTURE, reason "Transaction Recaptured"), then a second failure and a second re-capture of that capture, each
 * signed and received as Adyen sends them. The failure and the
 * re-capture name the capture by its pspReference and the sale by originalReference.
 */
export async function adyenCaptureThatFailed(shopper: { alias: string; email: string } = { alias: 'H167852639363481', email: 'camille@example.com' }) {
  const key = 'CD'.repeat(32);
  const [pay, capturePsp] = [adyenPspReference(), adyenPspReference()];
  const receive = (d: { body: string; headers: Record<string, string> }) => receivedAdyen(d, key);
  const at = (day: number) => new Date(Date.UTC(2025, 7, day, 10));
  const card = { alias: shopper.alias, cardHolderName: 'Camille Capture' };
  return {
    payment: await receive(adyenDelivery('contactless', key, { pspReference: pay, amount: 6000, eventDate: at(1), card, shopperEmail: shopper.email })),
    failed: await receive(adyenDelivery('capture_failed', key, { pspReference: capturePsp, originalReference: pay, amount: 6000, eventDate: at(3) })),
    recaptured: await receive(adyenDelivery('recaptured', key, { pspReference: capturePsp, originalReference: pay, amount: 6000, eventDate: at(6) })),
    /** The re-captured capture rejected again, and captured once more: the same pspReference, code and outcome, later. */
    failedAgain: await receive(adyenDelivery('capture_failed', key, { pspReference: capturePsp, originalReference: pay, amount: 6000, eventDate: at(8) })),
    recapturedAgain: await receive(adyenDelivery('recaptured', key, { pspReference: capturePsp, originalReference: pay, amount: 6000, eventDate: at(10) })),
  };
}

/**
 * An Adyen terminal sale of 100.00 EUR captured in two parts (60.00 and 40.00, each its own CAPTURE under its own
 * pspReference), the CAPTURE_FAILED of the 40.00 part, Adyen's re-capture of it, and then the failure of the 60.00
 * part, each signed and received as Adyen sends them.
 */
export async function adyenPartCaptureThatFailed(shopper: { alias: string; email: string }) {
  const key = 'EF'.repeat(32);
  const [pay, first, second] = [adyenPspReference(), adyenPspReference(), adyenPspReference()];
  const receive = (d: { body: string; headers: Record<string, string> }) => receivedAdyen(d, key);
  const at = (day: number) => new Date(Date.UTC(2025, 8, day, 10));
  const card = { alias: shopper.alias, cardHolderName: 'Paula Part' };
  return {
    payment: await receive(adyenDelivery('chip', key, { pspReference: pay, amount: 10000, eventDate: at(1), card, shopperEmail: shopper.email })),
    captured: [
      await receive(adyenDelivery('capture', key, { pspReference: first, originalReference: pay, amount: 6000, eventDate: at(2) })),
      await receive(adyenDelivery('capture', key, { pspReference: second, originalReference: pay, amount: 4000, eventDate: at(2) })),
    ],
    secondFailed: await receive(adyenDelivery('capture_failed', key, { pspReference: second, originalReference: pay, amount: 4000, eventDate: at(4) })),
    secondRecaptured: await receive(adyenDelivery('recaptured', key, { pspReference: second, originalReference: pay, amount: 4000, eventDate: at(6) })),
    firstFailed: await receive(adyenDelivery('capture_failed', key, { pspReference: first, originalReference: pay, amount: 6000, eventDate: at(8) })),
  };
}

/**
 * A NotificationRequestItem as @adyen/api-library types it, signed by the library: calculateHmac over the item, the
 * signature placed where its validateHMAC reads it (additionalData.hmacSignature), which accepts it.
 */
export function librarySignedItem(fields: NotificationRequestItem, hmacKey: string): NotificationRequestItem {
  const validator = new HmacValidator();
  const item: NotificationRequestItem = { ...fields, additionalData: { ...fields.additionalData } };
  item.additionalData!.hmacSignature = validator.calculateHmac(item, hmacKey);
  assert.equal(validator.validateHMAC(item, hmacKey), true, 'the library accepts its own signature');
  return item;
}

/**
 * Receives one item at a time as Adyen delivers it (a test-mode Notification of that item, library-signed), the
 * fields every item of the test shares (amount, merchant account and reference, success) taken from `shared`.
 */
export function libraryItemReceiver(hmacKey: string, shared: Partial<NotificationRequestItem>) {
  return async (fields: Pick<NotificationRequestItem, 'eventCode' | 'pspReference' | 'eventDate'> & Partial<NotificationRequestItem>): Promise<PaymentEvent> => {
    const item = librarySignedItem({ ...shared, ...fields } as NotificationRequestItem, hmacKey);
    const delivery: Notification = { live: 'false', notificationItems: [{ NotificationRequestItem: item }] };
    return receivedAdyen({ body: JSON.stringify(delivery), headers: { 'content-type': 'application/json' } }, hmacKey);
  };
}
