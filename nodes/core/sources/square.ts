import { createHmac, timingSafeEqual } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import { InputError, SignatureError } from '../errors';
import { hmacKey } from './hmac-key';
import { headerValue, type Source, type VerifiedDelivery, type WebhookRequest } from './source';
import { SQUARE_ENV, SquareCredentialsSchema, SquarePollCredentialsSchema, squareLivemode, type SquareCredentials } from './square-credentials';
import { listSquarePayments } from './square-list';
import { normalizeSquareEvent, SQUARE_HANDLED_EVENT_TYPES, type SquareDeliveryItem } from './square-normalize';
import { isoTime } from './square-payment';
import { obj } from '../json/json-values';

export { SQUARE_HANDLED_EVENT_TYPES } from './square-normalize';
export { SQUARE_EXPONENTS } from './square-card';
export { SQUARE_API_VERSION, SquareCredentialsSchema, type SquareCredentials } from './square-credentials';

export const SQUARE_SIGNATURE_HEADER = 'x-square-hmacsha256-signature';

/**
 * Square signs no timestamp, but the event's `created_at` is inside the signed body. Square retries a delivery for
 * up to 72 hours and then drops it (Webhooks → Troubleshooting), so a genuine body older than that, plus an hour
 * of slack, is a replay: the inbox would catch it too, but only as long as it keeps the event id.
 */
export const SQUARE_MAX_EVENT_AGE_MS = 73 * 60 * 60 * 1000;

/**
 * Square (webhooks v2): payment.created / payment.updated, refund.created / refund.updated, dispute.created /
 * dispute.state.updated. One event per delivery (Square does not batch), HMAC-SHA256 over the notification URL
 * and the raw body. With an access token it also fetches what an event only names and can poll ListPayments.
 */
export const squareSource: Source<SquareCredentials> = {
  name: 'square',
  label: 'Square',
  handledEventTypes: SQUARE_HANDLED_EVENT_TYPES,
  credentials: SquareCredentialsSchema,
  // Read by the poller (pipeline/poll-source.ts): polling goes without a webhook signature key.
  listCredentials: SquarePollCredentialsSchema,
  env: SQUARE_ENV,

  async verify(request: WebhookRequest, credentials: SquareCredentials): Promise<VerifiedDelivery> {
    const signature = headerValue(request.headers, SQUARE_SIGNATURE_HEADER)?.trim();
    if (!signature) {
      const legacy = headerValue(request.headers, 'x-square-signature') ? ' (only the legacy HMAC-SHA1 x-square-signature came; use a v2 webhook subscription)' : '';
      throw new SignatureError(`the ${SQUARE_SIGNATURE_HEADER} header is missing${legacy}`);
    }
    const url = credentials.notificationUrl ?? request.url;
    if (!/^https?:\/\//i.test(url)) {
      throw new SignatureError(`Square signs the full notification URL and "${url}" is not one; set notificationUrl in the Square credential to the subscription's URL`);
    }
    checkSignature(request.rawBody, signature, url, credentials.signatureKey);

    const event = parseEvent(request.rawBody);
    const created = isoTime(event.created_at);
    if (created && request.receivedAt.getTime() - Date.parse(created) > SQUARE_MAX_EVENT_AGE_MS) {
      const hours = Math.floor((request.receivedAt.getTime() - Date.parse(created)) / 3_600_000);
      throw new SignatureError(`the event was created at ${created}, ${hours} hours before it arrived; Square stops retrying after 72 hours, so this delivery is a replay`);
    }
    // Square names the account's environment in a header (unsigned: it only labels the event); else the base URL tells.
    const environment = headerValue(request.headers, 'square-environment')?.trim().toLowerCase();
    const livemode = environment === 'sandbox' ? false : environment === 'production' ? true : squareLivemode(credentials);
    const item: SquareDeliveryItem = { squareEvent: event, livemode };
    return { items: [item], forged: [] };
  },

  normalize: normalizeSquareEvent,
  list: listSquarePayments,
};

/**
 * Square's documented signature (HMAC-SHA256 under the key, over the notification URL followed by the body, in
 * base64), computed over the raw bytes and compared in constant time, under one of the configured keys. The SDK's
 * WebhooksHelper computes the same HMAC over the body decoded as text and compares with `===`; the tests check
 * that it accepts every signature accepted here. A body that is not valid UTF-8 is refused: the SDK would read
 * it differently, and Square never sends one.
 */
function checkSignature(rawBody: Buffer, signature: string, url: string, keys: readonly string[]): void {
  const matched = keys.some((key) => hmacMatches(rawBody, signature, url, key));
  if (matched && !isUtf8(rawBody)) throw new SignatureError('the body is not valid UTF-8, which Square never sends, so it is not accepted');
  if (matched) return;
  throw new SignatureError(
    `the ${SQUARE_SIGNATURE_HEADER} header does not match this body signed for ${url}: check that the signature key is this subscription's and that the notification URL is exactly the one in the subscription (behind a proxy, set notificationUrl to the public URL)`,
  );
}

export function squareSignature(rawBody: Buffer | string, url: string, key: string): string {
  return createHmac('sha256', hmacKey(key)).update(url, 'utf8').update(rawBody).digest('base64');
}

function hmacMatches(rawBody: Buffer, signature: string, url: string, key: string): boolean {
  const expected = Buffer.from(squareSignature(rawBody, url, key), 'utf8');
  const given = Buffer.from(signature, 'utf8');
  // An HMAC-SHA256 in base64 is always 44 characters: the length says nothing about the key.
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function parseEvent(rawBody: Buffer): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new InputError('body', 'the Square delivery is not JSON', 'Square sends JSON; check that nothing between Square and the trigger rewrites the body');
  }
  const event = obj(parsed);
  if (!event) throw new InputError('body', 'the Square delivery is not a JSON object', 'Square sends one event object per delivery; check what posts to this URL');
  return event;
}
