import { createSecretKey, type KeyObject } from 'node:crypto';

const keys = new Map<string, KeyObject>();
// Live secrets are few (one per source, two while one is rotated); the map is emptied should it ever fill up.
const MAX_KEYS = 128;

/**
 * A signing secret as a key object, made once per secret. Node prepares a string or Buffer key on every
 * createHmac, which costs several times the HMAC of a typical webhook body; a key object skips that.
 */
export function hmacKey(secret: string, encoding: 'utf8' | 'hex' | 'base64' = 'utf8'): KeyObject {
  const id = `${encoding}:${secret}`;
  let key = keys.get(id);
  if (!key) {
    if (keys.size >= MAX_KEYS) keys.clear();
    key = createSecretKey(Buffer.from(secret, encoding));
    keys.set(id, key);
  }
  return key;
}
