import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PAN_REDACTION } from '../../../nodes/core/pan-scrub';
import { scrubError } from '../../../nodes/core/tokenize/scrub-error';

/** scrubError: an error on its way out of the pack (Temporal, n8n, Node-RED), scrubbed in place, whatever its class. */
const PAN = '4012888888881881';

describe('scrubError', { timeout: 10_000 }, () => {
  it('the message, the stack and each cause, in place: the same error, its class and own fields kept', () => {
    const cause = new Error(`card ${PAN}`);
    const e = Object.assign(new TypeError(`wrapped card ${PAN}`, { cause }), { status: 502 });
    assert.equal(scrubError(e), e);
    assert.ok(e instanceof TypeError);
    assert.deepEqual([e.message, cause.message, e.status], [`wrapped card ${PAN_REDACTION}`, `card ${PAN_REDACTION}`, 502]);
    assert.ok(!`${e.stack} ${cause.stack}`.includes(PAN));
  });

  it('a message a class defines as a getter is replaced by the scrubbed text', () => {
    class Quoting extends Error {
      override get message(): string {
        return `the processor answered: ${PAN}`;
      }
    }
    const e = scrubError(new Quoting());
    assert.equal(e.message, `the processor answered: ${PAN_REDACTION}`);
  });

  it('a frozen error is handed on as it is, never a TypeError about it', () => {
    const e = Object.freeze(new Error(`card ${PAN}`));
    assert.equal(scrubError(e), e);
  });

  it('a thrown string, scrubbed; anything else, as it is', () => {
    assert.equal(scrubError(`card ${PAN}`), `card ${PAN_REDACTION}`);
    assert.equal(scrubError(42), 42);
    assert.equal(scrubError(undefined), undefined);
  });
});
