import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loyaltyProgramFromEnv, segmentConfigFromEnv, settingsFromEnv } from '../../../nodes/core/pipeline/settings';
import { tempDir } from '../../support/temp-store';

describe('segment and loyalty settings from the environment', () => {
  const dir = tempDir('tcrm-settings-');
  after(() => dir.remove());

  it('Segment is on with its defaults when unset, off when "off"; loyalty is off unless configured', () => {
    const s = settingsFromEnv({});
    assert.equal(s.segment?.timeZone, 'UTC');
    assert.equal(s.loyalty, null);
    assert.equal(segmentConfigFromEnv({ TERMINAL_CRM_SEGMENT_CONFIG: 'off' }), null);
    assert.equal(loyaltyProgramFromEnv({ TERMINAL_CRM_LOYALTY_PROGRAM: ' ' }), null);
  });

  it('reads inline JSON or a JSON file', () => {
    assert.equal(segmentConfigFromEnv({ TERMINAL_CRM_SEGMENT_CONFIG: '{"timeZone": "Europe/Berlin"}' })?.timeZone, 'Europe/Berlin');
    const file = join(dir.path, 'loyalty.json');
    writeFileSync(file, JSON.stringify({ id: 'cafe', currency: 'eur', points: { perUnit: 10 } }));
    const program = loyaltyProgramFromEnv({ TERMINAL_CRM_LOYALTY_PROGRAM: file });
    assert.deepEqual({ id: program?.id, currency: program?.currency, perUnit: program?.points.perUnit }, { id: 'cafe', currency: 'EUR', perUnit: 10 });
  });

  it('names the variable, the setting and the file in its errors', () => {
    assert.throws(() => segmentConfigFromEnv({ TERMINAL_CRM_SEGMENT_CONFIG: '{"timeZone": "Mars/Olympus"}' }), {
      message: 'TERMINAL_CRM_SEGMENT_CONFIG.timeZone: "Mars/Olympus" is not a time zone. Fix: use an IANA name such as Europe/Berlin or America/New_York',
    });
    assert.throws(() => segmentConfigFromEnv({ TERMINAL_CRM_SEGMENT_CONFIG: '{"timeZone": ' }), /^InputError: TERMINAL_CRM_SEGMENT_CONFIG: is not valid JSON \(.+\)\. Fix: /);
    const file = join(dir.path, 'no-currency.json');
    writeFileSync(file, '{"id": "cafe"}');
    assert.throws(() => loyaltyProgramFromEnv({ TERMINAL_CRM_LOYALTY_PROGRAM: file }), (e: Error) => {
      assert.match(e.message, /^TERMINAL_CRM_LOYALTY_PROGRAM\.currency: .+ \(in .+no-currency\.json\)\. Fix: set the program currency, e\.g\. "USD"$/);
      return true;
    });
    assert.throws(() => loyaltyProgramFromEnv({ TERMINAL_CRM_LOYALTY_PROGRAM: join(dir.path, 'missing.json') }), {
      message: `TERMINAL_CRM_LOYALTY_PROGRAM: cannot read "${join(dir.path, 'missing.json')}" (ENOENT). Fix: set TERMINAL_CRM_LOYALTY_PROGRAM to the path of a JSON file, or to the JSON itself`,
    });
  });
});
