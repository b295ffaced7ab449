import { createSecretKey, type KeyObject } from 'node:crypto';
import { InputError } from '../errors';

export interface TokenKey {
  id: string;
  /** Made once: building a key object per HMAC costs as much as the HMAC itself. */
  secret: KeyObject;
}

/**
 * The keys tokens are made with. The first key is current (new tokens); the others are kept so cards
 * tokenized before a rotation are still recognised.
 */
export interface KeyProvider {
  current(): TokenKey;
  all(): readonly TokenKey[];
}

const MIN_SECRET_BYTES = 32;

/**
 * Parses "keyId:secret[,keyId:secret…]" (secret as base64 or hex, at least 32 bytes), the format of the
 * TERMINAL_CRM_TOKEN_KEYS setting and of the credential field.
 */
export function keyProviderFromSpec(spec: string, field = 'tokenKeys'): KeyProvider {
  const keys: TokenKey[] = [];
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const sep = part.indexOf(':');
    const id = sep > 0 ? part.slice(0, sep) : '';
    if (!/^[A-Za-z0-9]{1,16}$/.test(id)) {
      throw new InputError(field, `"${part.slice(0, 12)}…" has no key id`, 'write each key as keyId:secret, e.g. k1:<64 hex characters>, key id letters and digits only');
    }
    const raw = part.slice(sep + 1);
    const secret = /^[0-9a-fA-F]+$/.test(raw) && raw.length % 2 === 0 ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
    if (secret.length < MIN_SECRET_BYTES) {
      throw new InputError(field, `key "${id}" is ${secret.length} bytes, shorter than ${MIN_SECRET_BYTES}`, 'generate one with `openssl rand -hex 32`');
    }
    if (keys.some((k) => k.id === id)) throw new InputError(field, `key id "${id}" appears twice`, 'give every key its own id');
    keys.push({ id, secret: createSecretKey(secret) });
  }
  if (keys.length === 0) {
    throw new InputError(field, 'no tokenization key is configured', 'set it to k1:<secret>, where the secret comes from `openssl rand -hex 32`');
  }
  return { current: () => keys[0]!, all: () => keys };
}
