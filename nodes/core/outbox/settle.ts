import { randomUUID } from 'node:crypto';
import type { CrmFieldUpdate, CrmItemResult } from '../crm/saas/crm-adapter';
import { CrmRateLimitError } from '../crm/saas/crm-errors';
import type { SqlDatabase, SqlExecutor } from '../store/sql-database';
import { scrubPan } from '../pan-scrub';
import { saveLinks } from './links';
import { givenUpReason, isGivenUp, retryDelayMs } from './retry-policy';
import { linkKindOf, type OutboxAlert, type OutboxKind, type OutboxPolicy } from './types';

/** A row a drainer holds: what it claimed, as it claimed it. */
export interface ClaimedRow {
  id: string;
  kind: OutboxKind;
  externalId: string;
  customerExternalId: string;
  payload: unknown;
  attempts: number;
  createdAt: string;
}

interface Base {
  id: string;
  kind: OutboxKind;
  externalId: string;
}

/**
 * What became of one claimed row in this drain. `released`: back to waiting without counting an attempt (the
 * CRM's rate limit, its credential, our deadline); `superseded`: a newer state of the record was queued meanwhile
 * and goes instead; `lost`: this drainer's lease ran out and another drainer owns the row now.
 */
export type RowOutcome =
  /** `notes`: what the adapter fitted to the CRM's lengths in the record it wrote (CrmItemResult), if anything. */
  | (Base & { status: 'synced'; crmId: string; notes?: string[] })
  | (Base & { status: 'rejected'; reason: string })
  | (Base & { status: 'retry'; reason: string; attempts: number; nextAttemptAt: string })
  | (Base & { status: 'dead'; reason: string; attempts: number })
  | (Base & { status: 'released'; reason: string; nextAttemptAt: string })
  | (Base & { status: 'superseded' })
  | (Base & { status: 'lost' });

export interface SettleContext {
  crm: string;
  owner: string;
  now: number;
  policy: OutboxPolicy;
  random: () => number;
}

const base = (row: ClaimedRow): Base => ({ id: row.id, kind: row.kind, externalId: row.externalId });
const iso = (ms: number) => new Date(ms).toISOString();
const HELD = "id = ? AND claimed_by = ? AND state = 'inflight'";

/**
 * The CRM has them: their ids go on the rows and into crm_links, where later payments and fields find them. One
 * statement for the rows and one for the links, however many records the batch had.
 */
export async function markSyncedAll(tx: SqlExecutor, ctx: SettleContext, synced: readonly { row: ClaimedRow; crmId: string; notes?: string[] }[]): Promise<RowOutcome[]> {
  if (synced.length === 0) return [];
  // The CRM's ids are true whoever holds the rows now, so the links are saved even for rows this drainer lost.
  await saveLinks(tx, synced.map(({ row, crmId }) => ({ crm: ctx.crm, kind: linkKindOf(row.kind), externalId: row.externalId, crmId })), new Date(ctx.now));
  const held = new Set<string>();
  for (let i = 0; i < synced.length; i += 200) {
    const chunk = synced.slice(i, i + 200);
    const updated = await tx.all<{ id: string }>(
      `UPDATE outbox SET state = 'synced', crm_id = v.column2, attempts = attempts + 1, last_error = NULL, claimed_by = NULL, claimed_until = NULL, updated_at = ?
       FROM (VALUES ${chunk.map(() => '(?, ?)').join(', ')}) AS v
       WHERE outbox.id = v.column1 AND outbox.claimed_by = ? AND outbox.state = 'inflight'
       RETURNING outbox.id`,
      [iso(ctx.now), ...chunk.flatMap(({ row, crmId }) => [row.id, crmId]), ctx.owner],
    );
    for (const u of updated) held.add(u.id);
  }
  return synced.map(({ row, crmId, notes }) => (held.has(row.id) ? { ...base(row), status: 'synced', crmId, ...(notes?.length ? { notes } : {}) } : { ...base(row), status: 'lost' }));
}

/**
 * The CRM refused the content: kept with its reason for a person, never sent again as it is. The reason is the CRM's
 * text, which may quote what it was sent: kept scrubbed of card data, as every message is (pan-scrub).
 */
export async function markRejected(tx: SqlExecutor, ctx: SettleContext, row: ClaimedRow, said: string): Promise<RowOutcome> {
  const reason = scrubPan(said);
  const { changes } = await tx.run(
    `UPDATE outbox SET state = 'rejected', attempts = attempts + 1, last_error = ?, claimed_by = NULL, claimed_until = NULL, updated_at = ? WHERE ${HELD}`,
    [reason, iso(ctx.now), row.id, ctx.owner],
  );
  return changes === 1 ? { ...base(row), status: 'rejected', reason } : { ...base(row), status: 'lost' };
}

/**
 * This try failed for a reason that may pass: an attempt is counted and the row waits (backoff), or, past the
 * policy's limits, it is dead and an alert is kept and returned.
 */
