import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEAL_OUTCOME, decimalNumber, decimalText, netPaid } from '../../../../nodes/core/crm/saas/payment-state';

describe('payment state as every CRM shows it', () => {
  it('nets refunds in the payment currency only, never below zero', () => {
    assert.deepEqual(netPaid({ amount: { minor: 5000, currency: 'USD' }, refunded: { minor: 1500, currency: 'USD' } }), { minor: 3500, currency: 'USD' });
    assert.deepEqual(netPaid({ amount: { minor: 5000, currency: 'USD' }, refunded: { minor: 9000, currency: 'USD' } }), { minor: 0, currency: 'USD' });
    assert.deepEqual(netPaid({ amount: { minor: 5000, currency: 'USD' }, refunded: { minor: 100, currency: 'EUR' } }), { minor: 5000, currency: 'USD' });
  });

  it('writes amounts from their digits in each currency exponent, so 19.99 stays 19.99', () => {
    assert.deepEqual(
      [decimalText({ minor: 5, currency: 'USD' }), decimalText({ minor: 1200, currency: 'JPY' }), decimalText({ minor: 1250, currency: 'KWD' }), decimalText({ minor: 150000, currency: 'MGA' })],
      ['0.05', '1200', '1.250', '1500.00'],
    );
    assert.equal(decimalNumber({ minor: 1999, currency: 'USD' }), 19.99);
    // A credit written as a negative amount keeps its sign in front of the digits, not inside them ("0.-5").
    assert.deepEqual([decimalText({ minor: -5, currency: 'USD' }), decimalText({ minor: -1250, currency: 'KWD' }), decimalText({ minor: -1200, currency: 'JPY' })], ['-0.05', '-1.250', '-1200']);
    assert.equal(decimalNumber({ minor: 12345, currency: 'CLF' }), 1.2345);
  });

  it('counts what the customer still paid for as won, refunded or failed as lost', () => {
    assert.deepEqual([DEAL_OUTCOME.partially_refunded, DEAL_OUTCOME.disputed, DEAL_OUTCOME.refunded, DEAL_OUTCOME.pending], ['won', 'won', 'lost', 'open']);
  });
});
