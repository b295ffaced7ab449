import type { MatchResult } from '../contracts/customer';
import { InputError } from '../errors';

/** An operator's answer to a payment in the review band: it is the candidate's (or another known customer's), or someone new. */
export interface ReviewResolution {
  action: 'link' | 'new';
  /** For link: the customer the payment belongs to; the match's candidate when absent. */
  customerId?: string;
}

/** Checks an answer that came from outside (a signal, a command line). */
export function parseReviewResolution(value: unknown, field = 'resolution'): ReviewResolution {
  const v = value as { action?: unknown; customerId?: unknown } | null;
  if (!v || typeof v !== 'object' || (v.action !== 'link' && v.action !== 'new')) {
    throw new InputError(`${field}.action`, `${JSON.stringify(v?.action)} is neither "link" nor "new"`, 'answer link (to the candidate or a customer id) or new');
  }
  if (v.customerId === undefined) return { action: v.action };
  if (v.action !== 'link' || typeof v.customerId !== 'string' || !v.customerId.trim()) {
    throw new InputError(`${field}.customerId`, `${JSON.stringify(v.customerId)} is not a customer id to link to`, 'give a customer id (such as cus_…) with link only, or leave it out to link to the candidate');
  }
  return { action: 'link', customerId: v.customerId.trim() };
}

/**
 * The match as the operator decided it. A link becomes an ordinary link (CRM Upsert attaches the payment and its
 * keys to that customer), its explanation saying a person confirmed it. "new" leaves the review as it is: with
 * no customer, CRM Upsert records it under a new one, as when nobody answers. Anything but a review is unchanged.
 */
export function applyReviewResolution(match: MatchResult, resolution: ReviewResolution): MatchResult {
  if (match.decision !== 'review' || resolution.action !== 'link') return match;
  const customerId = resolution.customerId ?? match.candidateId;
  if (!customerId) {
    throw new InputError('resolution.customerId', 'this review has no candidate to link to', 'name the customer to link the payment to');
  }
  const whom = customerId === match.candidateId ? 'the candidate' : `${customerId} instead of the candidate ${match.candidateId ?? '(none)'}`;
  return { ...match, decision: 'link', customerId, explanation: `${match.explanation} — an operator linked it to ${whom}` };
}
