import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePaymentEvent } from '../../../nodes/core/contracts/parse-payment-event';
import { InputError } from '../../../nodes/core/errors';

describe('parsePaymentEvent', () => {
  it('rejects a malformed event as an InputError naming the first bad field and the fix', () => {
    assert.throws(
      () => parsePaymentEvent({ schemaVersion: 1, id: 'evt_1' }, 'Match Customer input'),
      (e: unknown) => {
        assert.ok(e instanceof InputError);
        assert.equal(e.name, 'InputError');
        assert.equal(e.field, 'source');
        assert.match(e.message, /^source: Match Customer input is not a valid PaymentEvent v1 — source: .*\. Fix: feed this step the output of a Terminal Trigger/);
        return true;
      },
    );
  });

  it('names the step itself when the input is not an object at all', () => {
    assert.throws(() => parsePaymentEvent('hello', 'Tokenize input'), (e: unknown) => e instanceof InputError && e.field === 'Tokenize input');
  });
});
