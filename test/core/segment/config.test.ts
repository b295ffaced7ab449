import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSegmentConfig } from '../../../nodes/core/segment/config';

describe('the Segment step\'s configuration as an operator writes it', () => {
  it('refuses a misspelt setting at any level, naming it and what that level takes, instead of keeping the default', () => {
    assert.throws(() => parseSegmentConfig({ clv: { horizonDays: [30] } }), /^InputError: segmentConfig\.clv\.horizonDays: is not a setting of the Segment step\. Fix: use one of: horizonsDays, unit, minCustomers, maxFitCustomers, penalizer$/);
    assert.throws(() => parseSegmentConfig('{"flags": {"highValue": {"top": 5}}}'), /^InputError: segmentConfig\.flags\.highValue\.top: .* use one of: paymentMinor, expectedValueMinor, topPercent$/);
    assert.throws(() => parseSegmentConfig({ timezone: 'Europe/Paris' }), /^InputError: segmentConfig\.timezone: .* use one of: timeZone, hemisphere, segments, clv, flags, crmFields$/);
    assert.deepEqual(parseSegmentConfig({ clv: { horizonsDays: [30] } }).clv.horizonsDays, [30]);
  });
});
