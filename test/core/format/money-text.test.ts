import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decimalOfMinor, moneyText } from '../../../nodes/core/format/money-text';

const NBSP = '\u00a0';

describe('moneyText: minor units as the currency writes them', () => {
  it('uses the ISO 4217 exponent: 0 for JPY and KRW, 2 for USD and EUR, 3 for KWD, BHD and JOD', () => {
    assert.equal(moneyText({ minor: 1200, currency: 'JPY' }), '¥1,200');
    assert.equal(moneyText({ minor: 15000, currency: 'KRW' }), '₩15,000');
    assert.equal(moneyText({ minor: 4200, currency: 'USD' }), '$42.00');
    assert.equal(moneyText({ minor: 5, currency: 'EUR' }), '€0.05');
    assert.equal(moneyText({ minor: 1250, currency: 'KWD' }), `KWD${NBSP}1.250`);
    assert.equal(moneyText({ minor: 7, currency: 'BHD' }), `BHD${NBSP}0.007`);
    assert.equal(moneyText({ minor: 100_000, currency: 'jod' }), `JOD${NBSP}100.000`);
  });

  it("follows the pack's exponent where a locale's habit differs (ISK has none), and the locale's symbols and separators", () => {
    assert.equal(moneyText({ minor: 1500, currency: 'ISK' }), `ISK${NBSP}1,500`);
    assert.equal(moneyText({ minor: 123_456, currency: 'EUR' }, { locale: 'de-DE' }), `1.234,56${NBSP}€`);
    assert.equal(moneyText({ minor: 1200, currency: 'JPY' }, { locale: 'ja-JP' }), '￥1,200');
  });

  it('keeps every digit of amounts too large for a double divided by 100', () => {
    assert.equal(decimalOfMinor(Number.MAX_SAFE_INTEGER, 2), '90071992547409.91');
    assert.notEqual(String(Number.MAX_SAFE_INTEGER / 100), '90071992547409.91', 'dividing would not');
    assert.equal(moneyText({ minor: 9_007_199_254_740_991, currency: 'USD' }), '$90,071,992,547,409.91');
    assert.equal(decimalOfMinor(5, 3), '0.005');
    assert.equal(decimalOfMinor(-1250, 2), '-12.50');
  });

  it('names the field and the fix for a locale the runtime does not know', () => {
    assert.throws(() => moneyText({ minor: 1, currency: 'USD' }, { locale: 'not a locale!' }), /^InputError: locale: "not a locale!" is not a locale.*Fix: use a BCP 47 tag/);
    // Well-formed, but no locale data answers to it: refused rather than formatted in the runtime's default.
    assert.throws(() => moneyText({ minor: 1, currency: 'USD' }, { locale: 'klingon' }), /^InputError: locale: "klingon" is not a locale this runtime knows/);
  });
});
