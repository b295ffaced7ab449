import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError } from '../../../nodes/core/errors';
import { saleFromFields, type SaleFields } from '../../../nodes/core/terminal-push/sale-fields';
import { inPlaceTerms } from '../../../nodes/core/terminal-push/settings-error';
import { parsePushSettings } from '../../../nodes/core/terminal-push/push-settings';

const fields = (over: SaleFields = {}): SaleFields => ({ readerId: 'tmr_1', currency: 'USD', customerId: 'cus_A', reference: 'deal-1', amount: '12.50', ...over });
const amountOf = (over: SaleFields) => {
  const r = saleFromFields('stripe', fields(over));
  return 'sale' in r ? r.sale.amount : r.rejected;
};

describe('a sale from form fields and message properties', () => {
  it('converts a typed price from its digits, by the currency\'s exponent, never through a float', () => {
    assert.deepEqual(amountOf({ amount: '12.50' }), { minor: 1250, currency: 'USD' });
    assert.deepEqual(amountOf({ amount: '0.1' }), { minor: 10, currency: 'USD' });
    assert.deepEqual(amountOf({ amount: ' 1500 ', currency: 'jpy' }), { minor: 1500, currency: 'JPY' });
    assert.deepEqual(amountOf({ amount: '1.250', currency: 'KWD' }), { minor: 1250, currency: 'KWD' });
    assert.deepEqual(amountOf({ amount: 19.99 }), { minor: 1999, currency: 'USD' }, 'a number from an expression');
    assert.deepEqual(amountOf({ amount: 1250, amountUnit: 'minor' }), { minor: 1250, currency: 'USD' });
    assert.deepEqual(amountOf({ amount: '1250', amountUnit: 'minor' }), { minor: 1250, currency: 'USD' });
    assert.deepEqual(amountOf({ amount: '12.50', amountUnit: '' }), { minor: 1250, currency: 'USD' }, 'an empty unit is the default');
  });

  it('refuses what it would have to guess or round, naming the field', () => {
    const refused = (over: SaleFields, field: string, pattern: RegExp) => {
      const r = saleFromFields('stripe', fields(over));
      assert.ok('rejected' in r, JSON.stringify(over));
      assert.equal(r.rejected.outcome, 'rejected');
      assert.equal((r.rejected as { field: string }).field, field);
      assert.match(r.rejected.message, pattern);
    };
    refused({ amount: '12,50' }, 'amount', /"12,50" is not a price.*12\.50/);
    refused({ amount: '$12.50' }, 'amount', /not a price/);
    refused({ amount: '-5' }, 'amount', /not a price/);
    refused({ amount: 0.1 + 0.2 }, 'amount', /more decimals than USD has \(2\)/);
    refused({ amount: '12.5', currency: 'JPY' }, 'amount', /more decimals than JPY has \(0\)/);
    refused({ amount: '' }, 'amount', /is empty/);
    refused({ amount: 12.5, amountUnit: 'minor' }, 'amount', /not a whole number of minor units/);
    refused({ currency: 'dollars' }, 'currency', /three-letter ISO 4217/);
    refused({ amountUnit: 'cents' }, 'amountUnit', /"cents" is not a unit/);
  });

  it('trims text, takes ids given as numbers, and leaves out empty optional fields', () => {
    const r = saleFromFields('square', { readerId: ' dev-1 ', amount: '5', currency: 'EUR', customerId: 'cus_B', crmRecordId: 9001, reference: 'r-1', description: '' });
    assert.deepEqual(r, { sale: { amount: { minor: 500, currency: 'EUR' }, readerId: 'dev-1', customerId: 'cus_B', reference: 'r-1', crmRecordId: '9001' } });
  });

  it('re-addresses a settings error to where the operator keeps the setting', () => {
    let caught: unknown;
    try {
      parsePushSettings('stripe', { secretKey: '' });
    } catch (e) {
      caught = inPlaceTerms(e, { name: 'Stripe account', labels: { secretKey: 'Secret key' }, fix: (l) => `fill in ${l}` });
    }
    assert.ok(caught instanceof InputError);
    assert.equal(caught.message, 'Stripe account → Secret key: the stripe terminal push settings are not usable: no Stripe secret key is set. Fix: fill in Secret key');
    const other = new Error('boom');
    assert.equal(inPlaceTerms(other, { name: 'x', labels: {}, fix: () => '' }), other);
  });
});
