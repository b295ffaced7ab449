import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { currencyExponent, EXPONENT_OVERRIDES } from '../../../nodes/core/contracts/money';
import { ADYEN_EXPONENTS } from '../../../nodes/core/sources/adyen-money';
import { STRIPE_EXPONENTS } from '../../../nodes/core/sources/processor-money';
import { PROCESSOR_AMOUNT_RULES, processorAmount, vendorAmount } from '../../../nodes/core/terminal-push/vendor-amounts';

const { stripe, square, adyen } = PROCESSOR_AMOUNT_RULES;
/** processorAmount for ISO minor units of a currency, its ISO exponent looked up as the adapters look it up. */
const of = (minor: number, currency: string, rules = stripe) => processorAmount(minor, currency, currencyExponent(currency), rules);
const faultOf = (minor: number, currency: string, rules = stripe) => {
  const r = of(minor, currency, rules);
  return 'fault' in r ? r.fault : undefined;
};

describe('what a processor can charge (processorAmount, PROCESSOR_AMOUNT_RULES)', () => {
  it('reads the exponent tables as data: Stripe\'s and Adyen\'s own, Square none', () => {
    assert.equal(stripe.exponents, STRIPE_EXPONENTS);
    assert.equal(adyen.exponents, ADYEN_EXPONENTS);
    assert.deepEqual(square.exponents, {});
  });

  it("converts ISO minor units to Stripe's, refusing what would lose digits", () => {
    assert.deepEqual(of(1500, 'ISK'), { value: 150000, decimal: '1500', exponent: 2 });
    assert.deepEqual(of(1500, 'MGA'), { value: 15, decimal: '15', exponent: 0 });
    assert.deepEqual(of(1550, 'MGA'), { fault: 'finer', exponent: 0, step: 100 });
    assert.deepEqual(of(50, 'MGA'), { fault: 'finer', exponent: 0, step: 100 });
    assert.deepEqual(of(1500, 'JPY'), { value: 1500, decimal: '1500', exponent: 0 });
    assert.deepEqual(of(1250, 'UGX'), { value: 125000, decimal: '1250', exponent: 2 }, 'UGX: no decimals in ISO 4217, two (always 00) at Stripe, as ISK');
    assert.deepEqual(of(1234, 'HUF'), { value: 1234, decimal: '12.34', exponent: 2 }, 'HUF: ISO 4217, as STRIPE_EXPONENTS has no rule of its own');
    assert.deepEqual(of(1234, 'TWD'), { value: 1234, decimal: '12.34', exponent: 2 }, 'TWD likewise');
    assert.deepEqual(of(90071992547409, 'ISK'), { value: 9007199254740900, decimal: '90071992547409', exponent: 2 });
    assert.deepEqual(of(90071992547410, 'ISK'), { fault: 'too large', exponent: 2, step: 1 }, 'ISK in hundredths past 2^53');
  });

  it("keeps Stripe's three-decimal rule: BHD, JOD, KWD, OMR, TND (and IQD, LYD, three decimals by ISO) end in 0", () => {
    for (const currency of ['BHD', 'JOD', 'KWD', 'OMR', 'TND', 'IQD', 'LYD']) {
      assert.deepEqual(of(12345, currency), { fault: 'finer', exponent: 3, step: 10 }, currency);
      assert.deepEqual(of(12340, currency), { value: 12340, decimal: '12.34', exponent: 3 }, currency);
      assert.deepEqual(of(12345, currency, adyen), { value: 12345, decimal: '12.345', exponent: 3 }, `${currency} at Adyen`);
      assert.deepEqual(of(12345, currency, square), { value: 12345, decimal: '12.345', exponent: 3 }, `${currency} at Square`);
    }
  });

  it("keeps Adyen's table (IDR and CVE without decimals, CLP and ISK with two, MGA by ISO) and its JSON number", () => {
    assert.deepEqual(of(1050, 'IDR', adyen), { fault: 'finer', exponent: 0, step: 100 });
    assert.deepEqual(of(1000, 'IDR', adyen), { value: 10, decimal: '10', exponent: 0 });
    assert.deepEqual(of(1050, 'CVE', adyen), { fault: 'finer', exponent: 0, step: 100 });
    assert.deepEqual(of(1500, 'CLP', adyen), { value: 150000, decimal: '1500', exponent: 2 });
    assert.deepEqual(of(1250, 'MGA', adyen), { value: 1250, decimal: '12.5', exponent: 2 });
    assert.deepEqual(of(1010, 'EUR', adyen), { value: 1010, decimal: '10.1', exponent: 2 });
    assert.deepEqual(of(5, 'USD', adyen), { value: 5, decimal: '0.05', exponent: 2 });
    assert.deepEqual(of(2000, 'EUR', adyen), { value: 2000, decimal: '20', exponent: 2 });
    assert.deepEqual(of(1, 'CLF', adyen), { value: 1, decimal: '0.0001', exponent: 4 });
    // A decimal past what a double keeps is another number in JSON; 15 digits always read back.
    assert.equal(faultOf(9007199254740991, 'USD', adyen), 'too many digits');
    assert.equal(faultOf(9007199254740991, 'KWD', adyen), 'too many digits');
    assert.equal(faultOf(999999999999999, 'USD', adyen), undefined);
    assert.equal(faultOf(9007199254740991, 'USD', stripe), undefined, 'Stripe takes whole minor units: no JSON decimal');
  });

  it('stands alone (the Node-RED dialog runs its compiled source with the tables as JSON)', () => {
    const alone = new Function(`return (${processorAmount.toString()})`)() as typeof processorAmount;
    const currencies = ['USD', 'MGA', 'ISK', 'HUF', 'TWD', 'UGX', 'IDR', 'CLP', ...Object.keys(EXPONENT_OVERRIDES)];
    for (const rules of Object.values(PROCESSOR_AMOUNT_RULES)) {
      const asJson = JSON.parse(JSON.stringify(rules)) as typeof rules;
      for (const currency of currencies) {
        for (const minor of [1, 5, 10, 50, 100, 1250, 1255, 12345, 90071992547410, 9007199254740991]) {
          assert.deepEqual(alone(minor, currency, currencyExponent(currency), asJson), of(minor, currency, rules), `${minor} ${currency}`);
        }
      }
    }
  });
});

