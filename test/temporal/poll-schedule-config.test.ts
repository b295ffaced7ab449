import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_POLL_SCHEDULE, pollScheduleFromEnv, pollSourcesFromEnv } from '../../temporal/poll-schedule';

describe('TERMINAL_CRM_POLL_SOURCES and TERMINAL_CRM_POLL_SCHEDULE', () => {
  it('polls nothing unless sources are listed, each once whatever the spelling', () => {
    assert.deepEqual(pollSourcesFromEnv({}), []);
    assert.deepEqual(pollSourcesFromEnv({ TERMINAL_CRM_POLL_SOURCES: ' Square, stripe,,square ' }), ['square', 'stripe']);
  });

  it('refuses a source without a list API, naming the variable and the sources that can be polled', () => {
    assert.throws(
      () => pollSourcesFromEnv({ TERMINAL_CRM_POLL_SOURCES: 'square,adyen,paypal' }),
      /^InputError: TERMINAL_CRM_POLL_SOURCES: "adyen", "paypal" cannot be polled\. Fix: list sources with a list API, comma-separated: stripe, square, zettle, clover, sumup$/,
    );
  });

  it('polls every minute by default; takes intervals, cron and "off"; says what is wrong with anything else', () => {
    assert.equal(pollScheduleFromEnv({}), '@every 1m');
    assert.equal(DEFAULT_POLL_SCHEDULE, '@every 1m');
    for (const s of ['@every 30s', '@every 5m', '*/5 * * * *', 'CRON_TZ=Europe/Berlin */2 7-22 * * *']) assert.equal(pollScheduleFromEnv({ TERMINAL_CRM_POLL_SCHEDULE: s }), s);
    assert.equal(pollScheduleFromEnv({ TERMINAL_CRM_POLL_SCHEDULE: 'off' }), null);
    assert.throws(
      () => pollScheduleFromEnv({ TERMINAL_CRM_POLL_SCHEDULE: 'every minute' }),
      /^InputError: TERMINAL_CRM_POLL_SCHEDULE: "every minute" is not a schedule\. Fix: give "@every 1m" \(the default\)/,
    );
    assert.throws(() => pollScheduleFromEnv({ TERMINAL_CRM_POLL_SCHEDULE: 'CRON_TZ=Mars/Olympus * * * * *' }), /^InputError: TERMINAL_CRM_POLL_SCHEDULE: "Mars\/Olympus" is not a time zone/);
  });
});
