import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { declinesExceed, parseDeclineRule, summarizeAttempts } from '../../../nodes/core/messages/decline-rate';
import { parseQuietHours, releaseTime } from '../../../nodes/core/messages/quiet-hours';
import { messageSettingsFromForm, parseMessageSettings } from '../../../nodes/core/messages/settings';

describe('quiet hours', () => {
  const paris = parseQuietHours({ start: '21:00', end: '08:00', timeZone: 'Europe/Paris' });

  it('holds a message composed at night until the end of the quiet period in the shop’s time zone', () => {
    // 23:30 in Paris (UTC+1 in December) → 08:00 Paris = 07:00Z the next day.
    assert.equal(releaseTime(new Date('2026-12-02T22:30:00Z'), paris).toISOString(), '2026-12-03T07:00:00.000Z');
    // 03:10 Paris → 08:00 Paris the same day.
    assert.equal(releaseTime(new Date('2026-12-03T02:10:42Z'), paris).toISOString(), '2026-12-03T07:00:00.000Z');
  });

  it('lets a message composed outside quiet hours go at once, and no quiet hours means never held', () => {
    const noon = new Date('2026-12-02T11:00:00Z');
    assert.equal(releaseTime(noon, paris), noon);
    assert.equal(releaseTime(noon, parseQuietHours({ start: '', end: '' })), noon);
    const sameDay = parseQuietHours({ start: '12:00', end: '14:00', timeZone: 'UTC' });
    assert.equal(releaseTime(new Date('2026-12-02T13:15:00Z'), sameDay).toISOString(), '2026-12-02T14:00:00.000Z');
    assert.equal(releaseTime(new Date('2026-12-02T14:00:00Z'), sameDay).toISOString(), '2026-12-02T14:00:00.000Z');
  });

  it('holds a message until the shop\u2019s clock reads the end of quiet hours on the nights the clock changes', () => {
    // Paris goes back from 03:00 CEST to 02:00 CET at 01:00Z on 25 October 2026: 23:30 CEST → 08:00 CET = 07:00Z,
    // not 06:00Z (07:00 on the shop's clock, still quiet).
    assert.equal(releaseTime(new Date('2026-10-24T21:30:00Z'), paris).toISOString(), '2026-10-25T07:00:00.000Z');
    // Forward from 02:00 CET to 03:00 CEST at 01:00Z on 29 March 2026: 23:30 CET → 08:00 CEST = 06:00Z, not 09:00.
    assert.equal(releaseTime(new Date('2026-03-28T22:30:42Z'), paris).toISOString(), '2026-03-29T06:00:00.000Z');
    // Quiet until 02:30, a time that night skips: the message goes when the clock jumps past it (03:00 CEST = 01:00Z).
    const early = parseQuietHours({ start: '22:00', end: '02:30', timeZone: 'Europe/Paris' });
    assert.equal(releaseTime(new Date('2026-03-29T00:00:00Z'), early).toISOString(), '2026-03-29T01:00:00.000Z');
    // New York goes back at 06:00Z on 1 November 2026: 21:30 EDT → 08:00 EST = 13:00Z.
    const newYork = parseQuietHours({ start: '21:00', end: '08:00', timeZone: 'America/New_York' });
    assert.equal(releaseTime(new Date('2026-11-01T01:30:00Z'), newYork).toISOString(), '2026-11-01T13:00:00.000Z');
  });

  it('names the field for a bad time or zone', () => {
    assert.throws(() => parseQuietHours({ start: '9pm', end: '08:00' }), /^InputError: quietHours\.start: "9pm" is not a time of day/);
    assert.throws(() => parseQuietHours({ start: '21:00', end: '08:00', timeZone: 'Mars/Olympus' }), /quietHours\.timeZone: "Mars\/Olympus" is not a time zone/);
  });
});

