import { InputError } from '../errors';
import type { SqlDatabase } from '../store/sql-database';
import { keepApart } from './kept-apart';
import { mergeCustomers } from './merge-customers';
import { resolveCustomerId } from './resolve-customer-id';

export const REVIEW_ACTIONS = ['link', 'keep-apart'] as const;
export type ReviewAction = (typeof REVIEW_ACTIONS)[number];

export interface ReviewDecision {
  action: ReviewAction;
  /**
   * Match Customer's `match.candidateId`: the known customer the payment probably belongs to. Unknown because the
   * faces map it from an item by an expression, which may resolve to anything: this is where it is checked.
   */
  candidateId: unknown;
  /** CRM Upsert's `crm.customerId`: the new customer the review payment was recorded under. */
  recordedId: unknown;
  reason?: unknown;
  /** Who decided, e.g. the engine and workflow; stored with the merge. */
  actor: string;
  /** Where the decision was taken (a node name), stored as the merge's evidence. */
  via: string;
  /**
   * Where each value came from, as the face's operator sees it: n8n's field labels by default; Node-RED reads
   * them from the message (msg.payload.match.candidateId), so its errors name those paths.
   */
  fields?: ReviewFields;
}

export interface ReviewFields {
  candidate: ReviewField;
  recorded: ReviewField;
  reason: ReviewField;
}

/** A value's name and what to point it at. */
export interface ReviewField {
  field: string;
  what: string;
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

/** n8n's field labels: the values are mapped by expressions in the node's form. */
export const FORM_REVIEW_FIELDS: ReviewFields = {
  candidate: { field: 'Candidate Customer ID', what: 'map it to match.candidateId of a Needs Review item' },
  recorded: { field: 'Recorded Customer ID', what: 'map it to crm.customerId (put this node after CRM Upsert)' },
  reason: { field: 'Reason', what: 'map it to the text of the answer, e.g. {{ $json.comment }}' },
};

/** What an expression handed over, in the words an operator reads it in. */
function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  return value === null ? 'null' : `${typeof value === 'object' ? 'an' : 'a'} ${typeof value}`;
}

function customerId(value: unknown, c: ReviewField): string {
  if (value === undefined || value === null || (typeof value === 'string' && !value.trim())) throw new InputError(c.field, 'is empty', c.what);
  // Customer IDs are text (cus_…); an object or a list here is an expression pointing one level too high.
  if (typeof value !== 'string') throw new InputError(c.field, `is ${kindOf(value)}, not a customer ID`, c.what);
  return value.trim();
}

function reasonText(value: unknown, c: ReviewField): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value.trim() || undefined;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new InputError(c.field, `is ${kindOf(value)}, not text`, c.what);
}

/** A Keep Apart of an ID that names nobody would be recorded and protect nothing: it is refused instead. */
async function existingCustomer(db: SqlDatabase, id: string, c: ReviewField): Promise<void> {
  const row = await db.get<{ id: string }>('SELECT id FROM customers WHERE id = ?', [id]);
  if (!row) throw new InputError(c.field, `there is no customer "${id}" in the store`, `${c.what}, and check the node uses the store CRM Upsert wrote to`);
}

/**
 * Acts on a review payment from an editor. The payment was recorded under a new customer (so none is lost);
 * "link" merges that customer into the candidate, recorded with its evidence like `terminal-crm merge`;
 * "keep-apart" leaves both as they are and remembers it, so no later payment merges them without a person.
 * Running it again for the same payment changes nothing. A customer merged into another since the review (by
 * Auto-Merge or an operator) is that other customer now: "link" merges the two customers the ids lead to.
 */
export async function resolveReview(db: SqlDatabase, d: ReviewDecision): Promise<ReviewOutcome> {
  const fields = d.fields ?? FORM_REVIEW_FIELDS;
  const candidateId = customerId(d.candidateId, fields.candidate);
  const recordedId = customerId(d.recordedId, fields.recorded);
  const reason = reasonText(d.reason, fields.reason);
  await existingCustomer(db, candidateId, fields.candidate);
  await existingCustomer(db, recordedId, fields.recorded);
  if (d.action === 'keep-apart') {
    await keepApart(db, candidateId, recordedId, { reason, actor: d.actor, via: d.via });
    return { action: d.action, candidateId, recordedId };
  }
  // A person may answer days later (a review workflow waits for them): either customer may have been merged into
  // another since, and the decision is about the people, who live at the ids the merges lead to now.
  const [into, from] = await Promise.all([resolveCustomerId(db, candidateId), resolveCustomerId(db, recordedId)]);
  if (into === from) return { action: d.action, candidateId, recordedId, alreadyLinked: true };
  const merge = await mergeCustomers(db, {
    into: into ?? candidateId,
    from: from ?? recordedId,
    evidence: { kind: 'operator', reason: reason ?? null, via: d.via },
    actor: d.actor,
  });
  return { action: d.action, candidateId, recordedId, mergeId: merge.id };
}
