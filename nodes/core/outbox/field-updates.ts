import { InputError } from '../errors';
import { enqueue, outboxLockKeys, type EnqueuedItem } from './enqueue';
import { flushQueued } from './flush-now';
import type { DrainOptions } from './drain';
import type { OutboxItem } from './types';
import type { SqlDatabase, SqlExecutor } from '../store/sql-database';
import { CRM_NAMES, isSaasCrmName, type SaasCrmName } from '../crm/crm-names';
import type { CrmAdapter } from '../crm/saas/crm-adapter';

/**
 * Segment and Loyalty compute fields on a customer (segment, RFM, lifetime value, flags, tier, points). The store
 * keeps its own copy (customer_fields, which the local CRM and the sandbox read); a SaaS CRM gets them through the
 * outbox, one `fields` row per customer in which the latest value of each field wins, queued in the transaction
 * that writes the local state. The names are the pack's (after the step's own CRM-field mapping); each adapter maps
 * them to its CRM's properties (hubspot.fieldMap, Salesforce/Dynamics customFields, Zoho/Pipedrive fieldMap).
 */
export type FieldValue = string | number | boolean | null;

/** Where a step's fields go besides the store's copy. */
export interface FieldsTarget {
  crm: SaasCrmName;
}

/** What became of one customer's fields: queued (until a sync, or the flush's deadline), synced, rejected or dead. */
export type FieldSync = { crm: string; outboxId: string; fields: string[] } & (
  | { status: 'queued'; reason: string; nextAttemptAt: string | null }
  | { status: 'synced'; crmId: string }
  | { status: 'rejected'; reason: string }
  | { status: 'dead'; reason: string }
);

/** The longest a step waits for the CRM: a flow must not hang on a slow CRM, what is left goes with the next sync. */
export const MAX_FLUSH_SECONDS = 60;

const NOT_YET_SENT = 'queued in the store; the next CRM sync (or this step’s immediate flush) sends it';

/** The CRM choice of a face ("local", blank, or a SaaS CRM) as a target; undefined: the store's copy only. */
export function fieldsTargetOf(choice: unknown, field = 'crm'): FieldsTarget | undefined {
  const name = typeof choice === 'string' ? choice.trim().toLowerCase() : '';
  if (name === '' || name === 'local') return undefined;
  if (!isSaasCrmName(name)) throw new InputError(field, `"${name}" is not a CRM the pack knows`, `choose one of: ${CRM_NAMES.join(', ')}`);
  return { crm: name };
}

/** Seconds to wait for the CRM, as a face's option gives it: 0 queues only; capped so a flow never hangs. */
export function flushDeadlineMs(seconds: unknown, field = 'waitForCrmSeconds'): number {
  const n = typeof seconds === 'string' && seconds.trim() !== '' ? Number(seconds) : typeof seconds === 'number' ? seconds : 0;
  if (!Number.isFinite(n) || n < 0 || n > MAX_FLUSH_SECONDS) {
    throw new InputError(field, `${String(seconds)} is not between 0 and ${MAX_FLUSH_SECONDS} seconds`, `give 0 to only queue (a CRM sync sends them), or up to ${MAX_FLUSH_SECONDS}`);
  }
  return Math.round(n * 1000);
}

/** Lock keys for a transaction that queues fields of these customers (Postgres: concurrent queuers wait, not rerun). */
export function fieldLockKeys(target: FieldsTarget | undefined, customerIds: readonly (string | null)[]): string[] {
  if (!target) return [];
  return outboxLockKeys(target.crm, customerIds.filter((c): c is string => !!c).map((c) => fieldItem(c, {})));
}

/**
 * Queues each customer's fields for the target CRM inside the caller's transaction; an update with no fields queues
 * nothing (undefined in its place). A customer already waiting takes the new values over the old ones.
 */