describe('the decline rate rule', () => {
  const attempts = (ok: number, reasons: string[]) => [...Array.from({ length: ok }, () => ({ failed: false, reason: null })), ...reasons.map((reason) => ({ failed: true, reason }))];

  it('needs enough declines and a high enough share of attempts', () => {
    const rule = parseDeclineRule({ minDeclines: 3, minRate: 0.5 });
    assert.equal(declinesExceed(summarizeAttempts(attempts(1, ['a', 'a', 'b'])), rule), true);
    assert.equal(declinesExceed(summarizeAttempts(attempts(4, ['a', 'a', 'b'])), rule), false, '3 of 7 is under half');
    assert.equal(declinesExceed(summarizeAttempts(attempts(0, ['a', 'b'])), rule), false, 'two declines are not three');
  });

  it('lists decline reasons by frequency', () => {
    assert.deepEqual(summarizeAttempts(attempts(1, ['b', 'a', 'b'])).reasons, [{ reason: 'b', count: 2 }, { reason: 'a', count: 1 }]);
  });

  it('takes defaults for empty fields and refuses a rate above 1', () => {
    assert.deepEqual(parseDeclineRule({ windowMinutes: '' as unknown as number }), { per: 'terminal', windowMinutes: 15, minDeclines: 3, minRate: 0.3 });
    assert.throws(() => parseDeclineRule({ minRate: 30 }), /^InputError: declines\.minRate: /);
  });
});

describe('message settings', () => {
  it('reads form fields an expression set: a number as text, a list of alert addresses as one list, anything else refused by name', () => {
    assert.equal(messageSettingsFromForm({ kind: 'thank-you', shopName: 42 }).shopName, '42');
    assert.equal(messageSettingsFromForm({ kind: 'high-value-alert', to: ['sales@shop.com', 'ops@shop.com'] }).to, 'sales@shop.com, ops@shop.com');
    assert.throws(() => messageSettingsFromForm({ kind: 'thank-you', quietStart: 22, quietEnd: '07:00' }), /^InputError: quietStart: "22" is not a time of day/);
    assert.throws(() => messageSettingsFromForm({ kind: 5 }), /^InputError: kind: "5" is not a message/);
    assert.throws(() => messageSettingsFromForm({ kind: 'thank-you', shopName: { name: 'Lumen' } }), /^InputError: shopName: is an object, not text\. Fix: map it to one value/);
  });

  it('reads location names as JSON or id=Name lines, and refuses an unknown kind or a bad alert address', () => {
    assert.deepEqual(parseMessageSettings({ kind: 'thank-you', locationNames: 'tml_1=Main Street\n tml_2 = Harbour ' }).locationNames, { tml_1: 'Main Street', tml_2: 'Harbour' });
    assert.deepEqual(parseMessageSettings({ kind: 'thank-you', locationNames: '{"tml_1":"Main Street"}' }).locationNames, { tml_1: 'Main Street' });
    // A flow that sets them as an object (Node-RED's msg, n8n's JSON) gets them as text, and a list is no mapping.
    assert.deepEqual(parseMessageSettings({ kind: 'thank-you', locationNames: { tml_1: 7 } as unknown as Record<string, string> }).locationNames, { tml_1: '7' });
    assert.throws(() => parseMessageSettings({ kind: 'thank-you', locationNames: ['Main Street'] as unknown as Record<string, string> }), /^InputError: locationNames: is neither a JSON object nor text/);
    assert.throws(() => parseMessageSettings({ kind: 'birthday' }), /^InputError: kind: "birthday" is not a message/);
    assert.throws(() => parseMessageSettings({ kind: 'high-value-alert', to: 'sales team' }), /^InputError: to: "sales team" is not an email address/);
    // Each address of a list is checked, and the kind is read as a person types it.
    assert.throws(() => parseMessageSettings({ kind: 'high-value-alert', to: 'sales@shop.com, ops team' }), /^InputError: to: "ops team" is not an email address/);
    assert.equal(parseMessageSettings({ kind: 'failed-payments', to: 'sales@shop.com; ops@shop.com' }).to, 'sales@shop.com; ops@shop.com');
    assert.equal(parseMessageSettings({ kind: ' High-Value-Alert ' }).kind, 'high-value-alert');
  });
});
