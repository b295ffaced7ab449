import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { headerOf } from '../../../nodes/core/http/http-transport';

describe('headerOf', () => {
  it('finds a header whatever the case of its name or of the name asked for, the first of several spellings', () => {
    const headers = { 'Content-Type': 'application/json', 'Stripe-Signature': 't=1,v1=a', 'stripe-signature': 't=2,v1=b' };
    assert.equal(headerOf(headers, 'stripe-signature'), 't=1,v1=a');
    assert.equal(headerOf(headers, 'CONTENT-TYPE'), 'application/json');
    assert.equal(headerOf(headers, 'x-missing'), undefined);
  });

  it('takes the first value of a repeated header, and an undefined value as absent', () => {
    assert.equal(headerOf({ 'x-a': ['1', '2'] }, 'X-A'), '1');
    assert.equal(headerOf({ 'x-a': undefined, 'X-A': '2' }, 'x-a'), undefined);
  });
});
