import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSegmentConfig } from '../../../nodes/core/segment/config';
import { segmentConfigFromSettings } from '../../../nodes/core/segment/operator-settings';
import { DEFAULT_SEGMENT_RULES } from '../../../nodes/core/segment/segments';

describe('Segment settings as the editors show them', () => {
  it('no settings at all is the default configuration', () => {
    assert.deepEqual(segmentConfigFromSettings({}), parseSegmentConfig());
  });

  it('turns a high-value payment in the shop currency into minor units, per currency exponent', () => {
    assert.deepEqual(segmentConfigFromSettings({ currency: 'usd', highValuePayment: 500 }).flags.highValue.paymentMinor, { USD: 50_000 });
    assert.deepEqual(segmentConfigFromSettings({ currency: 'JPY', highValuePayment: '20000' }).flags.highValue.paymentMinor, { JPY: 20_000 });
    assert.deepEqual(segmentConfigFromSettings({ currency: 'EUR', highValuePayment: 19.99 }).flags.highValue.paymentMinor, { EUR: 1999 });
    assert.deepEqual(segmentConfigFromSettings({ currency: 'USD', highValuePayment: 0 }).flags.highValue.paymentMinor, {}, '0 is off');
  });

  it('simple fields win over the same setting in Advanced Settings, which still sets everything else', () => {
    const config = segmentConfigFromSettings({
      highValueTopPercent: 10,
      timeZone: 'Europe/Berlin',
      advanced: '{"flags": {"highValue": {"topPercent": 1}, "anomaly": {"threshold": 5}}, "timeZone": "UTC"}',
    });
    assert.equal(config.flags.highValue.topPercent, 10);
    assert.equal(config.timeZone, 'Europe/Berlin');
    assert.equal(config.flags.anomaly.threshold, 5);
  });

  it('takes segment rules as {rules, fallback} or as a bare list, and CRM fields as a mapping where "" means do not write', () => {
    const wrapped = segmentConfigFromSettings({ segmentRules: { rules: [{ name: 'VIP', m: [5, 5] }], fallback: 'Everyone else' } });
    assert.deepEqual(wrapped.segments, { rules: [{ name: 'VIP', m: [5, 5] }], fallback: 'Everyone else' });
    const bare = segmentConfigFromSettings({ segmentRules: '[{"name": "Regular", "payments": [2, 1000]}]' });
    assert.deepEqual(bare.segments.rules.map((r) => r.name), ['Regular']);
    assert.equal(bare.segments.fallback, 'Other');
    assert.deepEqual(segmentConfigFromSettings({ segmentRules: '' }).segments.rules, DEFAULT_SEGMENT_RULES);
    const mapped = segmentConfigFromSettings({ crmFields: { segment: 'Segment__c', highValue: '', netSpend: 'spend' } });
    assert.deepEqual(mapped.crmFields, { segment: 'Segment__c', highValue: null, netSpend: 'spend' });
  });

  it('names the field and the fix for every kind of mistake', () => {
    const cases: Array<[Parameters<typeof segmentConfigFromSettings>[0], RegExp]> = [
      [{ currency: 'dollars', highValuePayment: 500 }, /^Currency: "dollars" is not a currency code\. Fix: /],
      [{ currency: 'USD', highValuePayment: -1 }, /^High-Value Payment: "-1" is not an amount\. Fix: type an amount in USD/],
      [{ highValueTopPercent: 0 }, /^High-Value Top Percent: "0" is not a percentage/],
      [{ timeZone: 'Mars/Olympus' }, /^Time Zone: "Mars\/Olympus" is not a time zone\. Fix: /],
      [{ segmentRules: '{"rules": [' }, /^Segment Rules: is not valid JSON/],
      [{ segmentRules: [{ name: 'VIP', r: [5, 1] }] }, /^Segment Rules\.rules\.0\.r: a range is \[min, max\]/],
      // A misspelt key would otherwise leave the default rules in place without a word.
      [{ segmentRules: '{"rule": [{"name": "VIP", "m": [5, 5]}]}' }, /^Segment Rules\.rule: is not a setting of the Segment Rules\. Fix: use one of: rules, fallback$/],
      [{ segmentRules: [{ name: 'VIP', money: [5, 5] }] }, /^Segment Rules\.rules\.0\.money: is not a setting of the Segment Rules\. Fix: use one of: name, r, f, m, fm, payments, daysSinceFirst, daysSinceLast$/],
      [{ advanced: '{"segments": {"rules": [{"name": "VIP", "recency": [5, 5]}]}}' }, /^Advanced Settings\.segments\.rules\.0\.recency: is not a setting of the Segment step\. Fix: use one of: name, r, f/],
      [{ crmFields: { colour: 'x' } }, /^CRM Fields\.colour: is not a value the Segment step produces\. Fix: use one of segment, rfm/],
      [{ crmFields: '[1]' }, /^CRM Fields: is not a JSON object/],
      [{ advanced: '{"flags": {"anomaly": {"threshold": -1}}}' }, /^Advanced Settings\.flags\.anomaly\.threshold: .*Fix: /],
    ];
    for (const [settings, message] of cases) assert.throws(() => segmentConfigFromSettings(settings), { message });
  });
});
