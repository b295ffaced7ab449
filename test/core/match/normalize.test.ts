import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileEmailRules } from '../../../nodes/core/match/email-providers';
import { normalizeDateOfBirth, normalizePostalCode, normalizeStreet, personName } from '../../../nodes/core/match/normalize-fields';
import { canonicalEmail, normalizePhone } from '../../../nodes/core/match/normalize-keys';

describe('normalizing what people and terminals write', () => {
  it('reduces an email to the mailbox it delivers to, provider by provider', () => {
    assert.equal(canonicalEmail(' John.Smith+Receipts@GMAIL.com '), 'johnsmith@gmail.com');
    assert.equal(canonicalEmail('john.smith@googlemail.com'), 'johnsmith@gmail.com');
    assert.equal(canonicalEmail('john.smith+x@outlook.com'), 'john.smith@outlook.com', 'Outlook drops +tags but keeps dots');
    assert.equal(canonicalEmail('john.smith+x@example.com'), 'john.smith+x@example.com', 'unknown domains keep what they were given');
    assert.equal(canonicalEmail('john+x@shop.example', compileEmailRules({ plusTagDomains: ['shop.example'] })), 'john@shop.example');
    assert.equal(canonicalEmail('not an email'), undefined);
  });

  it('takes no placeholder mailbox for a key: it names nobody, and would join everyone who gave no address', () => {
    for (const none of ['NoReply@shop.example', 'no-reply@shop.example', 'do_not_reply@shop.example', 'no.email@gmail.com', 'noemail+till2@gmail.com', 'none@none.com', 'unknown@example.com']) {
      assert.equal(canonicalEmail(none), undefined, none);
    }
    assert.equal(canonicalEmail('noreen@example.com'), 'noreen@example.com');
    assert.equal(canonicalEmail('nonez@example.com'), 'nonez@example.com');
  });

  it('takes an accented letter, composed or not, and a domain in Unicode or in its xn-- spelling, as one mailbox', () => {
    const composed = canonicalEmail('Jos\u00e9@Caf\u00e9.example');
    assert.equal(composed, 'jos\u00e9@caf\u00e9.example');
    assert.equal(canonicalEmail('jose\u0301@cafe\u0301.example'), composed, 'e + combining acute (NFD), as macOS keyboards send it');
    assert.equal(canonicalEmail('jos\u00e9@xn--caf-dma.example'), composed, 'the domain as DNS writes it');
    assert.equal(canonicalEmail('J\u00f6rg@XN--MNCHEN-3YA.DE'), canonicalEmail('jörg@münchen.de'));
    assert.equal(canonicalEmail('a.b@xn--invalid--.com'), 'a.b@xn--invalid--.com', 'a domain IDNA refuses is kept as written');
  });

  it('writes phone numbers as E.164 with a configurable default region, and refuses what is not a number', () => {
    for (const written of ['(415) 555-0199', '415.555.0199', '+1 415 555 0199', '1-415-555-0199', '4155550199']) {
      assert.equal(normalizePhone(written, 'US'), '+14155550199', written);
    }
    assert.equal(normalizePhone('020 7946 0958', 'GB'), '+442079460958');
    assert.equal(normalizePhone('+44 20 7946 0958', 'US'), '+442079460958');
    assert.equal(normalizePhone('030 1234567', 'DE'), '+49301234567');
    assert.equal(normalizePhone('12', 'US'), undefined);
    // no line has these (libphonenumber: not valid), however the North American shortcut reads them
    for (const none of ['555-555-5555', '(555) 555-5555', '+1 555 555 5555', '222-222-2222', '(911) 555-0123']) {
      assert.equal(normalizePhone(none, 'US'), undefined, none);
    }
    assert.equal(normalizePhone('+1 555 555 5555', 'GB'), undefined);
    assert.equal(normalizePhone('(604) 555-0123', 'CA'), '+16045550123');
    assert.equal(normalizePhone('', 'US'), undefined);
  });

  it('splits names however they come: fields, full name, "Family, Given", the chip\'s FAMILY/GIVEN, titles, particles, other scripts', () => {
    assert.deepEqual(personName({ givenName: 'Mary Ann', familyName: 'Smith-Jones' }), { given: 'mary', family: 'smithjones' });
    assert.deepEqual(personName({ name: 'Dr. Ana María López Jr.' }), { given: 'ana', family: 'lopez' });
    assert.deepEqual(personName({ name: 'LOPEZ, Ana' }), { given: 'ana', family: 'lopez' });
    assert.deepEqual(personName({ name: 'JONES/BILL' }), { given: 'bill', family: 'jones' });
    assert.deepEqual(personName({ name: 'Ludwig van Beethoven' }), { given: 'ludwig', family: 'vanbeethoven' });
    assert.deepEqual(personName({ givenName: 'Дмитрий', familyName: 'Иванов' }), { given: 'dmitriy', family: 'ivanov' });
    assert.deepEqual(personName({ givenName: 'Jürgen', familyName: 'Müller' }), { given: 'jurgen', family: 'muller' });
    assert.deepEqual(personName({}), {});
  });

  it('reads dates of birth in the order the region writes them, and refuses impossible ones', () => {
    assert.equal(normalizeDateOfBirth('1985-03-07'), '1985-03-07');
    assert.equal(normalizeDateOfBirth('03/07/1985', true), '1985-03-07');
    assert.equal(normalizeDateOfBirth('03/07/1985', false), '1985-07-03');
    assert.equal(normalizeDateOfBirth('25/12/1990', true), '1990-12-25', 'a day above 12 settles the order');
    assert.equal(normalizeDateOfBirth('1990-13-01'), undefined);
    assert.equal(normalizeDateOfBirth('soon'), undefined);
  });

  it('makes postal codes and street abbreviations uniform', () => {
    assert.equal(normalizePostalCode('94110-1234'), '94110');
    assert.equal(normalizePostalCode('sw1a 1aa'), 'SW1A1AA');
    assert.equal(normalizeStreet('12 Oak Street'), normalizeStreet('12 oak st.'));
    assert.equal(normalizeStreet('Hauptstraße 5'), 'hauptstrasse 5');
  });
});