describe('a refused amount at run time (vendorAmount): the field and what to type instead', () => {
  it('names the processor, the currency\'s step and the amounts either side, as typed and in minor units', () => {
    assert.deepEqual(vendorAmount('stripe', { minor: 1250, currency: 'MGA' }), {
      problem: '12.50 MGA cannot be charged exactly: Stripe charges MGA with no decimals, so MGA amounts go in steps of 1 MGA',
      fix: 'Type 12 or 13 MGA instead (1200 or 1300 in minor units), rounding the price in the CRM, and push again.',
    });
    assert.deepEqual(vendorAmount('stripe', { minor: 50, currency: 'MGA' }), {
      problem: '0.50 MGA cannot be charged exactly: Stripe charges MGA with no decimals, so MGA amounts go in steps of 1 MGA',
      fix: 'Type 1 MGA instead (100 in minor units), rounding the price in the CRM, and push again.',
    }, 'no 0 to suggest');
    assert.deepEqual(vendorAmount('stripe', { minor: 12345, currency: 'KWD' }), {
      problem: '12.345 KWD cannot be charged exactly: Stripe writes KWD with 3 decimals and its amounts must end in 0, so KWD amounts go in steps of 0.01 KWD',
      fix: 'Type 12.34 or 12.35 KWD instead (12340 or 12350 in minor units), rounding the price in the CRM, and push again.',
    });
    assert.deepEqual(vendorAmount('adyen', { minor: 1050, currency: 'IDR' }), {
      problem: '10.50 IDR cannot be charged exactly: Adyen charges IDR with no decimals, so IDR amounts go in steps of 1 IDR',
      fix: 'Type 10 or 11 IDR instead (1000 or 1100 in minor units), rounding the price in the CRM, and push again.',
    });
    assert.deepEqual(vendorAmount('stripe', { minor: 90071992547410, currency: 'ISK' }), {
      problem: '90071992547410 ISK is more than Stripe can charge in ISK',
      fix: 'Type at most 90071992547409 ISK (90071992547409 in minor units).',
    });
    assert.deepEqual(vendorAmount('adyen', { minor: 9007199254740991, currency: 'USD' }), {
      problem: '90071992547409.91 USD has more digits than the JSON number Adyen reads keeps exactly',
      fix: 'Type an amount of at most 15 digits.',
    });
    assert.deepEqual(vendorAmount('square', { minor: 12345, currency: 'KWD' }), { value: 12345, decimal: '12.345', exponent: 3 });
  });
});
