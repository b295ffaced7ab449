import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_REVIEW_WAIT_MS, reviewWaitFromEnv } from '../../../nodes/core/config/settings';
import { matchThresholdsFromEnv, settingsFromEnv } from '../../../nodes/core/pipeline/settings';

const HOUR = 3_600_000;

describe('match thresholds and the review wait from the environment', () => {
  it('defaults to 0.9 / 0.5 and a 72-hour wait', () => {
    const s = settingsFromEnv({});
    assert.deepEqual(s.match, { linkThreshold: 0.9, reviewThreshold: 0.5 });
    assert.equal(s.reviewWaitMs, 72 * HOUR);
    assert.equal(DEFAULT_REVIEW_WAIT_MS, 72 * HOUR);
  });

  it('reads thresholds as decimals (a comma works too); equal thresholds leave no review band', () => {
    assert.deepEqual(matchThresholdsFromEnv({ TERMINAL_CRM_MATCH_LINK_THRESHOLD: '0.95', TERMINAL_CRM_MATCH_REVIEW_THRESHOLD: ' 0,6 ' }), { linkThreshold: 0.95, reviewThreshold: 0.6 });
    assert.deepEqual(matchThresholdsFromEnv({ TERMINAL_CRM_MATCH_LINK_THRESHOLD: '0.7', TERMINAL_CRM_MATCH_REVIEW_THRESHOLD: '0.7' }), { linkThreshold: 0.7, reviewThreshold: 0.7 });
  });

  it('names the variable and the fix for a bad threshold', () => {
    assert.throws(() => matchThresholdsFromEnv({ TERMINAL_CRM_MATCH_LINK_THRESHOLD: '90%' }), {
      name: 'InputError',
      message: 'TERMINAL_CRM_MATCH_LINK_THRESHOLD: "90%" is not a number from 0 to 1. Fix: write a decimal such as 0.9, or leave it unset for 0.9',
    });
    assert.throws(() => settingsFromEnv({ TERMINAL_CRM_MATCH_REVIEW_THRESHOLD: '1.5' }), { name: 'InputError', message: /^TERMINAL_CRM_MATCH_REVIEW_THRESHOLD: "1\.5" is not a number from 0 to 1\. Fix: write a decimal such as 0\.5/ });
    assert.throws(() => matchThresholdsFromEnv({ TERMINAL_CRM_MATCH_LINK_THRESHOLD: '0.6', TERMINAL_CRM_MATCH_REVIEW_THRESHOLD: '0.8' }), {
      message: /^TERMINAL_CRM_MATCH_REVIEW_THRESHOLD: 0\.8 is above TERMINAL_CRM_MATCH_LINK_THRESHOLD 0\.6, so no payment could go to review\. Fix: set it at or below the link threshold/,
    });
  });

  it('reads the wait as a duration; 0 or off means no wait', () => {
    const wait = (v: string) => reviewWaitFromEnv({ TERMINAL_CRM_REVIEW_WAIT: v });
    assert.deepEqual(['72h', '30m', '2d', '1h30m', '45s', '1.5h', ' 24 H '].map(wait), [72 * HOUR, 30 * 60_000, 48 * HOUR, 90 * 60_000, 45_000, 1.5 * HOUR, 24 * HOUR]);
    assert.deepEqual(['0', 'off', ''].map(wait), [0, 0, 72 * HOUR]);
  });

  it('refuses a wait without a unit or that is not a duration, with the fix', () => {
    for (const bad of ['72', 'three days', '-1h', '1w']) {
      assert.throws(() => reviewWaitFromEnv({ TERMINAL_CRM_REVIEW_WAIT: bad }), {
        name: 'InputError',
        message: `TERMINAL_CRM_REVIEW_WAIT: "${bad}" is not a duration. Fix: write a duration such as 72h, 30m, 2d or 1h30m, or 0 to record review payments under a new customer at once`,
      });
    }
  });
});
