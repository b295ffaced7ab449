import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError } from '../../../../nodes/core/errors';
import { historyLister, MAX_OFFLINE_GRACE_HOURS, OFFLINE_GRACE_SOURCES, offlineGraceHoursOf, offlineGraceOf } from '../../../../nodes/core/sources/history';
import { STRIPE_OFFLINE_GRACE_MS } from '../../../../nodes/core/sources/history/stripe-charges';
import { SQUARE_OFFLINE_GRACE_MS } from '../../../../nodes/core/sources/history/square-payments';

/** The one rule every face reads an operator's offline grace by (the CLI, n8n, Node-RED, Temporal inputs). */
describe('offline grace: the setting', () => {
  const refused = (field: string, pattern: RegExp) => (e: unknown) => e instanceof InputError && e.field === field && pattern.test(e.message);

  it('blank, absent or the number 0 is the source\'s own; a whole number of hours from 1 to 720 is itself, as text or a number', () => {
    for (const blank of [undefined, null, '', '  ', 0]) assert.equal(offlineGraceHoursOf(blank), undefined, JSON.stringify(blank));
    assert.deepEqual([1, ' 48 ', '72', MAX_OFFLINE_GRACE_HOURS].map(offlineGraceHoursOf), [1, 48, 72, 720]);
    for (const bad of ['0', '2.5', 2.5, -1, '-1', '1e2', '0x10', 'x', MAX_OFFLINE_GRACE_HOURS + 1, '721', true, Infinity]) assert.equal(offlineGraceHoursOf(bad), null, JSON.stringify(bad));
    assert.equal(offlineGraceOf(historyLister('stripe'), '48', '--offline-grace'), 48 * 3_600_000);
    assert.equal(offlineGraceOf(historyLister('square'), 0, 'Offline Grace (Hours)'), undefined);
  });

  it('the sources whose listing reads a grace are Stripe and Square, at their own 72 and 24 hours', () => {
    assert.deepEqual(OFFLINE_GRACE_SOURCES, ['stripe', 'square']);
    assert.deepEqual([historyLister('stripe').offlineGraceMs, historyLister('square').offlineGraceMs], [STRIPE_OFFLINE_GRACE_MS, SQUARE_OFFLINE_GRACE_MS]);
  });

  it('names the field where it was set and says the fix: not a whole number of hours in range, or given for a source that takes none', () => {
    assert.throws(() => offlineGraceOf(historyLister('stripe'), '2.5', '--offline-grace'),
      refused('--offline-grace', /^--offline-grace: "2\.5" is not a whole number of hours from 1 to 720\. Fix: leave it empty for the source's own \(Stripe Terminal 72 h, Square 24 h\), or give one such as 48$/));
    assert.throws(() => offlineGraceOf(historyLister('square'), 721, 'offlineGraceHours'), refused('offlineGraceHours', /721 is not a whole number of hours/));
    assert.throws(() => offlineGraceOf(historyLister('zettle'), '24', 'msg.payload.offlineGrace'),
      refused('msg.payload.offlineGrace', /Zettle by PayPal's history is listed by when each payment was made, and takes no offline grace\. Fix: leave it empty \(it applies to stripe and square\)/));
    // Blank is the default for every source, Zettle's too.
    assert.equal(offlineGraceOf(historyLister('zettle'), '', '--offline-grace'), undefined);
  });
});