export async function markFailed(tx: SqlExecutor, ctx: SettleContext, row: ClaimedRow, said: string, atLeastMs = 0): Promise<{ outcome: RowOutcome; alert?: OutboxAlert }> {
  const reason = scrubPan(said);
  const attempts = row.attempts + 1;
  if (isGivenUp(ctx.policy, attempts, row.createdAt, ctx.now)) {
    const why = givenUpReason(ctx.policy, attempts, row.createdAt, ctx.now, reason);
    const { changes } = await tx.run(
      `UPDATE outbox SET state = 'dead', attempts = ?, last_error = ?, claimed_by = NULL, claimed_until = NULL, updated_at = ? WHERE ${HELD}`,
      [attempts, why, iso(ctx.now), row.id, ctx.owner],
    );
    if (changes !== 1) return { outcome: { ...base(row), status: 'lost' } };
    const alert = await raiseDeadAlert(tx, ctx, row, why, attempts);
    return { outcome: { ...base(row), status: 'dead', reason: why, attempts }, alert };
  }
  const next = ctx.now + retryDelayMs(ctx.policy, attempts, ctx.random, atLeastMs);
  const back = await backToPending(tx, ctx, row, { attempts, nextAttemptAt: iso(next), lastError: reason });
  return { outcome: back ?? { ...base(row), status: 'retry', reason, attempts, nextAttemptAt: iso(next) } };
}

/**
 * Back to waiting without counting an attempt: nothing was wrong with the record. With `keepEarlierReason`, a
 * reason the row already has (the CRM's 429 before our deadline came) stays: it says more than ours.
 */
export async function release(tx: SqlExecutor, ctx: SettleContext, row: ClaimedRow, reason: string, nextAttemptAt: number, keepEarlierReason = false): Promise<RowOutcome> {
  const back = await backToPending(tx, ctx, row, { attempts: row.attempts, nextAttemptAt: iso(nextAttemptAt), lastError: reason, keepEarlierReason });
  return back ?? { ...base(row), status: 'released', reason, nextAttemptAt: iso(nextAttemptAt) };
}

/** `release` for a whole batch: one statement for the rows that simply go back, one by one for the others. */
export async function releaseAll(tx: SqlExecutor, ctx: SettleContext, rows: readonly ClaimedRow[], reason: string, nextAttemptAt: number, keepEarlierReason = false): Promise<RowOutcome[]> {
  const back = new Set<string>();
  for (let i = 0; i < rows.length; i += 200) {
    const chunk = rows.slice(i, i + 200);
    const updated = await tx.all<{ id: string }>(
      `UPDATE outbox SET state = 'pending', next_attempt_at = ?, last_error = ${keepEarlierReason ? 'COALESCE(last_error, ?)' : '?'}, claimed_by = NULL, claimed_until = NULL, updated_at = ?
       WHERE claimed_by = ? AND state = 'inflight' AND id IN (${chunk.map(() => '?').join(', ')})
         AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.crm = outbox.crm AND p.kind = outbox.kind AND p.external_id = outbox.external_id AND p.state = 'pending')
       RETURNING id`,
      [iso(nextAttemptAt), reason, iso(ctx.now), ctx.owner, ...chunk.map((r) => r.id)],
    );
    for (const u of updated) back.add(u.id);
  }
  const outs: RowOutcome[] = [];
  for (const row of rows) {
    outs.push(back.has(row.id) ? { ...base(row), status: 'released', reason, nextAttemptAt: iso(nextAttemptAt) } : await release(tx, ctx, row, reason, nextAttemptAt, keepEarlierReason));
  }
  return outs;
}

export async function raiseDeadAlert(tx: SqlExecutor, ctx: Pick<SettleContext, 'crm' | 'now'>, row: Pick<ClaimedRow, 'id' | 'kind' | 'externalId'>, reason: string, attempts: number): Promise<OutboxAlert> {
  const alert: OutboxAlert = { kind: 'crm-dead', crm: ctx.crm, recordKind: row.kind, externalId: row.externalId, outboxId: row.id, reason, attempts, at: iso(ctx.now) };
  await tx.run(
    'INSERT INTO outbox_alerts (id, kind, crm, outbox_id, record_kind, external_id, reason, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    [randomUUID(), alert.kind, alert.crm, alert.outboxId, alert.recordKind, alert.externalId, alert.reason, alert.at],
  );
  return alert;
}

/**
 * Puts a held row back to waiting. When a newer state of the same record was queued while this one was out, the
 * newer row goes instead and this one is dropped (for field updates, its fields are folded into the newer row,
 * which carries only what was written since). Returns the outcome when the row did not simply go back.
 */
