import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { webUrlFault } from '../../../nodes/core/http/web-url';
import { triggerPublicUrl } from '../../../nodes/core/pipeline/trigger-public-url';
import { URL_VALUES } from '../../support/url-values';

describe('a trigger\'s Public URL (triggerPublicUrl)', () => {
  it('is undefined when blank: the URL the engine was called on is used', () => {
    for (const blank of ['', '  ', undefined, null, 0]) assert.equal(triggerPublicUrl('Public URL', blank), undefined, JSON.stringify(blank));
  });

  it('is used as typed, a query and trailing slash kept (Square signs it), only trimmed', () => {
    assert.equal(triggerPublicUrl('Public URL', ' https://hooks.example.com/terminal-crm/square/?shop=1 '), 'https://hooks.example.com/terminal-crm/square/?shop=1');
  });

  it('takes exactly what the URL rule takes of a full URL, and names the field and the fix otherwise', () => {
    for (const value of URL_VALUES) {
      const fault = webUrlFault(value.trim(), 'full', false);
      if (fault === undefined) {
        assert.equal(triggerPublicUrl('Public URL', value), value.trim(), value);
      } else {
        assert.throws(() => triggerPublicUrl('Public URL', value), (e: Error) => e.message.startsWith(`Public URL: "${value.trim()}" is not a usable URL: it ${fault}. Fix: write the URL the processor calls`), value);
      }
    }
  });
});
