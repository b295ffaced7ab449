import type { SqlDatabase } from '../store/sql-database';
import { foldIntoNewer, raiseDeadAlert, type ClaimedRow } from './settle';
import { givenUpReason, isGivenUp, retryDelayMs } from './retry-policy';
import type { OutboxAlert, OutboxKind, OutboxPolicy } from './types';

export interface ClaimRequest {
  crm: string;
  kind: OutboxKind;
  owner: string;
  now: number;
  leaseMs: number;
  limit: number;
  /** Only these rows (flushNow drains what it just queued). */
  only?: readonly string[];
}

/**
 * Takes up to `limit` due rows of one kind for this drainer until the lease ends, oldest first, in one statement.
 *
 * On Postgres the candidate rows are locked with FOR UPDATE SKIP LOCKED, so drainers claiming at the same moment
 * each take different rows without waiting for each other; the statement runs on its own (read committed), where
 * a row another drainer changed after the snapshot is checked again once its lock is free. SQLite has one writer
 * at a time, so the same UPDATE is already exclusive.
 *
 * Two rules keep the CRM's state right when several drainers run:
 * - a record is never out twice at once: a row waits while an older write of the same record is in flight, so a
 *   slow older write cannot land after a newer one;
 * - ordering: a payment or field update waits while its customer's upsert is pending or in flight in the same
 *   CRM, so it goes out once the CRM has the customer and carries the customer's CRM id (from crm_links). A
 *   customer that is not queued at all, or whose upsert was rejected or is dead, holds nothing up: then the
 *   adapter decides (HubSpot writes the deal and answers `retry` until the contact exists).
 */
export async function claimBatch(db: SqlDatabase, r: ClaimRequest): Promise<ClaimedRow[]> {
  const customerGate =
    r.kind === 'customer'
      ? ''
      : `AND (SELECT 1 FROM outbox c WHERE c.crm = o.crm AND c.kind = 'customer' AND c.external_id = o.customer_external_id AND c.state = 'pending' LIMIT 1) IS NULL
         AND (SELECT 1 FROM outbox c WHERE c.crm = o.crm AND c.kind = 'customer' AND c.external_id = o.customer_external_id AND c.state = 'inflight' LIMIT 1) IS NULL`;
  const only = r.only ? `AND o.id IN (${r.only.map(() => '?').join(', ') || 'NULL'})` : '';
  const lock = db.dialect === 'postgres' ? 'FOR UPDATE OF o SKIP LOCKED' : '';
  // The candidates are picked once (a materialized CTE) and then updated: a LIMIT inside `id IN (subquery)` may be
  // evaluated more than once by Postgres' planner and so claim more rows than asked. The two checks are scalar
  // subqueries with LIMIT, not NOT EXISTS: Postgres turns NOT EXISTS into an anti-join whose plan follows the
  // table's statistics, and right after a large backfill (not analyzed yet) it chose one that scans every row of
  // the kind for each candidate; a scalar subquery is planned on its own, as the index lookup by external id it is.
  const sql = `
    WITH picked AS MATERIALIZED (
      SELECT o.id FROM outbox o
      WHERE o.crm = ? AND o.kind = ? AND o.state = 'pending' AND o.next_attempt_at <= ?
        AND (SELECT 1 FROM outbox s WHERE s.crm = o.crm AND s.kind = o.kind AND s.external_id = o.external_id AND s.state = 'inflight' LIMIT 1) IS NULL
        ${customerGate}
        ${only}
      ORDER BY o.next_attempt_at, o.created_at, o.id
      LIMIT ?
      ${lock}
    )
    UPDATE outbox SET state = 'inflight', claimed_by = ?, claimed_until = ?, updated_at = ?
    FROM picked WHERE outbox.id = picked.id AND outbox.state = 'pending'
    RETURNING outbox.id, outbox.kind, outbox.external_id, outbox.customer_external_id, outbox.payload, outbox.attempts, outbox.created_at, outbox.next_attempt_at`;
  const now = new Date(r.now).toISOString();
  const params = [r.crm, r.kind, now, ...(r.only ?? []), r.limit, r.owner, new Date(r.now + r.leaseMs).toISOString(), now];
  // SQLite: through the store's transaction queue, so the claim never lands inside another caller's open transaction.
  const rows =
    db.dialect === 'sqlite'
      ? await db.transaction((tx) => tx.all<ClaimedRecord>(sql, params))
      : await db.all<ClaimedRecord>(sql, params);
  // RETURNING gives no order; the batch goes out oldest first.
  rows.sort((a, b) => (a.next_attempt_at < b.next_attempt_at ? -1 : a.next_attempt_at > b.next_attempt_at ? 1 : a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.id < b.id ? -1 : 1));
  return rows.map((x) => ({
    id: x.id,
    kind: x.kind as OutboxKind,
    externalId: x.external_id,
    customerExternalId: x.customer_external_id,
    payload: JSON.parse(x.payload) as unknown,
    attempts: Number(x.attempts),
    createdAt: x.created_at,
  }));
}