export async function queueFieldUpdates(
  tx: SqlExecutor,
  target: FieldsTarget,
  updates: readonly { customerId: string; fields: Record<string, FieldValue> }[],
  at: Date,
): Promise<(FieldSync | undefined)[]> {
  const wanted = updates.map((u, i) => ({ i, u })).filter(({ u }) => Object.keys(u.fields).length > 0);
  const queued = wanted.length ? await enqueue(tx, target.crm, wanted.map(({ u }) => fieldItem(u.customerId, u.fields)), at) : [];
  const out: (FieldSync | undefined)[] = updates.map(() => undefined);
  wanted.forEach(({ i, u }, k) => {
    out[i] = { crm: target.crm, outboxId: queued[k]!.id, fields: Object.keys(u.fields), status: 'queued', reason: NOT_YET_SENT, nextAttemptAt: null };
  });
  return out;
}

/**
 * Sends the queued fields now, for at most `deadlineMs` (and the pending upserts of their customers, which the CRM
 * needs first), and says per item what became of them. What is not sent by then stays queued for the next sync.
 */
export async function flushFieldUpdates(
  options: { db: SqlDatabase; adapter: CrmAdapter } & Pick<DrainOptions, 'now' | 'sleep' | 'owner'>,
  syncs: readonly (FieldSync | undefined)[],
  deadlineMs: number,
): Promise<(FieldSync | undefined)[]> {
  const crm = options.adapter.name;
  const pending = syncs.filter((s): s is FieldSync => s !== undefined && s.status === 'queued' && s.crm === crm);
  if (pending.length === 0 || deadlineMs <= 0) return [...syncs];
  const customerOf = new Map<string, string>();
  const rows = await options.db.all<{ id: string; external_id: string }>(
    `SELECT id, external_id FROM outbox WHERE id IN (${pending.map(() => '?').join(', ')})`,
    pending.map((p) => p.outboxId),
  );
  for (const r of rows) customerOf.set(r.id, r.external_id);
  // A row another drainer already sent (or folded into a newer one) is gone: it is answered below from `items`.
  const queued: EnqueuedItem[] = pending.map((p) => ({ id: p.outboxId, kind: 'fields', externalId: customerOf.get(p.outboxId) ?? '', coalesced: false }));
  const result = await flushQueued(options, queued, [...customerOf.values()], { deadlineMs });
  const byRow = new Map(result.items.map((o) => [o.outboxId, o]));
  return syncs.map((s) => {
    const o = s && s.crm === crm ? byRow.get(s.outboxId) : undefined;
    if (!s || !o) return s;
    const base = { crm: s.crm, outboxId: s.outboxId, fields: s.fields };
    switch (o.status) {
      case 'synced':
        return { ...base, status: 'synced', crmId: o.crmId };
      case 'rejected':
      case 'dead':
        return { ...base, status: o.status, reason: o.reason };
      case 'queued':
        return { ...base, status: 'queued', reason: o.reason, nextAttemptAt: o.nextAttemptAt };
    }
  });
}

function fieldItem(customerId: string, fields: Record<string, FieldValue>): OutboxItem {
  return { kind: 'fields', record: { customerExternalId: customerId, fields } };
}

/** The CRM account a face picked must be for the CRM it chose: fields must never land in another CRM. */
export function checkAccountCrm(target: FieldsTarget, accountCrm: string, field = 'CRM account'): void {
  if (accountCrm !== target.crm) {
    throw new InputError(field, `is a ${accountCrm} account, but the fields go to ${target.crm}`, `pick a ${target.crm} account, or choose ${accountCrm} as the CRM`);
  }
}

/** Puts a flush's answers back on the step results that queued them (segment / loyalty, in item order). */
export async function flushResultsFields(
  options: { db: SqlDatabase; adapter: CrmAdapter } & Pick<DrainOptions, 'now' | 'sleep' | 'owner'>,
  results: readonly ({ crmSync?: FieldSync } | undefined)[],
  deadlineMs: number,
): Promise<void> {
  const synced = await flushFieldUpdates(options, results.map((r) => r?.crmSync), deadlineMs);
  results.forEach((r, i) => {
    if (r && synced[i]) r.crmSync = synced[i];
  });
}