async function backToPending(
  tx: SqlExecutor,
  ctx: SettleContext,
  row: ClaimedRow,
  set: { attempts: number; nextAttemptAt: string; lastError: string; keepEarlierReason?: boolean },
): Promise<RowOutcome | undefined> {
  const newer = await tx.get<{ id: string; payload: string }>(
    "SELECT id, payload FROM outbox WHERE crm = ? AND kind = ? AND external_id = ? AND state = 'pending' AND id <> ?",
    [ctx.crm, row.kind, row.externalId, row.id],
  );
  if (newer) {
    const { changes } = await tx.run(`DELETE FROM outbox WHERE ${HELD}`, [row.id, ctx.owner]);
    if (changes !== 1) return { ...base(row), status: 'lost' };
    await foldIntoNewer(tx, row, newer, ctx.now);
    return { ...base(row), status: 'superseded' };
  }
  const { changes } = await tx.run(
    `UPDATE outbox SET state = 'pending', attempts = ?, next_attempt_at = ?, last_error = ${set.keepEarlierReason ? 'COALESCE(last_error, ?)' : '?'}, claimed_by = NULL, claimed_until = NULL, updated_at = ? WHERE ${HELD}`,
    [set.attempts, set.nextAttemptAt, set.lastError, iso(ctx.now), row.id, ctx.owner],
  );
  return changes === 1 ? undefined : { ...base(row), status: 'lost' };
}

/**
 * A row dropped for a newer state of its record: a customer or payment row carries the whole latest state, but a
 * field update only the fields written since, so the dropped row's fields go into the newer row (its own win).
 */
export async function foldIntoNewer(tx: SqlExecutor, row: { kind: OutboxKind; payload: unknown }, newer: { id: string; payload: string }, now: number): Promise<void> {
  if (row.kind !== 'fields') return;
  const older = row.payload as CrmFieldUpdate;
  const latest = JSON.parse(newer.payload) as CrmFieldUpdate;
  const merged: CrmFieldUpdate = { ...latest, customerCrmId: latest.customerCrmId ?? older.customerCrmId, fields: { ...older.fields, ...latest.fields } };
  await tx.run('UPDATE outbox SET payload = ?, updated_at = ? WHERE id = ?', [JSON.stringify(merged), iso(now), newer.id]);
}

/**
 * Records what the CRM answered for each record of a batch: synced, rejected (ambiguous ones too, with the
 * candidates, for a person), refused for rate (released until the CRM's wait is over), or failed for now (retry
 * with backoff, or dead with an alert).
 */
export async function settleBatch(db: SqlDatabase, ctx: SettleContext, rows: readonly ClaimedRow[], results: readonly CrmItemResult[]): Promise<{ outs: RowOutcome[]; alerts: OutboxAlert[] }> {
  const byId = new Map(results.map((r) => [r.externalId, r]));
  const synced: { row: ClaimedRow; crmId: string; notes?: string[] }[] = [];
  const others: ClaimedRow[] = [];
  for (const row of rows) {
    const r = byId.get(row.externalId);
    if (r?.status === 'synced') synced.push({ row, crmId: r.crmId, notes: r.notes });
    else others.push(row);
  }
  // Synced rows are two statements, each safe on its own (a link saved without its row updated is saved again
  // when the row is re-sent after its lease). On Postgres they run outside a serializable transaction: concurrent
  // drainers write neighbouring keys, which serializable isolation reads as conflicts and makes them run again.
  const outs =
    db.dialect === 'postgres' ? await markSyncedAll(db, ctx, synced) : await db.transaction((tx) => markSyncedAll(tx, ctx, synced));
  if (others.length === 0) return { outs, alerts: [] };
  const rest = await db.transaction(async (tx) => {
    const list: RowOutcome[] = [];
    const alerts: OutboxAlert[] = [];
    for (const row of others) {
      const r = byId.get(row.externalId);
      if (!r) {
        const { outcome, alert } = await markFailed(tx, ctx, row, `the ${ctx.crm} adapter returned no result for ${row.externalId}`);
        list.push(outcome);
        if (alert) alerts.push(alert);
      } else if (r.status === 'rejected') {
        list.push(await markRejected(tx, ctx, row, r.field && !r.reason.includes(r.field) ? `${r.reason} (field ${r.field})` : r.reason));
      } else if (r.status === 'ambiguous') {
        const candidates = r.candidates.length ? ` (CRM records: ${r.candidates.join(', ')})` : '';
        list.push(await markRejected(tx, ctx, row, `${r.reason}${candidates} — several CRM records could be this one: a person decides which, then queues it again`));
      } else if (r.status === 'retry' && r.error instanceof CrmRateLimitError) {
        // Refused for rate, as a whole batch can be: nothing is wrong with the record, so no attempt is counted (a
        // day of 429s must not give it up); the drain holds every request for the wait (drain.ts).
        list.push(await release(tx, ctx, row, r.error.message, ctx.now + r.error.retryAfterMs));
      } else if (r.status === 'retry') {
        const { outcome, alert } = await markFailed(tx, ctx, row, r.error.message, (r.error as { retryAfterMs?: number }).retryAfterMs);
        list.push(outcome);
        if (alert) alerts.push(alert);
      }
    }
    return { list, alerts };
  });
  return { outs: [...outs, ...rest.list], alerts: rest.alerts };
}
