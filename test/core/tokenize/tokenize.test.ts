import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keyProviderFromSpec } from '../../../nodes/core/tokenize/key-provider';
import { tokenize } from '../../../nodes/core/tokenize/tokenize';
import { normalizeStripeEvent } from '../../../nodes/core/sources/stripe-terminal';
import { chargeObject, stripeEvent } from '../../../sandbox/simulator/stripe-terminal-events';

const K1 = `k1:${'11'.repeat(32)}`;
const K2 = `k2:${'22'.repeat(32)}`;
const normalized = (fingerprint = 'fp_secret_ident', extra: Record<string, string> = {}) =>
  normalizeStripeEvent(stripeEvent('charge.succeeded', chargeObject({ amount: 100, card: { fingerprint, iin: '42424242' }, metadata: extra })));

describe('tokenize', () => {
  it('replaces the processor fingerprint with a keyed token that names its key', () => {
    const t = tokenize(normalized(), keyProviderFromSpec(K1));
    const id = t.card?.identity;
    assert.equal(id?.kind, 'token');
    assert.match(id!.value, /^ctok_k1_[A-Za-z0-9_-]{43}$/);
    assert.equal(id?.kind === 'token' && id.keyId, 'k1');
    assert.ok(!JSON.stringify(t).includes('fp_secret_ident'));
  });

  it('gives one card the same token every time and another card another token', () => {
    const keys = keyProviderFromSpec(K1);
    const a = tokenize(normalized('fpA'), keys).card?.identity?.value;
    assert.equal(tokenize(normalized('fpA'), keys).card?.identity?.value, a);
    assert.notEqual(tokenize(normalized('fpB'), keys).card?.identity?.value, a);
  });

  it('after a rotation, makes new tokens with the new key and carries the old-key token for matching', () => {
    const before = tokenize(normalized('fpA'), keyProviderFromSpec(K1)).card?.identity;
    const after = tokenize(normalized('fpA'), keyProviderFromSpec(`${K2},${K1}`)).card?.identity;
    assert.equal(after?.kind === 'token' && after.keyId, 'k2');
    assert.notEqual(after?.value, before?.value);
    assert.deepEqual(after?.kind === 'token' && after.previous, [before?.value]);
  });

  it('keeps only six BIN digits and last four, and is idempotent', () => {
    const keys = keyProviderFromSpec(K1);
    const once = tokenize(normalized(), keys);
    assert.equal(once.card?.bin, '424242');
    assert.equal(once.card?.last4, '4242');
    assert.deepEqual(tokenize(once, keys), once);
  });

  it('scrubs card numbers from every string field', () => {
    const e = normalized('fp', {});
    (e.metadata as Record<string, string>).memo = '5555 5555 5555 4444';
    (e.customerHints as Record<string, string>).name = 'Ana 4000056655665556';
    const t = tokenize(e, keyProviderFromSpec(K1));
    assert.ok(!/5555 5555|4000056655665556/.test(JSON.stringify(t)));
  });

  it('keeps the processor\'s ids whole even when a digit run in them passes the Luhn check, and scrubs the rest', () => {
    const e = normalized('fp', { memo: '5555 5555 5555 4444' });
    const ids = { id: 'stripe:evt_1Kill1796280951320N8n', paymentId: 'pi_14111111111111', refund: { id: 're_2026120300000017', cumulative: true } };
    const t = tokenize({ ...e, ...ids }, keyProviderFromSpec(K1));
    assert.deepEqual({ id: t.id, paymentId: t.paymentId, refund: t.refund }, ids);
    assert.equal(t.metadata.memo, '[redacted card number]');
  });

  it('rejects bad key settings with the field and the fix', () => {
    assert.throws(() => keyProviderFromSpec(''), /tokenKeys: no tokenization key.*openssl rand -hex 32/);
    assert.throws(() => keyProviderFromSpec('k1:abcd'), /tokenKeys: key "k1" is 2 bytes/);
    assert.throws(() => keyProviderFromSpec(`${K1},${K1}`), /appears twice/);
  });

  it('rejects input that is not a PaymentEvent and names the field', () => {
    assert.throws(() => tokenize({ hello: 'world' }, keyProviderFromSpec(K1)), /Tokenize input is not a valid PaymentEvent.*schemaVersion/);
  });
});
