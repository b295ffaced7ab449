import assert from 'node:assert/strict';
import type { PaymentEvent } from '../../../nodes/core/contracts/payment-event';
import type { Inbox } from '../../../nodes/core/inbox/inbox';
import type { WebhookRequest } from '../../../nodes/core/sources/source';

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
