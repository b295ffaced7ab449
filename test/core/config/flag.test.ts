import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { envFlag, flagOf, FLAG_WORDS } from '../../../nodes/core/config/flag';
import { InputError } from '../../../nodes/core/errors';

describe('a switch written as text (config/flag.ts)', { timeout: 5_000 }, () => {
  it('reads each spelling of on and off, whatever the case and the space around, and blank as unset', () => {
    for (const on of ['true', 'TRUE', ' yes ', '1', 'On']) assert.deepEqual(flagOf(on), { value: true }, on);
    for (const off of ['false', 'No', ' 0', 'OFF']) assert.deepEqual(flagOf(off), { value: false }, off);
    assert.deepEqual(flagOf('  '), { value: undefined });
  });

  it('refuses a typo rather than reading it as off, saying every spelling it takes', () => {
    for (const typo of ['ture', 'flase', 'prod', 'y', '2', 'enabled']) {
      assert.equal(flagOf(typo).fault, `"${typo}" is neither on nor off: write true, 1, yes or on, or false, 0, no or off`, typo);
    }
    assert.equal(flagOf('prod', { on: ['live'], off: ['test'] }, { on: 'for a live account', off: 'for a test account' }).fault, '"prod" is neither on nor off: write live for a live account, or test for a test account');
  });

  it('names the variable it reads, with the fix', () => {
    assert.equal(envFlag({}, 'X_FLAG'), undefined);
    assert.equal(envFlag({ X_FLAG: 'yes' }, 'X_FLAG'), true);
    assert.throws(() => envFlag({ X_FLAG: 'ture' }, 'X_FLAG', FLAG_WORDS), (e) => e instanceof InputError && e.message === 'X_FLAG: "ture" is neither on nor off: write true, 1, yes or on, or false, 0, no or off. Fix: set X_FLAG to true or false, or leave it unset');
  });
});
