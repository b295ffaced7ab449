import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { answeredAt, resumeFrom } from '../../../../nodes/core/crm/saas/change-overlap';

const AT = Date.parse('2026-03-02T10:00:00Z');
const clock = () => AT + 3_600_000;

describe('change overlap: where a caught-up change feed resumes', { timeout: 5_000 }, () => {
  it("reads the answer's time from its Date header, in any case, else from the clock", () => {
    assert.equal(answeredAt({ headers: { date: 'Mon, 02 Mar 2026 10:00:00 GMT' } }, clock), AT);
    assert.equal(answeredAt({ headers: { Date: 'Mon, 02 Mar 2026 10:00:00 GMT' } }, clock), AT);
    assert.equal(answeredAt({ headers: {} }, clock), clock());
    assert.equal(answeredAt({ headers: { date: 'not a date' } }, clock), clock());
  });

  it('resumes from the newest change unless that is within the lag before the answer', () => {
    const res = { headers: { date: 'Mon, 02 Mar 2026 10:00:00 GMT' } };
    assert.equal(resumeFrom(AT - 600_000, res, 300_000, clock), AT - 600_000, 'older than the lag: the newest change');
    assert.equal(resumeFrom(AT - 1_000, res, 300_000, clock), AT - 300_000, 'within the lag: the lag before the answer');
    assert.equal(resumeFrom(Infinity, res, 300_000, clock), AT - 300_000);
  });
});
