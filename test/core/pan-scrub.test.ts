import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { luhnValid, PAN_REDACTION, PIN_REDACTION, scrubPan, scrubStrings, SECURITY_CODE_REDACTION } from '../../nodes/core/pan-scrub';

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

  it('redacts a card number typed after another number, set off by a space or a dash, and leaves that number', () => {
    assert.equal(scrubPan('ref 7 4242424242424242'), `ref 7 ${PAN_REDACTION}`);
    assert.equal(scrubPan('order 12-4242424242424242 paid'), `order 12-${PAN_REDACTION} paid`);
    assert.equal(scrubPan('deal-8-4000056655665556'), `deal-8-${PAN_REDACTION}`);
    assert.equal(scrubPan('till 3 4242 4242 4242 4242 ok'), `till 3 ${PAN_REDACTION} ok`);
    assert.equal(scrubPan('4242424242424242 7'), `${PAN_REDACTION} 7`);
    assert.equal(scrubPan('98 76 5555 5555 5555 4444'), `98 76 ${PAN_REDACTION}`);
    assert.equal(scrubPan('tel 555 0100 4242 4242 4242 4242'), `tel 555 0100 ${PAN_REDACTION}`);
    assert.equal(scrubPan('ref 7 4000056655665556=25121010000012300000? x'), `ref 7 ${PAN_REDACTION} x`);
  });

  it('leaves a longer run alone when no whole groups of it make a card number', () => {
    for (const text of ['ref 12-4242424242424241', 'ref 74242424242424242', '1234 5678 9012 3456 7890 1']) {
      assert.equal(scrubPan(text), text);
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

  it('redacts the digits of a security code or PIN typed after its name, and keeps the rest of the note', () => {
    const C = SECURITY_CODE_REDACTION;
    const P = PIN_REDACTION;
    const cases: [string, string][] = [
      ['card 4242 4242 4242 4242 exp 12/29 cvv 123', `card ${PAN_REDACTION} exp 12/29 cvv ${C}`],
      ['CVC: 0123', `CVC: ${C}`],
      ['security code 456', `security code ${C}`],
      ['Security-Code is 4567, thanks', `Security-Code is ${C}, thanks`],
      ['card verification value: 999', `card verification value: ${C}`],
      ['Card Verification Number=321', `Card Verification Number=${C}`],
      ['cvv2 123 / cvc2#456 / CID - 1234 / csc=789 / CAV2 (012) / cvn "345"', `cvv2 ${C} / cvc2#${C} / CID - ${C} / csc=${C} / CAV2 (${C}) / cvn "${C}"`],
      ['CVV2/CVC2: 123', `CVV2/CVC2: ${C}`],
      ['cvv code 123, cvv number: 456, cvv no. 789', `cvv code ${C}, cvv number: ${C}, cvv no. ${C}`],
      ['cvv123 and cvv2123', `cvv${C} and cvv${C}`],
      ['cvv123', `cvv${C}`],
      ['cvv was 123.', `cvv was ${C}.`],
      ['PIN 1234', `PIN ${P}`],
      ['pin: 123456', `pin: ${P}`],
      ['customer said her pin code is 9876 twice', `customer said her pin code is ${P} twice`],
      ['PIN number #0000', `PIN number #${P}`],
      ['pin-12345678', `pin-${P}`],
      ['exp 12/29 cvv 987, PIN 4321', `exp 12/29 cvv ${C}, PIN ${P}`],
      ['Ana (cvv 123)', `Ana (cvv ${C})`],
      // Said to be one, though no card's: the text cannot tell, and a code kept is the worse mistake.
      ['CID: 1234', `CID: ${C}`],
    ];
    for (const [text, scrubbed] of cases) assert.equal(scrubPan(text), scrubbed, text);
    // Scrubbing again changes nothing: the redaction has no digits.
    for (const [, scrubbed] of cases) assert.equal(scrubPan(scrubbed), scrubbed);
  });

  it('leaves a name inside a word or an id, a name followed by another word, and numbers no code is', () => {
    for (const text of [
      'pin pad 2', 'PIN pad 12345', 'spinach 123', 'CID-less payment 1234', 'CVV-less', 'cvv fee 3.50', 'cvv 123.50', 'cvv 1,234',
      'reader-cid-5678', 'tmr_cvv1234', 'cid_1234', 'PIN entered 1234', 'cvv 12', 'cvv 12345', 'pin 123', 'pin 1234567890123',
      'pin 1234-5678', 'cvv 123/456', 'pin-1234@example.com', 'Épinal 88000', 'pinch of salt 100g', 'cidade 1234', 'security 1234',
      'verification 123', 'cvv 123abc', 'no cvv, no pin', 'cvv 12/29',
    ]) {
      assert.equal(scrubPan(text), text, text);
    }
  });

  it('drops fields named as a security code, whatever the spelling', () => {
    const out = scrubStrings({ csc: '123', cvn2: '123', cav2: '123', security_code: '123', cardSecurityCode: '123', card_verification_value: '123', cvc_check: 'pass' });
    assert.deepEqual(out, { cvc_check: 'pass' });
  });

  it('leaves UUIDs whole, even when their digits around the dashes pass the Luhn check, and still scrubs beside them', () => {
    const id = 'square:c2556452-1940-45eb-b385-0b716e316621';
    assert.equal(scrubPan(id), id);
    assert.equal(scrubPan(`${id} card 4111 1111 1111 1111`), `${id} card ${PAN_REDACTION}`);
    // A UUID after a PIN's name is an id, and stays whole; a PIN beside one goes.
    assert.equal(scrubPan('pin 12345678-abcd-45eb-b385-0b716e316621'), 'pin 12345678-abcd-45eb-b385-0b716e316621');
    assert.equal(scrubPan(`${id} pin 1234`), `${id} pin ${PIN_REDACTION}`);
  });
});
