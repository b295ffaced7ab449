import { createDecipheriv, createHmac, createSecretKey, pbkdf2Sync, timingSafeEqual, type Decipheriv, type KeyObject } from 'node:crypto';

/**
 * Adyen's nexo message protection, crypto version 1
 * (https://docs.adyen.com/point-of-sale/design-your-integration/choose-your-architecture/local/protect): from the
 * passphrase, PBKDF2-HMAC-SHA1 with the salt "AdyenNexoV1Salt" and 4,000 rounds derives 80 bytes — the HMAC-SHA256
 * key, the AES-256 key and an IV, in that order. A message's NexoBlob is the AES-256-CBC encryption of the message
 * under that key with the IV XOR the message's Nonce, and its Hmac the HMAC-SHA256 of the plaintext.
 *
 * Written here rather than called through @adyen/api-library's NexoSecurityManager because every encrypted
 * terminal result goes through it (bench/sources): the manager builds a new AES cipher for every message, takes its
 * keys as Buffers Node prepares again on every cipher and HMAC (key objects only by overwriting its private key
 * material), and copies each message into a secured-message object and a concatenated buffer. The library stays
 * the witness: test/core/sources/nexo-crypto.test.ts holds this to the manager, byte for byte, on messages it
 * encrypts, and to its refusals.
 */
const SALT = Buffer.from('AdyenNexoV1Salt', 'latin1');
const ROUNDS = 4000;
const HMAC_KEY_BYTES = 32;
const CIPHER_KEY_BYTES = 32;
const IV_BYTES = 16;
const BLOCK = 16;

export interface NexoKey {
  hmacKey: KeyObject;
  cipherKey: KeyObject;
  /**
   * AES-256 in ECB mode without padding, made once per key and never finished: decrypting block by block this way
   * and chaining the blocks ourselves (CBC: each block XOR the ciphertext block before it, the first XOR the IV) is
   * CBC decryption, without building a cipher for every message, which cost more than decrypting it.
   */
  blocks: Decipheriv;
  iv: Buffer;
}

const keys = new Map<string, NexoKey>();
// A terminal key per shop, two while one is rotated: the map is emptied should it ever fill up.
const MAX_KEYS = 16;

/** The key material of a passphrase, derived once: 4,000 PBKDF2 rounds cost more than many messages. */
export function nexoKey(passphrase: string): NexoKey {
  let key = keys.get(passphrase);
  if (!key) {
    if (keys.size >= MAX_KEYS) keys.clear();
    // The library reads the passphrase as "binary" (Latin-1) text, so the same passphrase gives the same key.
    const bytes = pbkdf2Sync(Buffer.from(passphrase, 'latin1'), SALT, ROUNDS, HMAC_KEY_BYTES + CIPHER_KEY_BYTES + IV_BYTES, 'sha1');
    const cipherKey = createSecretKey(bytes.subarray(HMAC_KEY_BYTES, HMAC_KEY_BYTES + CIPHER_KEY_BYTES));
    const blocks = createDecipheriv('aes-256-ecb', cipherKey, null);
    blocks.setAutoPadding(false);
    key = { hmacKey: createSecretKey(bytes.subarray(0, HMAC_KEY_BYTES)), cipherKey, blocks, iv: Buffer.from(bytes.subarray(HMAC_KEY_BYTES + CIPHER_KEY_BYTES)) };
    keys.set(passphrase, key);
  }
  return key;
}

export interface NexoSecured {
  /** Base64 text, as in the message. */
  blob: string;
  nonce: string;
  hmac: string;
}

/**
 * The plaintext of a secured message, or undefined when it does not decrypt or its HMAC does not match. One answer
 * for every failure (padding, nonce, HMAC), as the library gives: telling them apart would make a padding oracle.
 */
export function nexoDecrypt(key: NexoKey, secured: NexoSecured): Buffer | undefined {
  const nonce = Buffer.from(secured.nonce, 'base64');
  if (nonce.length !== IV_BYTES) return undefined;
  const ciphertext = Buffer.from(secured.blob, 'base64');
  // Whole blocks only: a partial block would stay behind in the shared ECB decipher and spoil the next message.
  if (ciphertext.length === 0 || ciphertext.length % BLOCK !== 0) return undefined;
  const plaintext = key.blocks.update(ciphertext);
  if (plaintext.length !== ciphertext.length) return undefined;
  for (let i = 0; i < BLOCK; i++) plaintext[i] = plaintext[i]! ^ nonce[i]! ^ key.iv[i]!;
  for (let i = BLOCK; i < plaintext.length; i++) plaintext[i] = plaintext[i]! ^ ciphertext[i - BLOCK]!;
  // PKCS#7, as OpenSSL checks it at the end of a CBC decryption: 1–16 bytes, each holding the count.
  const pad = plaintext[plaintext.length - 1]!;
  if (pad < 1 || pad > BLOCK) return undefined;
  for (let i = plaintext.length - pad; i < plaintext.length; i++) if (plaintext[i] !== pad) return undefined;
  const message = plaintext.subarray(0, plaintext.length - pad);
  const computed = createHmac('sha256', key.hmacKey).update(message).digest();
  const given = Buffer.from(secured.hmac, 'base64');
  return given.length === computed.length && timingSafeEqual(computed, given) ? message : undefined;
}
