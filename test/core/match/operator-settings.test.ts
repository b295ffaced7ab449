import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InputError } from '../../../nodes/core/errors';
import { indexFor } from '../../../nodes/core/match/match-customer';
import { MATCH_DEFAULTS, matchConfigFromSettings, matchOutputOf } from '../../../nodes/core/match/operator-settings';
import { resolveMatchConfig } from '../../../nodes/core/match/match-config';
import { warmMatchIndexOnce } from '../../../nodes/core/match/warm-once';
import { tempStore } from '../../support/temp-store';
import { seedCustomers, strangers } from './match-fixtures';

describe('Match Customer settings as the editors show them', () => {
  it('empty settings are the defaults, and the result is a valid MatchConfig', () => {
    const config = matchConfigFromSettings({});
    assert.deepEqual(config, { linkThreshold: 0.9, reviewThreshold: 0.5, autoMerge: true, probabilistic: true });
    assert.deepEqual(matchConfigFromSettings({ linkThreshold: '', reviewThreshold: ' ', autoMerge: '', fieldByField: undefined }), config);
    assert.doesNotThrow(() => resolveMatchConfig(config));
    assert.deepEqual(MATCH_DEFAULTS, { linkThreshold: 0.9, reviewThreshold: 0.5, autoMerge: true, fieldByField: true });
  });

  it('reads numbers typed as text (with a decimal comma too) and on/off as saved by Node-RED', () => {
    assert.deepEqual(matchConfigFromSettings({ linkThreshold: '0.95', reviewThreshold: '0,6', autoMerge: 'false', fieldByField: false, defaultRegion: 'GB' }), {
      linkThreshold: 0.95, reviewThreshold: 0.6, autoMerge: false, probabilistic: false, defaultRegion: 'GB',
    });
  });

  it('names the setting by its label and says how to fix it', () => {
    const fails = (settings: Parameters<typeof matchConfigFromSettings>[0], pattern: RegExp) =>
      assert.throws(() => matchConfigFromSettings(settings), (e: unknown) => e instanceof InputError && pattern.test(e.message));
    fails({ reviewThreshold: 0.95 }, /^Review Threshold: 0\.95 is above the Link Threshold 0\.9, so no payment could go to review\. Fix: set Review Threshold at or below Link Threshold \(e\.g\. 0\.5 and 0\.9\); set both equal for no review band$/);
    fails({ linkThreshold: 2 }, /^Link Threshold: "2" is not a number from 0 to 1\. Fix: write a decimal such as 0\.9, or leave it empty for 0\.9$/);
    fails({ reviewThreshold: 'half' }, /^Review Threshold: "half" is not a number from 0 to 1\. Fix: /);
    fails({ autoMerge: 'maybe' }, /^Auto-Merge: "maybe" is not on or off\. Fix: /);
    assert.equal(matchConfigFromSettings({ linkThreshold: 0.7, reviewThreshold: 0.7 }).reviewThreshold, 0.7, 'equal thresholds: no review band');
  });

  it('routes review to the second output and everything else to the first', () => {
    assert.deepEqual((['link', 'create', 'review'] as const).map((decision) => matchOutputOf({ match: { decision } })), [0, 0, 1]);
  });
});

describe('warmMatchIndexOnce', () => {
  let s: Awaited<ReturnType<typeof tempStore>>;
  before(async () => {
    s = await tempStore();
    await seedCustomers(s.crm, strangers());
  });
  after(async () => s.remove());

  it('loads the store\'s customers into the index matchCustomer uses, once per store and normalization', async () => {
    const config = matchConfigFromSettings({});
    const first = warmMatchIndexOnce(s.crm, config);
    assert.equal(warmMatchIndexOnce(s.crm, matchConfigFromSettings({ linkThreshold: 0.95 })), first, 'thresholds do not change the index');
    assert.equal(await first, 30);
    assert.equal(indexFor(s.crm, config).size, 30);
    assert.notEqual(warmMatchIndexOnce(s.crm, { defaultRegion: 'GB' }), first, 'another region normalizes phones differently');
  });
});
