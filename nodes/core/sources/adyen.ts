import { z } from 'zod/v4';
import { parseSecrets } from '../config/settings';
import { InputError, SignatureError } from '../errors';
import { str } from './adyen-fields';
import { isAdyenTestItem, verifyAdyenItem } from './adyen-hmac';
import { ADYEN_ACCEPTED, basicAuthProblem, optionalText, requirePair } from './adyen-http';
import { ADYEN_HANDLED_EVENT_CODES, normalizeAdyenItem } from './adyen-normalize';
import type { ForgedItem, Source, VerifiedDelivery, WebhookRequest } from './source';
import { obj } from '../json/json-values';

export { ADYEN_HANDLED_EVENT_CODES } from './adyen-normalize';

const HEX_KEY = /^(?:[0-9a-fA-F]{2})+$/;

/**
 * The webhook's HMAC key (hex, from Customer Area → Developers → Webhooks; two comma-separated while one is being
 * replaced) and, when the webhook has them, the Basic auth username and password Adyen sends with every delivery.
 */
export const AdyenCredentialsSchema = z
  .object({
    hmacKey: z
      .union([z.string(), z.array(z.string())], { error: 'no Adyen HMAC key is configured' })
      .transform((v) => (Array.isArray(v) ? v.map((s) => s.trim()).filter(Boolean) : parseSecrets(v)))
      .refine((keys) => keys.length > 0, {
        error: 'no Adyen HMAC key is configured; generate one for the webhook in the Customer Area (Developers → Webhooks → HMAC key) and paste it here',
      })
      .refine((keys) => keys.every((k) => HEX_KEY.test(k)), {
        error: 'the HMAC key must be the hexadecimal key the Customer Area shows (pairs of 0-9, A-F), as it is',
      }),
    basicUsername: optionalText,
    basicPassword: optionalText,
  })
  .superRefine((v, ctx) => requirePair(v, ctx, 'the Adyen webhook'));
export type AdyenCredentials = z.infer<typeof AdyenCredentialsSchema>;

/** One verified item as verify hands it on: Adyen's NotificationRequestItem with the delivery's `live` flag. */
export interface AdyenItem {
  live: unknown;
  NotificationRequestItem: Record<string, unknown>;
}

/**
 * Adyen's standard webhooks: a batch `{live, notificationItems: [{NotificationRequestItem}]}` in which every item
 * carries its own HMAC signature, so a forged item is dropped while the genuine ones of its batch go on. Adyen has
 * no event ids and no list API for payments: the inbox knows a delivery again by pspReference + eventCode + success.
 */
export const adyenSource: Source<AdyenCredentials> = {
  name: 'adyen',
  label: 'Adyen',
  handledEventTypes: ADYEN_HANDLED_EVENT_CODES,
  credentials: AdyenCredentialsSchema,
  env: { hmacKey: 'ADYEN_HMAC_KEY', basicUsername: 'ADYEN_WEBHOOK_USERNAME', basicPassword: 'ADYEN_WEBHOOK_PASSWORD' },

  async verify(request: WebhookRequest, credentials: AdyenCredentials): Promise<VerifiedDelivery> {
    if (credentials.basicUsername && credentials.basicPassword) {
      const problem = basicAuthProblem(request.headers, credentials.basicUsername, credentials.basicPassword);
      if (problem) throw new SignatureError(problem);
    }
    const { live, entries } = notificationItems(request.rawBody);
    const items: AdyenItem[] = [];
    const forged: ForgedItem[] = [];
    let tests = 0;
    entries.forEach((entry, index) => {
      const item = obj(obj(entry)?.NotificationRequestItem);
      if (!item) {
        forged.push({ index, reason: 'the entry has no NotificationRequestItem' });
        return;
      }
      const check = verifyAdyenItem(item, credentials.hmacKey);
      if (!check.ok) forged.push({ index, reference: str(item.pspReference), reason: check.reason });
      else if (isAdyenTestItem(item)) tests += 1;
      else items.push({ live, NotificationRequestItem: item });
    });
    const control = tests > 0
      ? { kind: 'test' as const, note: `Adyen test webhook received and its HMAC signature verified (${tests} item${tests > 1 ? 's' : ''}); nothing was recorded` }
      : undefined;
    return { items, forged, control };
  },

  async normalize(item: unknown) {
    return [normalizeAdyenItem(item)];
  },

  answer: () => ADYEN_ACCEPTED,
};

function notificationItems(rawBody: Buffer): { live: unknown; entries: unknown[] } {
  let body: unknown;
  try {
    body = JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new InputError('body', 'the delivery is not JSON', 'set the webhook\'s method to JSON in the Customer Area (Developers → Webhooks)');
  }
  const list = obj(body)?.notificationItems;
  if (!Array.isArray(list) || list.length === 0) {
    throw new InputError('notificationItems', 'the delivery has no notificationItems', 'point a standard Adyen webhook (not a Balance Platform or Management webhook) at this endpoint');
  }
  return { live: obj(body)!.live, entries: list };
}
