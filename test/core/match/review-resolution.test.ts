import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MatchResult } from '../../../nodes/core/contracts/customer';
import { applyReviewResolution, parseReviewResolution } from '../../../nodes/core/match/review-resolution';

const review: MatchResult = {
  customerId: null, confidence: 0.69, matchedOn: ['familyName'], decision: 'review', explanation: 'Probably cus_jon (69%), needs a person to confirm', keys: [], candidateId: 'cus_jon',
};

describe('an operator resolving a review', () => {
  it('link turns the review into a link to the candidate, or to the customer named', () => {
    const toCandidate = applyReviewResolution(review, { action: 'link' });
    assert.deepEqual([toCandidate.decision, toCandidate.customerId, toCandidate.candidateId, toCandidate.confidence], ['link', 'cus_jon', 'cus_jon', 0.69]);
    assert.equal(toCandidate.explanation, 'Probably cus_jon (69%), needs a person to confirm — an operator linked it to the candidate');
    const toOther = applyReviewResolution(review, { action: 'link', customerId: 'cus_other' });
    assert.deepEqual([toOther.decision, toOther.customerId], ['link', 'cus_other']);
    assert.match(toOther.explanation, /an operator linked it to cus_other instead of the candidate cus_jon$/);
  });

  it('new leaves the review as it is (recorded under a new customer); anything but a review is unchanged', () => {
    assert.equal(applyReviewResolution(review, { action: 'new' }), review);
    const created: MatchResult = { ...review, decision: 'create', candidateId: undefined };
    assert.equal(applyReviewResolution(created, { action: 'link', customerId: 'cus_x' }), created);
  });

  it('link without a candidate needs a customer id', () => {
    assert.throws(() => applyReviewResolution({ ...review, candidateId: undefined }, { action: 'link' }), { name: 'InputError', message: /^resolution\.customerId: this review has no candidate to link to\. Fix: / });
  });

  it('checks answers from outside', () => {
    assert.deepEqual(parseReviewResolution({ action: 'link', customerId: ' cus_1 ' }), { action: 'link', customerId: 'cus_1' });
    assert.deepEqual(parseReviewResolution({ action: 'new' }), { action: 'new' });
    assert.throws(() => parseReviewResolution({ action: 'merge' }), { message: /^resolution\.action: "merge" is neither "link" nor "new"\. Fix: / });
    assert.throws(() => parseReviewResolution({ action: 'new', customerId: 'cus_1' }), { message: /^resolution\.customerId: "cus_1" is not a customer id to link to/ });
    assert.throws(() => parseReviewResolution({ action: 'link', customerId: ' ' }, '--link'), { message: /^--link\.customerId: / });
  });
});
