import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { luhnValid, PAN_REDACTION, scrubPan, scrubStrings } from '../../../nodes/core/tokenize/pan-scrub';

describe('PAN scrubbing', () => {
  it('knows valid and invalid Luhn numbers', () => {
    assert.equal(luhnValid('4242424242424242'), true);
    assert.equal(luhnValid('4242424242424241'), false);
    assert.equal(luhnValid('378282246310005'), true); // Amex, 15 digits
  });

  it('redacts Luhn-valid runs of 13–19 digits, plain, spaced or dashed', () => {
    for (const pan of ['4242424242424242', '4242 4242 4242 4242', '4242-4242-4242-4242', '378282246310005', '6011 1111 1111 1117', '4222222222222']) {
      assert.equal(scrubPan(`paid with ${pan}.`), `paid with ${PAN_REDACTION}.`, pan);
    }
  });

  it('leaves order numbers, phone numbers and short runs alone', () => {
    for (const text of ['order 4242424242424241', 'call +1 415 555 0100', 'ref 123456789012', '20-digit 42424242424242424242']) {
      assert.equal(scrubPan(text), text);
    }
  });

  it('finds a PAN inside track data and drops fields that are secrets by name', () => {
    const out = scrubStrings({ track2: ';4242424242424242=29121010000000000000?', cvc: '123', note: '%B4242424242424242^DIAZ/ANA^2912101', nested: [{ pin_block: 'AB12' }] });
    assert.deepEqual(out, { note: `%B${PAN_REDACTION}`, nested: [{}] });
  });

  it("takes a track's rest (expiry, service code, discretionary data) with its card number, and only then", () => {
    assert.equal(scrubPan('swiped ;4000056655665556=25121010000012300000? at till 2'), `swiped ;${PAN_REDACTION} at till 2`);
    assert.equal(scrubPan('%B4000056655665556^DIAZ/ANA^25121010000012300000?'), `%B${PAN_REDACTION}`);
    // Not a card number: what follows it stays, and is scrubbed as any text is.
    assert.equal(scrubPan('order 1234567890123=2512 paid'), 'order 1234567890123=2512 paid');
    assert.equal(scrubPan('order 1234567890123=4000056655665556'), `order 1234567890123=${PAN_REDACTION}`);
    assert.equal(scrubPan('card=4000056655665556&x=1'), `card=${PAN_REDACTION}&x=1`);
  });

  it('leaves UUIDs whole, even when their digits around the dashes pass the Luhn check, and still scrubs beside them', () => {
    const id = 'square:c2556452-1940-45eb-b385-0b716e316621';
    assert.equal(scrubPan(id), id);
    assert.equal(scrubPan(`${id} card 4111 1111 1111 1111`), `${id} card ${PAN_REDACTION}`);
  });
});
