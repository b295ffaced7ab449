import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CrmAuthError, CrmConfigError, CrmNoAnswerError, CrmRateLimitError, CrmTransientError, CrmValidationError } from '../../../../nodes/core/crm/saas/crm-errors';

describe('CRM errors', () => {
  it("keep a CRM's words but not a card number they quote, whatever the kind", () => {
    const quoted = 'Property values were not valid: "4111 1111 1111 1111" for property "notes"';
    const errors = [
      new CrmConfigError('hubspot', `400 on POST /crm/v3/objects/contacts/batch/upsert: ${quoted}`),
      new CrmValidationError('salesforce', quoted, 'Description'),
      new CrmAuthError('zoho', quoted),
      new CrmTransientError('pipedrive', quoted, 1_000),
      new CrmNoAnswerError('dynamics', quoted),
      new CrmRateLimitError('hubspot', quoted, 10_000, 'wait', 'TEN_SECONDLY_ROLLING'),
    ];
    for (const e of errors) {
      assert.match(e.message, /^\w+: .*Property values were not valid: "\[redacted card number\]" for property "notes"$/, e.name);
      assert.doesNotMatch(`${e.message} ${e.stack}`, /4111/, e.name);
    }
    assert.deepEqual(errors.map((e) => e.name), ['CrmConfigError', 'CrmValidationError', 'CrmAuthError', 'CrmTransientError', 'CrmNoAnswerError', 'CrmRateLimitError']);
    assert.equal((errors[1] as CrmValidationError).field, 'Description');
  });
});
