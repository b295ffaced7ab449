import { z } from 'zod/v4';
import { flagOf, type FlagWords } from '../config/flag';
import { InputError, SignatureError } from '../errors';
import { str } from './adyen-fields';
import { ADYEN_ACCEPTED, basicAuthProblem, optionalText, requirePair } from './adyen-http';
import { field, fieldObj } from './adyen-nexo';
import { ADYEN_TERMINAL_EVENT_SOURCE, ADYEN_TERMINAL_HANDLED_TYPES, normalizeAdyenTerminalMessage } from './adyen-terminal-normalize';
import { nexoDecrypt, nexoKey } from './nexo-crypto';
import type { Source, SourceContext, VerifiedDelivery, WebhookRequest } from './source';
import { obj } from '../json/json-values';

export { ADYEN_TERMINAL_HANDLED_TYPES } from './adyen-terminal-normalize';

/**
 * Adyen's nexo crypto version: 1 is the only one its terminals and libraries speak
 * (https://docs.adyen.com/point-of-sale/design-your-integration/choose-your-architecture/local/protect).
 */
export const ADYEN_CRYPTO_VERSION = 1;

/**
 * The key's version as the Customer Area shows it (Version, beside the key identifier): a whole number from 1, as the
 * SecurityTrailer's KeyVersion is an int32. Read as digits alone, so "0x10" or "1e1" (which Number() reads as 16 and
 * 10) is refused rather than taken for another version: the terminal's messages would then never verify. Blank (or
 * absent) is no version, undefined; what is no version is null. The schema reads it so, and the Node-RED dialog marks Key
 * Version by this function's own source (resources/editor-core.js), which must therefore use nothing outside itself.
 */
export function adyenKeyVersionOf(v: unknown): number | null | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' && typeof v !== 'number') return null;
  const text = String(v).trim();
  if (text === '') return undefined;
  // 2147483647: the int32's largest (written out, as the Node-RED editor runs this function's own source).
  return /^[1-9]\d{0,9}$/.test(text) && Number(text) <= 2147483647 ? Number(text) : null;
}
const keyVersion = z
  .union([z.string(), z.number()], { error: 'the key version must be a whole number (the Version shown with the key in the Customer Area)' })
  .optional()
  .transform((v, ctx) => {
    const read = adyenKeyVersionOf(v);
    if (read !== null) return read;
    ctx.issues.push({ code: 'custom', input: v, message: `"${String(v).trim()}" is not a key version: write the whole number from 1 shown as Version with the key in the Customer Area, in digits alone (such as 1)` });
    return z.NEVER;
  });

/** Whether the terminals are a live account's: true, live, 1, yes or on; false, test, 0, no or off; blank for a test account. */
export const ADYEN_LIVE_WORDS: FlagWords = { on: ['true', 'live', '1', 'yes', 'on'], off: ['false', 'test', '0', 'no', 'off'] };
const liveFlag = z
  .union([z.boolean(), z.string()], { error: 'the live flag is on or off' })
  .optional()
  .transform((v, ctx) => {
    if (typeof v !== 'string') return v;
    const read = flagOf(v, ADYEN_LIVE_WORDS, { on: 'for a live account', off: 'for a test account' });
    if (read.fault === undefined) return read.value;
    ctx.issues.push({ code: 'custom', input: v, message: read.fault });
    return z.NEVER;
  });

/**
 * Two ways a Terminal API message proves where it came from, as the Terminal API itself does: an encrypted message
 * (local communication, or "Encrypted" event URLs) carries a SecurityTrailer made with the terminal's shared key —
 * key identifier, passphrase and version from Customer Area → In-person payments → Terminal settings → Integrations —
 * and a plain one posted by Adyen's cloud carries the Basic auth pair set for the event URL. Either or both may be
 * configured. `live` marks the events as live-mode: a Terminal API message does not say it itself.
 */
export const AdyenTerminalCredentialsSchema = z
  .object({
    keyIdentifier: optionalText,
    passphrase: optionalText,
    keyVersion,
    basicUsername: optionalText,
    basicPassword: optionalText,
    live: liveFlag,
  })
  .superRefine((v, ctx) => {
    requirePair(v, ctx, 'Adyen Terminal API notifications');
    const key = { keyIdentifier: v.keyIdentifier, passphrase: v.passphrase, keyVersion: v.keyVersion };
    // The version alone is no key: both editors fill it in with 1, its usual value, for an operator who uses only the
    // Basic auth pair of cloud event notifications.
    const given = v.keyIdentifier === undefined && v.passphrase === undefined ? 0 : Object.values(key).filter((x) => x !== undefined).length;
    if (given > 0 && given < 3) {
      for (const [name, value] of Object.entries(key)) {
        if (value === undefined) ctx.addIssue({ code: 'custom', path: [name], message: 'the terminal key is only partly configured: its key identifier, passphrase and version are needed together' });
      }
    }
    if (given === 0 && !(v.basicUsername && v.basicPassword)) {
      ctx.addIssue({
        code: 'custom',
        path: ['basicUsername'],
        message: 'nothing is configured to check Terminal API messages with: set the Basic auth username and password of the event URL, or the terminal key (its key identifier, passphrase and version) for encrypted messages',
      });
    }
  });
export type AdyenTerminalCredentials = z.infer<typeof AdyenTerminalCredentialsSchema>;

/**
 * Adyen Terminal API results: what a POS app relays from the terminal, or what Adyen's cloud posts to the event URL
 * (asynchronous results and event notifications). There is no list API for payments.
 */
