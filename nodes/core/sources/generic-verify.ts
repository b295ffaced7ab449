import { createHmac, timingSafeEqual, type KeyObject } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { InputError, SignatureError } from '../errors';
import { DEFAULT_TOLERANCE_SECONDS, type GenericConfig, type HmacSettings } from './generic-config';
import { hmacKey } from './hmac-key';
import { readJsonPath } from './json-path';
import { headerValue, type VerifiedDelivery, type WebhookRequest } from './source';

/**
 * What verify hands to normalize for each item: the gateway's own object, and what the signed envelope said
 * about it (the Standard Webhooks message id, which is the event id when the mapping names none, and the signed
 * time, which stands in for an unmapped occurredAt).
 */
export interface GenericItem {
  readonly kind: 'generic-item';
  readonly payload: unknown;
  readonly delivery: { messageId?: string; signedAt?: string; index?: number; batch: boolean };
}

export const isGenericItem = (v: unknown): v is GenericItem =>
  !!v && typeof v === 'object' && (v as { kind?: unknown }).kind === 'generic-item' && 'payload' in v;

/** Checks the delivery under the configured scheme, then splits it into items (one, or the itemsPath batch). */
export function verifyGenericDelivery(request: WebhookRequest, secrets: readonly string[], config: GenericConfig): VerifiedDelivery {
  const signed = config.scheme === 'hmac' ? verifyHmac(request, secrets, config.hmac!) : verifyStandardWebhooks(request, secrets);
  const body = parseBody(request.rawBody);
  const itemsPath = config.mapping.itemsPath;
  if (!itemsPath) {
    return { items: [{ kind: 'generic-item', payload: body, delivery: { ...signed, batch: false } } satisfies GenericItem], forged: [] };
  }
  const list = readJsonPath(body, itemsPath);
  if (!Array.isArray(list)) {
    throw new InputError('mapping.itemsPath', `"${itemsPath.text}" is not a list in this delivery`, "point it at the array of events in the gateway's batch, such as \"$.events\"");
  }
  // The whole body is signed, so the items share its verdict: there is nothing to forge one by one.
  const items = list.map((payload, index): GenericItem => ({ kind: 'generic-item', payload, delivery: { ...signed, index, batch: true } }));
  return { items, forged: [] };
}

function parseBody(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new InputError('body', 'the delivery is not JSON', 'configure the gateway to send JSON webhooks');
  }
}

interface Signed {
  messageId?: string;
  signedAt?: string;
}

/**
 * A Standard Webhooks secret as its key: checked by the `standardwebhooks` package (the "whsec_" prefix, base64, not
 * empty) and decoded as it decodes it. Its own sign() hashes in pure JavaScript, several times slower than
 * node:crypto on every delivery; the tests check that both sign alike.
 */
