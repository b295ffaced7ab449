import { createHmac, timingSafeEqual } from 'node:crypto';
// The validator's own module, not the library's index: the index loads every API's typings (about 200 ms at startup).
import HmacValidator from '@adyen/api-library/lib/src/utils/hmacValidator';
import { hmacKey } from './hmac-key';
import { obj, type Obj } from '../json/json-values';

/**
 * What Adyen signs in each standard-webhook item (https://docs.adyen.com/development-resources/webhooks/verify-hmac-signatures):
 * pspReference:originalReference:merchantAccountCode:merchantReference:value:currency:eventCode:success, an absent
 * field written as empty, HMAC-SHA256 under the hex key from the Customer Area, Base64.
 */
export function adyenSignedPayload(item: Obj): string {
  const amount = obj(item.amount) ?? {};
  return [item.pspReference, item.originalReference, item.merchantAccountCode, item.merchantReference, amount.value, amount.currency, item.eventCode, item.success]
    .map((v) => (v === undefined || v === null ? '' : String(v)))
    .join(':');
}

export function adyenItemSignature(item: Obj, hexKey: string): Buffer {
  return createHmac('sha256', Buffer.from(hexKey, 'hex')).update(adyenSignedPayload(item), 'utf8').digest();
}

/** The library's own type for a NotificationRequestItem, as its validator takes it. */
export type AdyenNotificationItem = Parameters<HmacValidator['validateHMAC']>[0];

export type ItemCheck = { ok: true } | { ok: false; reason: string };

/**
 * One item against the configured keys (several while a key is rotated). What is signed comes from Adyen's own
 * validator (`getDataToSign`: the documented fields, in order, an absent one empty); the HMAC is computed under a key
 * object made once per hex key and compared in constant time. The library's validateHMAC would decode the hex key
 * and prepare it on every item, most of an item's cost; the tests check that it accepts what is accepted here.
 */
export function verifyAdyenItem(item: Obj, hexKeys: readonly string[]): ItemCheck {
  const given = typeof obj(item.additionalData)?.hmacSignature === 'string' ? (obj(item.additionalData)!.hmacSignature as string) : '';
  if (!given) {
    return { ok: false, reason: 'the item has no additionalData.hmacSignature; switch on HMAC signing for this webhook in the Customer Area (Developers → Webhooks)' };
  }
  if (!obj(item.amount)) return { ok: false, reason: 'the item has no amount, so its signature cannot be checked' };
  const signed = validator.getDataToSign(item as unknown as AdyenNotificationItem);
  const givenBytes = Buffer.from(given, 'base64');
  for (const hexKey of hexKeys) {
    const expected = createHmac('sha256', hmacKey(hexKey, 'hex')).update(signed, 'utf8').digest();
    if (givenBytes.length === expected.length && timingSafeEqual(givenBytes, expected)) return { ok: true };
  }
  return { ok: false, reason: `the item's HMAC signature does not match the configured key${hexKeys.length > 1 ? 's' : ''}` };
}

// Stateless: one is enough for every delivery.
const validator = new HmacValidator();

/**
 * The Customer Area's "Test" button sends signed items whose pspReference starts with "test_" (or
 * "testNotification_" on older accounts): Adyen's own plugins recognise them so. Checking that the endpoint answers
 * is all they are for.
 */
export function isAdyenTestItem(item: Obj): boolean {
  const psp = typeof item.pspReference === 'string' ? item.pspReference.toLowerCase() : '';
  return psp.startsWith('test_') || psp.startsWith('testnotification_');
}
