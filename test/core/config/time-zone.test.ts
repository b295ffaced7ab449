import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isIanaTimeZone, isTimeZone } from '../../../nodes/core/config/time-zone';

describe('time zone names', () => {
  it('an IANA name is Area/Location or UTC; the abbreviations ICU also takes are not', () => {
    for (const zone of ['Europe/Berlin', 'America/Argentina/Buenos_Aires', 'Asia/Kolkata', 'US/Eastern', 'Etc/GMT+5', 'UTC', 'GMT']) assert.ok(isIanaTimeZone(zone), zone);
    // ICU takes these as zones (IST as Asia/Calcutta), but IST is India's, Ireland's or Israel's depending on who says it.
    for (const zone of ['IST', 'PST', 'CET']) {
      assert.ok(isTimeZone(zone), zone);
      assert.ok(!isIanaTimeZone(zone), zone);
    }
    for (const zone of ['Mars/Olympus', '', 'utc/']) assert.ok(!isIanaTimeZone(zone), zone);
  });
});
