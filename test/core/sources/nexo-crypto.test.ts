import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { NexoSecurityManager } from '@adyen/api-library/lib/src/security/clouddevice';
import { deriveKeyMaterial } from '@adyen/api-library/lib/src/security/clouddevice/nexoDerivedKeyGenerator';
import { nexoDecrypt, nexoKey, type NexoSecured } from '../../../nodes/core/sources/nexo-crypto';

/**
 * The pack decrypts and checks nexo messages itself (sources/nexo-crypto.ts); Adyen's own NexoSecurityManager is
 * the witness: the same keys from the same passphrase, and the same plaintext, byte for byte, from every message
 * the library encrypts — and a refusal wherever the library refuses.
 */

const PASSPHRASES = ['bench terminal passphrase', 'P@ssw0rd123456', 'correct horse battery staple', 'Pässwörd façade ½', '密码 with 😀 beyond Latin-1'];

const manager = (passphrase: string) => new NexoSecurityManager({ keyIdentifier: 'KeyId', passphrase, keyVersion: 1, adyenCryptoVersion: 1 });

type Secured = ReturnType<NexoSecurityManager['encrypt']>;
const securedOf = (m: Secured): NexoSecured => ({ blob: m.NexoBlob, nonce: m.SecurityTrailer.Nonce, hmac: m.SecurityTrailer.Hmac });

/** Messages of many lengths (AES blocks end on and off a 16-byte boundary), ASCII and not. */
function messages(): string[] {
  const out: string[] = [];
  for (let n = 0; n < 70; n++) out.push(JSON.stringify({ SaleToPOIResponse: { PaymentResponse: { note: 'x'.repeat(n) } } }));
  out.push(JSON.stringify({ SaleToPOIResponse: { PaymentResponse: { Response: { Result: 'Success', AdditionalResponse: 'cardHolderName=J%C3%BCrgen' }, name: 'Jürgen Müller 😀' } } }));
  out.push('');
  out.push(JSON.stringify({ big: randomBytes(3000).toString('base64') }));
  return out;
}

const header = { MessageCategory: 'Payment', MessageClass: 'Service', MessageType: 'Response', POIID: 'V400m-1', ProtocolVersion: '3.0', SaleID: 'POS', ServiceID: '1' };

describe('nexo crypto: the same as Adyen\'s NexoSecurityManager', () => {
  for (const passphrase of PASSPHRASES) {
    it(`derives the library's HMAC key, AES key and IV from "${passphrase}"`, () => {
      const ours = nexoKey(passphrase);
      const theirs = deriveKeyMaterial(passphrase);
      assert.deepEqual(ours.hmacKey.export(), Buffer.from(theirs.hmacKey));
      assert.deepEqual(ours.cipherKey.export(), Buffer.from(theirs.cipherKey));
      assert.deepEqual(ours.iv, Buffer.from(theirs.iv));
    });

    it(`decrypts every message the library encrypts under "${passphrase}" to the library's plaintext, byte for byte`, () => {
      const m = manager(passphrase);
      for (const text of messages()) {
        const secured = m.encrypt(text, header as never);
        const plaintext = nexoDecrypt(nexoKey(passphrase), securedOf(secured));
        assert.ok(plaintext, `length ${text.length}`);
        assert.deepEqual(plaintext, Buffer.from(text, 'utf8'));
        assert.equal(plaintext.toString('utf8'), m.decrypt(secured));
      }
    });
  }

  it('refuses what the library refuses: another passphrase, a changed blob, HMAC or nonce, a short nonce, an HMAC of another length', () => {
    const m = manager('correct horse battery staple');
    const key = nexoKey('correct horse battery staple');
    const secured = m.encrypt(messages()[70]!, header as never);
    const blob = Buffer.from(secured.NexoBlob, 'base64');
    const flip = (b: Buffer, i: number) => {
      const c = Buffer.from(b);
      c[i] = c[i]! ^ 1;
      return c.toString('base64');
    };
    const cases: [string, Secured][] = [
      ['another blob byte', { ...secured, NexoBlob: flip(blob, 5) }],
      ['the last block changed (padding)', { ...secured, NexoBlob: flip(blob, blob.length - 1) }],
      ['a truncated blob', { ...secured, NexoBlob: blob.subarray(0, blob.length - 3).toString('base64') }],
      ['another HMAC', { ...secured, SecurityTrailer: { ...secured.SecurityTrailer, Hmac: flip(Buffer.from(secured.SecurityTrailer.Hmac, 'base64'), 0) } }],
      ['a short HMAC', { ...secured, SecurityTrailer: { ...secured.SecurityTrailer, Hmac: Buffer.from(secured.SecurityTrailer.Hmac, 'base64').subarray(0, 16).toString('base64') } }],
      ['another nonce', { ...secured, SecurityTrailer: { ...secured.SecurityTrailer, Nonce: flip(Buffer.from(secured.SecurityTrailer.Nonce, 'base64'), 3) } }],
      ['a short nonce', { ...secured, SecurityTrailer: { ...secured.SecurityTrailer, Nonce: randomBytes(8).toString('base64') } }],
    ];
    for (const [label, tampered] of cases) {
      assert.throws(() => m.decrypt(tampered), `the library accepts ${label}`);
      assert.equal(nexoDecrypt(key, securedOf(tampered)), undefined, label);
    }
    assert.throws(() => manager('Tr0ub4dor&3').decrypt(secured));
    assert.equal(nexoDecrypt(nexoKey('Tr0ub4dor&3'), securedOf(secured)), undefined);
  });

  it('a refused message leaves nothing behind: the messages after it decrypt as before (the AES key is shared between messages)', () => {
    const m = manager('correct horse battery staple');
    const key = nexoKey('correct horse battery staple');
    const good = m.encrypt(messages()[70]!, header as never);
    const blob = Buffer.from(good.NexoBlob, 'base64');
    const partial = { ...good, NexoBlob: Buffer.concat([blob, Buffer.from([1, 2, 3])]).toString('base64') };
    const badPadding = { ...good, NexoBlob: Buffer.concat([blob, blob.subarray(0, 16)]).toString('base64') };
    for (const bad of [partial, badPadding, { ...good, NexoBlob: '' }]) {
      assert.throws(() => m.decrypt(bad));
      assert.equal(nexoDecrypt(key, securedOf(bad)), undefined);
      assert.equal(nexoDecrypt(key, securedOf(good))?.toString('utf8'), m.decrypt(good));
    }
  });
});
