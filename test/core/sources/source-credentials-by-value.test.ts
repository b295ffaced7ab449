import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSourceCredentials } from '../../../nodes/core/sources/source-credentials';
import { stripeTerminalSource } from '../../../nodes/core/sources/stripe-terminal';
import { squareSource } from '../../../nodes/core/sources/square';

describe('parseSourceCredentials: records of the same fields parse alike, others never share a parse', () => {
  it('a new record with the fields of one parsed before gets the same parse', () => {
    const first = parseSourceCredentials(stripeTerminalSource, { signingSecret: [' whsec_a '] });
    const again = parseSourceCredentials(stripeTerminalSource, { signingSecret: [' whsec_a '] });
    assert.deepEqual(first, { signingSecret: ['whsec_a'] });
    assert.deepEqual(again, first);
  });

  it('fields that join to the same text are different records', () => {
    assert.deepEqual(parseSourceCredentials(stripeTerminalSource, { signingSecret: ['ab'] }).signingSecret, ['ab']);
    assert.deepEqual(parseSourceCredentials(stripeTerminalSource, { signingSecret: ['a', 'b'] }).signingSecret, ['a', 'b']);
    assert.deepEqual(parseSourceCredentials(stripeTerminalSource, { signingSecret: 'a,b' }).signingSecret, ['a', 'b']);
    assert.deepEqual(parseSourceCredentials(stripeTerminalSource, { signingSecret: ['a,b'] }).signingSecret, ['a,b']);
  });

  it('a key given as undefined, or a field that is not text, is parsed by the schema each time', () => {
    assert.deepEqual(Object.keys(parseSourceCredentials(stripeTerminalSource, { signingSecret: ['s'], secretKey: undefined })), ['signingSecret', 'secretKey']);
    assert.deepEqual(Object.keys(parseSourceCredentials(stripeTerminalSource, { signingSecret: ['s'] })), ['signingSecret']);
    assert.throws(() => parseSourceCredentials(stripeTerminalSource, { signingSecret: [1] }), /signingSecret/);
  });

  it('one schema\'s parse is never another\'s', () => {
    const fields = { signingSecret: ['s'], signatureKey: 'k', notificationUrl: 'https://hooks.example.com/square' };
    assert.deepEqual(parseSourceCredentials(stripeTerminalSource, { ...fields }), { signingSecret: ['s'] });
    assert.notDeepEqual(parseSourceCredentials(squareSource, { ...fields }), { signingSecret: ['s'] });
  });

  it('a refused record is refused again, not remembered', () => {
    assert.throws(() => parseSourceCredentials(stripeTerminalSource, { signingSecret: ['  '] }), /no Stripe webhook signing secret/);
    assert.throws(() => parseSourceCredentials(stripeTerminalSource, { signingSecret: ['  '] }), /no Stripe webhook signing secret/);
  });
});
