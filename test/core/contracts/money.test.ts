import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatMoney } from '../../../nodes/core/contracts/money';

describe('formatMoney', () => {
  it("writes minor units at each currency's exponent", () => {
    assert.equal(formatMoney({ minor: 1234, currency: 'USD' }), '12.34 USD');
    assert.equal(formatMoney({ minor: 5, currency: 'EUR' }), '0.05 EUR');
    assert.equal(formatMoney({ minor: 1200, currency: 'JPY' }), '1200 JPY');
    assert.equal(formatMoney({ minor: 1250, currency: 'KWD' }), '1.250 KWD');
    assert.equal(formatMoney({ minor: 1, currency: 'CLF' }), '0.0001 CLF');
  });

  it('keeps the sign of a difference before its digits', () => {
    assert.equal(formatMoney({ minor: -5, currency: 'USD' }), '-0.05 USD');
    assert.equal(formatMoney({ minor: -1234, currency: 'USD' }), '-12.34 USD');
    assert.equal(formatMoney({ minor: -1200, currency: 'JPY' }), '-1200 JPY');
    assert.equal(formatMoney({ minor: -1, currency: 'KWD' }), '-0.001 KWD');
  });
});
