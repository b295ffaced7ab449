import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cardholderName } from '../../../nodes/core/sources/cardholder-name';

describe('cardholder name: what a card carries, read as a CRM shows a person', () => {
  it('reads ISO 7813 "SURNAME/GIVEN" as "GIVEN SURNAME", dropping the title and padding', () => {
    assert.equal(cardholderName('DOE/JANE'), 'JANE DOE');
    assert.equal(cardholderName('  MÜLLER/JÜRGEN  '), 'JÜRGEN MÜLLER');
    assert.equal(cardholderName('SMITH/JOHN A.MR'), 'JOHN A SMITH');
    assert.equal(cardholderName('O\'NEIL/MARY.DR'), 'MARY O\'NEIL');
    assert.equal(cardholderName('DE LA CRUZ   /ANA   MARIA'), 'ANA MARIA DE LA CRUZ');
  });

  it('keeps a name written as people write it, with its runs of blanks made one space', () => {
    assert.equal(cardholderName('Ana  María López'), 'Ana María López');
    assert.equal(cardholderName('Jane Card'), 'Jane Card');
    assert.equal(cardholderName('ST. JOHN/MARY'), 'MARY ST. JOHN');
  });

  it('reads the placeholders issuers and readers put on nameless cards as no name', () => {
    for (const placeholder of ['VISA CARDHOLDER', 'CARDHOLDER/VISA', 'VALUED CUSTOMER', 'Valued Cardholder', 'GIFT CARD', 'PREPAID CARD', 'INSTANT ISSUE', 'N/A', 'n/a', 'NO NAME', ' /', '/', '   ', '12345', 'MASTERCARD/DEBIT']) {
      assert.equal(cardholderName(placeholder), undefined, placeholder);
    }
  });

  it('reads anything but text as no name', () => {
    for (const v of [undefined, null, 42, {}, ['DOE/JANE']]) assert.equal(cardholderName(v), undefined);
  });
});