function standardWebhooksKey(secret: string): KeyObject {
  new Webhook(secret); // throws on a secret that is not "whsec_" + base64, or empty
  return hmacKey(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64');
}

/**
 * Standard Webhooks: HMAC-SHA256 over "{webhook-id}.{webhook-timestamp}.{body}" with the base64 key behind
 * "whsec_", any of the space-separated "v1,<base64>" signatures matching. The package's verify() reads the wall
 * clock for the timestamp check, so the tolerance is checked here against the time the request was received
 * (which tests and redrives can set).
 */
function verifyStandardWebhooks(request: WebhookRequest, secrets: readonly string[]): Signed {
  const id = headerValue(request.headers, 'webhook-id')?.trim();
  const timestamp = headerValue(request.headers, 'webhook-timestamp')?.trim();
  const signature = headerValue(request.headers, 'webhook-signature')?.trim();
  for (const [name, value] of [['webhook-id', id], ['webhook-timestamp', timestamp], ['webhook-signature', signature]] as const) {
    if (!value) throw new SignatureError(`the ${name} header is missing (a Standard Webhooks delivery carries webhook-id, webhook-timestamp and webhook-signature)`);
  }
  if (!/^\d{1,12}$/.test(timestamp!)) throw new SignatureError(`the webhook-timestamp header "${timestamp}" is not a Unix time in seconds`);
  const signedAt = new Date(Number(timestamp) * 1000);
  // The package reads its clock in whole seconds (Math.floor(Date.now() / 1000)): a delivery received 300.9 s after
  // it was signed is within its five minutes, so the time received is truncated the same way.
  const receivedSecond = new Date(Math.floor(request.receivedAt.getTime() / 1000) * 1000);
  checkTolerance(signedAt, receivedSecond, DEFAULT_TOLERANCE_SECONDS, 'webhook-timestamp');

  // Each entry read as the package reads it: the text between its first and second comma, so a header sent twice (which
  // Node joins with ", ") leaves no comma on the first signature.
  const offered = signature!.split(/\s+/).map((s) => s.split(',')).filter(([version]) => version === 'v1').map(([, sig]) => Buffer.from(sig ?? ''));
  if (offered.length === 0) throw new SignatureError('the webhook-signature header holds no "v1," signature');
  // What the `standardwebhooks` package signs: the id, the time in whole seconds and the body, dot-separated.
  const signedPrefix = `${id!}.${Math.floor(signedAt.getTime() / 1000)}.`;
  for (const secret of secrets) {
    const expected = Buffer.from(createHmac('sha256', standardWebhooksKey(secret)).update(signedPrefix, 'utf8').update(request.rawBody).digest('base64'));
    if (offered.some((o) => o.length === expected.length && timingSafeEqual(o, expected))) {
      return { messageId: id, signedAt: signedAt.toISOString() };
    }
  }
  throw new SignatureError('no webhook-signature matches the configured secret (a wrong secret, or the body, id or timestamp changed after signing)');
}

/** A configurable HMAC over a signed string built from the timestamp, body, URL and method. */
function verifyHmac(request: WebhookRequest, secrets: readonly string[], hmac: HmacSettings): Signed {
  const header = headerValue(request.headers, hmac.header)?.trim();
  if (!header) throw new SignatureError(`the ${hmac.header} header is missing`);
  let text = header;
  if (hmac.prefix) {
    if (!text.startsWith(hmac.prefix)) throw new SignatureError(`the ${hmac.header} header does not start with "${hmac.prefix}"`);
    text = text.slice(hmac.prefix.length).trim();
  }
  const offered = decodeSignature(text, hmac.encoding);
  if (!offered) throw new SignatureError(`the ${hmac.header} header is not a ${hmac.encoding} signature`);

  let timestampText: string | undefined;
  let signedAt: Date | undefined;
  if (hmac.timestampHeader) {
    timestampText = headerValue(request.headers, hmac.timestampHeader)?.trim();
    if (!timestampText) throw new SignatureError(`the ${hmac.timestampHeader} header is missing`);
    signedAt = parseTimestamp(timestampText);
    if (!signedAt) throw new SignatureError(`the ${hmac.timestampHeader} header "${timestampText}" is not a time (Unix seconds or milliseconds, or ISO 8601)`);
    checkTolerance(signedAt, request.receivedAt, hmac.toleranceSeconds, hmac.timestampHeader);
  }

  const message = signedMessage(hmac.signedString, request, timestampText);
  for (const secret of secrets) {
    const digest = createHmac(hmac.algorithm, Buffer.from(secret, hmac.secretEncoding)).update(message).digest();
    if (digest.length === offered.length && timingSafeEqual(digest, offered)) return { signedAt: signedAt?.toISOString() };
  }
  throw new SignatureError(`the ${hmac.header} signature does not match the configured secret (a wrong secret or signed string, or the request changed after signing)`);
}

/** The bytes the gateway signed; the body goes in as received, never re-encoded. */
export function signedMessage(template: string, request: Pick<WebhookRequest, 'rawBody' | 'url' | 'method'>, timestamp?: string): Buffer {
  const parts: Buffer[] = [];
  let last = 0;
  for (const m of template.matchAll(/\{(timestamp|body|url|method)\}/g)) {
    parts.push(Buffer.from(template.slice(last, m.index), 'utf8'));
    const name = m[1];
    parts.push(name === 'body' ? request.rawBody : Buffer.from(name === 'url' ? request.url : name === 'method' ? request.method.toUpperCase() : (timestamp ?? ''), 'utf8'));
    last = m.index + m[0].length;
  }
  parts.push(Buffer.from(template.slice(last), 'utf8'));
  return Buffer.concat(parts);
}

function decodeSignature(text: string, encoding: 'hex' | 'base64'): Buffer | undefined {
  if (encoding === 'hex') return /^(?:[0-9a-fA-F]{2})+$/.test(text) ? Buffer.from(text, 'hex') : undefined;
  return /^[A-Za-z0-9+/_-]+={0,2}$/.test(text) ? Buffer.from(text, 'base64') : undefined;
}

/** Unix seconds or milliseconds (told apart by size: 10^12 ms is 2001, 10^12 s is far future), or ISO 8601. */
export function parseTimestamp(text: string): Date | undefined {
  if (/^\d{1,16}$/.test(text)) {
    const n = Number(text);
    return new Date(n >= 1e12 ? n : n * 1000);
  }
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

function checkTolerance(signedAt: Date, receivedAt: Date, toleranceSeconds: number, header: string): void {
  const age = Math.round((receivedAt.getTime() - signedAt.getTime()) / 1000);
  if (age > toleranceSeconds) throw new SignatureError(`the ${header} is ${age} s old, more than the ${toleranceSeconds} s tolerance (a replayed delivery, or a clock that is off)`);
  if (-age > toleranceSeconds) throw new SignatureError(`the ${header} is ${-age} s in the future, more than the ${toleranceSeconds} s tolerance (a clock that is off)`);
}
