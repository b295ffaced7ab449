import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_SEGMENT_SCHEDULE, segmentScheduleFromEnv } from '../../temporal/segment-schedule';

describe('TERMINAL_CRM_SEGMENT_SCHEDULE', () => {
  const read = (value?: string) => segmentScheduleFromEnv(value === undefined ? {} : { TERMINAL_CRM_SEGMENT_SCHEDULE: value });

  it('defaults to daily at 03:00 UTC, and "off" turns the schedule off', () => {
    assert.equal(read(), '0 3 * * *');
    assert.equal(DEFAULT_SEGMENT_SCHEDULE, '0 3 * * *');
    assert.equal(read('off'), null);
  });

  it('takes cron expressions, with a time zone prefix, shorthands and intervals', () => {
    for (const cron of ['30 2 * * 1-5', 'CRON_TZ=Europe/Berlin 0 4 * * *', '@daily', '@every 6h', '0 */2 * * *']) assert.equal(read(cron), cron);
    assert.equal(read('  0  3 * *   * '), '0 3 * * *');
  });

  it('says what is wrong with anything else, naming the variable', () => {
    assert.throws(() => read('daily at 3'), /^InputError: TERMINAL_CRM_SEGMENT_SCHEDULE: "daily at 3" is not a schedule\. Fix: give five cron fields/);
    assert.throws(() => read('0 3 * *'), /is not a schedule/);
    assert.throws(() => read('CRON_TZ=Mars/Olympus 0 3 * * *'), /^InputError: TERMINAL_CRM_SEGMENT_SCHEDULE: "Mars\/Olympus" is not a time zone/);
  });
});
