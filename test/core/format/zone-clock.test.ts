import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { localDay, zoneOffsetMinutes } from '../../../nodes/core/format/zone-clock';

const at = (iso: string) => Date.parse(iso);

describe('zone clock: the wall clock of an instant in a time zone', () => {
  it('gives the calendar day in the zone, which is not the UTC day around midnight', () => {
    assert.equal(localDay(at('2026-03-02T01:30:00Z'), 'America/Los_Angeles'), '2026-03-01');
    assert.equal(localDay(at('2026-03-02T01:30:00Z'), 'UTC'), '2026-03-02');
    assert.equal(localDay(at('2026-03-01T19:00:00Z'), 'Asia/Kolkata'), '2026-03-02', '00:30 the next day at +05:30');
    assert.equal(localDay(at('2026-03-01T18:29:59Z'), 'Asia/Kolkata'), '2026-03-01');
    // A time written with its own offset is the same instant: the day is the zone's, not the text's.
    assert.equal(localDay(at('2026-03-01T23:30:00+01:00'), 'Europe/London'), '2026-03-01');
    assert.equal(localDay(at('2026-03-01T23:30:00+01:00'), 'Asia/Tokyo'), '2026-03-02');
  });

  it('follows daylight saving on both sides of a change', () => {
    // Los Angeles goes to PDT (-07:00) at 10:00Z on 8 March 2026.
    assert.equal(zoneOffsetMinutes('America/Los_Angeles', at('2026-03-08T09:59:00Z')), -480);
    assert.equal(zoneOffsetMinutes('America/Los_Angeles', at('2026-03-08T10:00:00Z')), -420);
    assert.equal(localDay(at('2026-03-09T06:59:00Z'), 'America/Los_Angeles'), '2026-03-08', '23:59 PDT');
    assert.equal(localDay(at('2026-03-09T07:00:00Z'), 'America/Los_Angeles'), '2026-03-09', '00:00 PDT');
    // Adelaide (+10:30 → +09:30) changes on the half hour of UTC, which the offset cache keeps apart.
    assert.equal(zoneOffsetMinutes('Australia/Adelaide', at('2026-04-04T16:29:00Z')), 630);
    assert.equal(zoneOffsetMinutes('Australia/Adelaide', at('2026-04-04T16:30:00Z')), 570);
  });
});
