import { InputError } from '../errors';
import type { SqlDatabase } from '../store/sql-database';
import { keepApart } from './kept-apart';
import { mergeCustomers } from './merge-customers';

export const REVIEW_ACTIONS = ['link', 'keep-apart'] as const;
export type ReviewAction = (typeof REVIEW_ACTIONS)[number];

export interface ReviewDecision {
  action: ReviewAction;
  /** Match Customer's `match.candidateId`: the known customer the payment probably belongs to. */
  candidateId: string;
  /** CRM Upsert's `crm.customerId`: the new customer the review payment was recorded under. */
  recordedId: string;
  reason?: string;
  /** Who decided, e.g. the engine and workflow; stored with the merge. */
  actor: string;
  /** Where the decision was taken (a node name), stored as the merge's evidence. */
  via: string;
}

export interface ReviewOutcome {
  action: ReviewAction;
  candidateId: string;
  recordedId: string;
  /** The merge a link made (undo with `terminal-crm unmerge`); absent when kept apart or linked before. */
  mergeId?: string;
  /** True when a delivery repeated: the recorded customer was already merged into the candidate. */
  alreadyLinked?: boolean;
}

export function parseReviewAction(value: unknown, field: string): ReviewAction {
  if ((REVIEW_ACTIONS as readonly unknown[]).includes(value)) return value as ReviewAction;
  throw new InputError(field, `"${String(value)}" is not an action`, `use ${REVIEW_ACTIONS.join(' or ')}`);
}

function customerId(value: string, field: string, what: string): string {
  const id = value.trim();
  if (!id) throw new InputError(field, 'is empty', `map it to ${what}`);
  return id;
}

/**
 * Acts on a review payment from an editor. The payment was recorded under a new customer (so none is lost);
 * "link" merges that customer into the candidate, recorded with its evidence like `terminal-crm merge`;
 * "keep-apart" leaves both as they are and remembers it, so no later payment merges them without a person.
 * Running it again for the same payment changes nothing.
 */
export async function resolveReview(db: SqlDatabase, d: ReviewDecision): Promise<ReviewOutcome> {
  const candidateId = customerId(d.candidateId, 'Candidate Customer ID', 'match.candidateId of a Needs Review item');
  const recordedId = customerId(d.recordedId, 'Recorded Customer ID', 'crm.customerId (put this node after CRM Upsert)');
  if (d.action === 'keep-apart') {
    await keepApart(db, candidateId, recordedId, { reason: d.reason, actor: d.actor, via: d.via });
    return { action: d.action, candidateId, recordedId };
  }
  const row = await db.get<{ merged_into: string | null }>('SELECT merged_into FROM customers WHERE id = ?', [recordedId]);
  if (row?.merged_into === candidateId) return { action: d.action, candidateId, recordedId, alreadyLinked: true };
  const merge = await mergeCustomers(db, {
    into: candidateId,
    from: recordedId,
    evidence: { kind: 'operator', reason: d.reason?.trim() || null, via: d.via },
    actor: d.actor,
  });
  return { action: d.action, candidateId, recordedId, mergeId: merge.id };
}
