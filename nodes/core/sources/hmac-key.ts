import { createSecretKey, type KeyObject } from 'node:crypto';

// One map per encoding, keyed by the secret itself: a key joining the two was a new string to hash on every delivery.
const keys = { utf8: new Map<string, KeyObject>(), hex: new Map<string, KeyObject>(), base64: new Map<string, KeyObject>() };
// Live secrets are few (one per source, two while one is rotated); a map is emptied should it ever fill up.
const MAX_KEYS = 128;

/**
 * A signing secret as a key object, made once per secret. Node prepares a string or Buffer key on every
 * createHmac, which costs several times the HMAC of a typical webhook body; a key object skips that.
 */
export function hmacKey(secret: string, encoding: 'utf8' | 'hex' | 'base64' = 'utf8'): KeyObject {
  const known = keys[encoding];
  let key = known.get(secret);
  if (!key) {
    if (known.size >= MAX_KEYS) known.clear();
    key = createSecretKey(Buffer.from(secret, encoding));
    known.set(secret, key);
  }
  return key;
}
