import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { portOf } from '../../../nodes/core/config/port';
import { DEFAULT_SMTP_PORT, smtpPort } from '../../../nodes/core/messages/send-mail';

describe('Send Message: the SMTP port (smtpPort)', { timeout: 5_000 }, () => {
  it('is 587 when left blank', () => {
    for (const blank of [undefined, null, '', '  ']) assert.equal(smtpPort(blank, 'Port'), DEFAULT_SMTP_PORT, JSON.stringify(blank));
  });

  it('takes text by the one port rule, trimmed', () => {
    assert.deepEqual(['465', ' 587 ', '25', '65535'].map((v) => smtpPort(v, 'Port')), [465, 587, 25, 65535]);
    // Number() read these as 587, 465, 587 and 587: a port the operator did not write.
    for (const typed of ['0x24b', '4.65e2', '0587', '+587', '587.0', '0', '70000', '465s']) {
      assert.throws(() => smtpPort(typed, 'Port'), (e: Error) => e.message.startsWith(`Port: "${typed}" is not a TCP port (1 to 65535): ${portOf(typed.trim()).reason}. Fix: `), typed);
    }
  });

  it('takes a whole number from 1 to 65535 given as a number (the node\'s default, a flow written by hand), as before', () => {
    assert.deepEqual([587, 465, 1, 65535, 587.0].map((v) => smtpPort(v, 'Port')), [587, 465, 1, 65535, 587]);
    for (const n of [0, -25, 2.5, 70000, Number.NaN, Infinity]) assert.throws(() => smtpPort(n, 'Port'), /^InputError: Port: ".*" is not a TCP port/, String(n));
    for (const other of [true, {}, ['587']]) assert.throws(() => smtpPort(other, 'Port'), /^InputError: Port: ".*" is not a TCP port \(1 to 65535\): it is neither text nor a number\. Fix: /, JSON.stringify(other));
  });
});