export const adyenTerminalSource: Source<AdyenTerminalCredentials> = {
  name: 'adyen-terminal',
  eventSource: ADYEN_TERMINAL_EVENT_SOURCE,
  label: 'Adyen Terminal API',
  handledEventTypes: ADYEN_TERMINAL_HANDLED_TYPES,
  credentials: AdyenTerminalCredentialsSchema,
  env: {
    keyIdentifier: 'ADYEN_TERMINAL_KEY_ID',
    passphrase: 'ADYEN_TERMINAL_PASSPHRASE',
    keyVersion: 'ADYEN_TERMINAL_KEY_VERSION',
    basicUsername: 'ADYEN_TERMINAL_USERNAME',
    basicPassword: 'ADYEN_TERMINAL_PASSWORD',
    live: 'ADYEN_TERMINAL_LIVE',
  },

  async verify(request: WebhookRequest, c: AdyenTerminalCredentials): Promise<VerifiedDelivery> {
    const message = parseMessage(request.rawBody);
    const envelopeName = fieldObj(message, 'SaleToPOIResponse') ? 'SaleToPOIResponse' : 'SaleToPOIRequest';
    const envelope = fieldObj(message, envelopeName)!;
    const trailer = fieldObj(envelope, 'SecurityTrailer');
    const hasAuthorization = Object.keys(request.headers).some((h) => h.toLowerCase() === 'authorization');
    // A Basic auth header that is there must be right, also on an encrypted message.
    if (c.basicUsername && c.basicPassword && (!trailer || hasAuthorization)) {
      const problem = basicAuthProblem(request.headers, c.basicUsername, c.basicPassword);
      if (problem) throw new SignatureError(problem);
    }
    if (trailer) return { items: [decrypt(envelopeName, envelope, trailer, c)], forged: [] };
    if (!(c.basicUsername && c.basicPassword)) {
      throw new SignatureError(
        'the message is not encrypted (no SecurityTrailer) and no Basic auth is configured to authenticate it; set basicUsername and basicPassword here and on the event URL in the Customer Area, or send encrypted messages',
      );
    }
    return { items: [message], forged: [] };
  },

  async normalize(message: unknown, credentials: AdyenTerminalCredentials, ctx: SourceContext) {
    return [normalizeAdyenTerminalMessage(message, { livemode: credentials.live === true, now: ctx.now() })];
  },

  answer: () => ADYEN_ACCEPTED,
};

function parseMessage(rawBody: Buffer): Record<string, unknown> {
  let message: unknown;
  try {
    message = JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new InputError('body', 'the message is not JSON', 'hand over the Terminal API message as JSON, as the terminal or Adyen\'s cloud sent it');
  }
  if (!fieldObj(message, 'SaleToPOIResponse') && !fieldObj(message, 'SaleToPOIRequest')) {
    throw new InputError('SaleToPOIResponse', 'the message is neither a SaleToPOIResponse nor a SaleToPOIRequest', 'hand over the Terminal API message as it arrived');
  }
  return obj(message)!;
}

/**
 * The NexoBlob decrypted and its HMAC checked (nexo-crypto.ts: PBKDF2 key derivation, AES-256-CBC, HMAC-SHA256, as
 * Adyen's NexoSecurityManager does it). Only the decrypted message is trusted: the outer MessageHeader is not
 * covered by the HMAC, so nothing is read from it.
 */
function decrypt(envelopeName: string, envelope: Record<string, unknown>, trailer: Record<string, unknown>, c: AdyenTerminalCredentials): unknown {
  if (!c.keyIdentifier || !c.passphrase || c.keyVersion === undefined) {
    throw new SignatureError('the message is encrypted (it has a SecurityTrailer) but no terminal key is configured; fill in keyIdentifier, passphrase and keyVersion from the Customer Area (Terminal settings → Integrations)');
  }
  const blob = str(field(envelope, 'NexoBlob'));
  if (!blob) throw new SignatureError('the message has a SecurityTrailer but no NexoBlob to decrypt');
  const version = Number(field(trailer, 'AdyenCryptoVersion'));
  if (version !== ADYEN_CRYPTO_VERSION) throw new SignatureError(`AdyenCryptoVersion ${String(field(trailer, 'AdyenCryptoVersion'))} is not supported (only ${ADYEN_CRYPTO_VERSION})`);
  if (str(field(trailer, 'KeyIdentifier')) !== c.keyIdentifier || Number(field(trailer, 'KeyVersion')) !== c.keyVersion) {
    throw new SignatureError('the message was encrypted with another key (KeyIdentifier or KeyVersion differ from the configured ones); check keyIdentifier and keyVersion');
  }
  const plaintext = nexoDecrypt(nexoKey(c.passphrase), { blob, nonce: str(field(trailer, 'Nonce')) ?? '', hmac: str(field(trailer, 'Hmac')) ?? '' });
  if (!plaintext) {
    throw new SignatureError('the encrypted message did not decrypt and verify with the configured passphrase (its HMAC does not match); check passphrase');
  }
  let inner: unknown;
  try {
    inner = JSON.parse(plaintext.toString('utf8'));
  } catch {
    throw new SignatureError('the decrypted message is not JSON');
  }
  // The blob holds the whole message ({"SaleToPOIResponse": {...}}); older relays encrypt only its body.
  return fieldObj(inner, envelopeName) ? inner : { [envelopeName]: inner };
}