interface ClaimedRecord {
  id: string;
  kind: string;
  external_id: string;
  customer_external_id: string;
  payload: string;
  attempts: number;
  created_at: string;
  next_attempt_at: string;
}

/**
 * Rows whose drainer's lease ran out (it crashed, or was stopped mid-batch) wait again. The CRM may or may not
 * have received them; sending again is safe, every write is keyed by its external id. The lost try counts as an
 * attempt, so a record that brings its drainer down every time ends dead instead of looping. A row whose record
 * was queued again meanwhile is dropped: the newer row carries the latest state (a field update's fields are
 * folded into it, since it carries only those written since).
 */
export async function reclaimExpired(db: SqlDatabase, crm: string, now: number, policy: OutboxPolicy, random: () => number): Promise<OutboxAlert[]> {
  const at = new Date(now).toISOString();
  const expired = await db.all<{ id: string; kind: string; external_id: string; payload: string; attempts: number; created_at: string; claimed_by: string | null; claimed_until: string }>(
    "SELECT id, kind, external_id, payload, attempts, created_at, claimed_by, claimed_until FROM outbox WHERE crm = ? AND state = 'inflight' AND claimed_until <= ?",
    [crm, at],
  );
  const alerts: OutboxAlert[] = [];
  for (const x of expired) {
    const alert = await db.transaction(async (tx) => {
      const row = { id: x.id, kind: x.kind as OutboxKind, externalId: x.external_id };
      const guard = "id = ? AND state = 'inflight' AND claimed_until = ?";
      const newer = await tx.get<{ id: string; payload: string }>("SELECT id, payload FROM outbox WHERE crm = ? AND kind = ? AND external_id = ? AND state = 'pending'", [crm, x.kind, x.external_id]);
      if (newer) {
        const { changes } = await tx.run(`DELETE FROM outbox WHERE ${guard}`, [x.id, x.claimed_until]);
        if (changes === 1) await foldIntoNewer(tx, { kind: row.kind, payload: JSON.parse(x.payload) as unknown }, newer, now);
        return undefined;
      }
      const attempts = Number(x.attempts) + 1;
      const reason = `the drainer ${x.claimed_by ?? '?'} did not finish within its lease (it stopped or crashed); the write may or may not have reached the CRM, and is sent again`;
      if (isGivenUp(policy, attempts, x.created_at, now)) {
        const why = givenUpReason(policy, attempts, x.created_at, now, reason);
        const { changes } = await tx.run(
          `UPDATE outbox SET state = 'dead', attempts = ?, last_error = ?, claimed_by = NULL, claimed_until = NULL, updated_at = ? WHERE ${guard}`,
          [attempts, why, at, x.id, x.claimed_until],
        );
        return changes === 1 ? raiseDeadAlert(tx, { crm, now }, row, why, attempts) : undefined;
      }
      const next = new Date(now + retryDelayMs(policy, attempts, random)).toISOString();
      await tx.run(
        `UPDATE outbox SET state = 'pending', attempts = ?, next_attempt_at = ?, last_error = ?, claimed_by = NULL, claimed_until = NULL, updated_at = ? WHERE ${guard}`,
        [attempts, next, reason, at, x.id, x.claimed_until],
      );
      return undefined;
    });
    if (alert) alerts.push(alert);
  }
  return alerts;
}
