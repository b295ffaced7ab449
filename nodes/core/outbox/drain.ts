import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { CrmAdapter, CrmCustomer, CrmFieldUpdate, CrmItemResult, CrmLimits, CrmPayment } from '../crm/saas/crm-adapter';
import { CrmAuthError, CrmConfigError, CrmRateLimitError, CrmTransientError, CrmValidationError } from '../crm/saas/crm-errors';
import type { SqlDatabase } from '../store/sql-database';
import { claimBatch, reclaimExpired } from './claim';
import { drainCall, LeaseLostError, pacingFor, PacingDeadlineError } from '../crm/saas/paced-transport';
import { activePause, pauseCrm } from './pauses';
import { scrubPan } from '../pan-scrub';
import type { Release } from '../crm/saas/rate-limiter';
import { recordsFor } from './records';
import { refusedCustomersOf } from './refused-customers';
import { markFailed, releaseAll as releaseRows, settleBatch, type ClaimedRow, type RowOutcome, type SettleContext } from './settle';
import { DEFAULT_OUTBOX_POLICY, OUTBOX_KINDS, type OutboxAlert, type OutboxKind, type OutboxPolicy } from './types';

export interface DrainOptions {
  db: SqlDatabase;
  adapter: CrmAdapter;
  /** Overrides of the adapter's documented limits: a smaller batch, or a share of the rate when instances split it. */
  limits?: Partial<CrmLimits>;
  policy?: Partial<OutboxPolicy>;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Who claims (shown in the outbox and in lease messages); default host:pid:random. */
  owner?: string;
  /** Stop after this many batches. */
  maxBatches?: number;
  /** Stop starting batches after this long; a batch under way finishes. */
  deadlineMs?: number;
  random?: () => number;
  /** Only these outbox rows (flushNow). */
  only?: readonly string[];
  /**
   * Batches in flight at once (default 4): a CRM answers a batch in a few hundred milliseconds, longer than its
   * rate allows between requests (HubSpot: 53 ms), so one at a time would use a fraction of the budget. The rate
   * limiter counts requests in flight, so this never sends faster than the CRM allows.
   */
  concurrency?: number;
}

/** Why a drain stopped before the outbox was empty of due rows. `message` says what happened and what to do. */
export interface DrainStop {
  kind: 'rate-limit' | 'auth' | 'config' | 'transient' | 'error';
  message: string;
  /** A rate limit that stops everything (a daily cap): nothing goes to this CRM before then, from any drainer. */
  until?: string;
}

export interface DrainResult {
  crm: string;
  owner: string;
  /** drained: nothing due is left; deadline / max-batches: stopped as asked; stopped: see `stop`. */
  ended: 'drained' | 'deadline' | 'max-batches' | 'stopped';
  stop?: DrainStop;
  /** Adapter calls made. */
  batches: number;
  counts: Record<RowOutcome['status'], number>;
  /** Batches the CRM answered with a rate limit. */
  rateLimited: number;
  /** One per claimed row, in the order they were settled. */
  outcomes: RowOutcome[];
  alerts: OutboxAlert[];
  /** Rows of this CRM still waiting, and when the first of them is due (null: none). */
  waiting: number;
  nextAttemptAt: string | null;
  /** What the adapter falls back on that an operator should know (CrmAdapter.notes), as it stands at the run's end. */
  notes?: string[];
}

/** 429s in a row after which a run gives up until its next run (the CRM, or other instances, use the budget). */
const MAX_RATE_LIMITS_IN_A_ROW = 10;

/**
 * Sends what waits in the outbox for one CRM, a batch at a time, and records each record's outcome.
 *
 * Batches are one kind each, in the adapter's batch size, customers first (see claim.ts for the ordering rule),
 * each request paced by the CRM's limiter (crm/saas/rate-limiter.ts). Per record: synced (the CRM id goes to crm_links),
 * rejected (the CRM's reason is kept; not retried), ambiguous (kept as rejected, with the candidates, for a
 * person), retry (backoff, then dead with an alert), refused for rate (released, no attempt counted, and the run
 * waits as for a batch refused for rate). For the whole batch: a rolling rate limit waits as the CRM
 * says and carries on; a daily cap pauses the CRM for every drainer until it resets and ends the run; a refused
 * credential or a setup error ends the run with the CRM's message (records wait, no attempt counted); a CRM that
 * is down counts an attempt on each record and ends the run after a few failed batches in a row.
 */
export async function drain(options: DrainOptions): Promise<DrainResult> {
  const { db, adapter } = options;
  const crm = adapter.name;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const policy: OutboxPolicy = { ...DEFAULT_OUTBOX_POLICY, ...options.policy };
  const random = options.random ?? Math.random;
  const owner = options.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const pacing = pacingFor(adapter, { now, sleep }, options.limits);
  const claimLimit = claimLimits(adapter.limits, options.limits, pacing.perRequest);
  const deadline = options.deadlineMs === undefined ? undefined : now() + options.deadlineMs;

  const result: DrainResult = {
    crm,
    owner,
    ended: 'drained',
    batches: 0,
    counts: { synced: 0, rejected: 0, retry: 0, dead: 0, released: 0, superseded: 0, lost: 0 },
    rateLimited: 0,
    outcomes: [],
    alerts: [],
    waiting: 0,
    nextAttemptAt: null,
  };
  const record = (outs: readonly RowOutcome[], alerts: readonly OutboxAlert[] = []) => {
    for (const o of outs) result.counts[o.status]++;
    result.outcomes.push(...outs);
    result.alerts.push(...alerts);
  };
  const ctx = (): SettleContext => ({ crm, owner, now: now(), policy, random });
  const releaseAll = async (rows: readonly ClaimedRow[], reason: string, at: number, keepEarlierReason = false) =>
    record(await db.transaction((tx) => releaseRows(tx, ctx(), rows, reason, at, keepEarlierReason)));
  const failAll = async (rows: readonly ClaimedRow[], reason: string, atLeastMs?: number) => {
    const settled = await db.transaction(async (tx) => {
      const outs: RowOutcome[] = [];
      const alerts: OutboxAlert[] = [];
      for (const row of rows) {
        const { outcome, alert } = await markFailed(tx, ctx(), row, reason, atLeastMs);
        outs.push(outcome);
        if (alert) alerts.push(alert);
      }
      return { outs, alerts };
    });
    record(settled.outs, settled.alerts);
  };

  const paused = await activePause(db, crm, now());
  if (paused) {
    result.ended = 'stopped';
    result.stop = { kind: 'rate-limit', message: paused.reason, until: paused.until };
    return finish(db, result, adapter);
  }
  if (!options.only) {
    await db.run("DELETE FROM outbox WHERE crm = ? AND state = 'synced' AND updated_at < ?", [crm, new Date(now() - policy.keepSyncedMs).toISOString()]);
    record([], await reclaimExpired(db, crm, now(), policy, random));
  }

  let failuresInARow = 0;
  let rateLimitsInARow = 0;
  let started = 0;
  let done = false;
  /** A limit the caller set was reached: the worker that sees it stops, the others finish their batch. */
  let limitReached: 'max-batches' | 'deadline' | undefined;
  const end = (ended: DrainResult['ended'], stop?: DrainStop) => {
    if (done) return;
    done = true;
    result.ended = ended;
    // The CRM's own errors are scrubbed when built; an adapter's or a driver's other error may quote a record too.
    if (stop) result.stop = { ...stop, message: scrubPan(stop.message) };
  };

  // A drainer's workers claim one after another: claims are quick alone, and on Postgres concurrent claims
  // scanning the same rows (each locking, skipping and re-checking what the other just took) are not.
  let claiming: Promise<unknown> = Promise.resolve();
  const claimOneAtATime = <T>(claim: () => Promise<T>): Promise<T> => {
    const next = claiming.then(claim, claim);
    claiming = next.catch(() => undefined);
    return next;
  };

  // Workers holding a batch, and those waiting for one to settle (which may free rows: a customer's payments).
  let busy = 0;
  const waiters: (() => void)[] = [];
  const settledOne = () => {
    busy--;
    for (const wake of waiters.splice(0)) wake();
  };

  /** One batch at a time: claim, send, settle. Several run at once so the CRM's round trips overlap. */
  const worker = async (): Promise<void> => {
    while (!done) {
      if (options.maxBatches !== undefined && started >= options.maxBatches) return void (limitReached ??= 'max-batches');
      if (deadline !== undefined && (now() >= deadline || pacing.limiter.nextStartAt() > deadline)) return void (limitReached ??= 'deadline');
      started++;
      busy++;
      const rows = await claimOneAtATime(() => claimNext(db, { crm, owner, now: now(), leaseMs: policy.leaseMs, limit: claimLimit, ...(options.only ? { only: options.only } : {}) }));
      if (rows.length === 0) {
        started--;
        if (busy === 1) {
          settledOne();
          return;
        }
        // Nothing due now; but a batch still out may free rows when it settles (the payments of its customers).
        busy--;
        await new Promise<void>((resolve) => waiters.push(resolve));
        continue;
      }
      try {
        await sendBatch(rows);
      } finally {
        settledOne();
      }
    }
  };

  const sendBatch = async (claimed: readonly ClaimedRow[]): Promise<void> => {
    const claimedAt = now();
    // Payments and fields of a customer the CRM refused are refused with it (its reason): fix the customer first.
    const refused = await refusedCustomersOf(db, crm, claimed);
    const rows = refused.size ? claimed.filter((r) => r.kind === 'customer' || !refused.has(r.customerExternalId)) : claimed;
    if (rows.length < claimed.length) {
      const blocked = claimed.filter((r) => !rows.includes(r));
      const settled = await settleBatch(db, ctx(), blocked, blocked.map((r) => ({
        externalId: r.externalId,
        status: 'rejected' as const,
        reason: `its customer ${r.customerExternalId} was refused by ${crm}: ${refused.get(r.customerExternalId)} — fix the customer, then queue it again`,
      })));
      record(settled.outs, settled.alerts);
      if (rows.length === 0) return;
    }
    if (done) {
      // A row the run's stop released and another worker claimed again keeps the stop's reason (the CRM's word).
      await releaseAll(rows, 'not sent: the drain run was ending', now(), true);
      return;
    }
    let slot: Release | undefined;
    if (!pacing.perRequest) {
      slot = await pacing.limiter.acquire(deadline === undefined ? {} : { deadline });
      if (!slot) {
        await releaseAll(rows, 'not sent: the drain run ended before the CRM rate limit allowed another request', now(), true);
        return void (limitReached ??= 'deadline');
      }
    }
    result.batches++;
    const lease = leaseKeeper(db, { owner, now, leaseMs: policy.leaseMs, claimedAt }, rows);
    let results: CrmItemResult[];
    try {
      const records = await recordsFor(db, crm, rows);
      // The wait for the rate limit may have outlasted the lease: the batch goes only while its rows are still ours
      // (checked again before each paced request), so an older state never lands after a newer one another drainer sent.
      await lease.keep();
      results = await drainCall.run({ keepLease: lease.keep, ...(deadline === undefined ? {} : { deadline }) }, () => send(adapter, rows[0]!.kind, records));
    } catch (e) {
      slot?.();
      if (e instanceof LeaseLostError) {
        const lost = rows.filter((row) => e.lostIds.includes(row.id));
        record(lost.map((row) => ({ id: row.id, kind: row.kind, externalId: row.externalId, status: 'lost' as const })));
        const held = rows.filter((row) => !lost.includes(row));
        // What went out of the batch before its lease was lost is written again on its turn: every write is keyed.
        if (held.length > 0) await releaseAll(held, 'not sent: the rate limit held the batch past its lease and another drainer took part of it', now(), true);
        return;
      }
      if (e instanceof PacingDeadlineError) {
        // What went out of this batch before the wait is written again next time: every write is keyed.
        await releaseAll(rows, e.message, now(), true);
        return void (limitReached ??= 'deadline');
      }
      await onBatchError(e, rows);
      return;
    }
    slot?.();
    failuresInARow = 0;
    const settled = await settleBatch(db, ctx(), rows, results);
    record(settled.outs, settled.alerts);
    // Some records refused for rate (a 429 in a $batch part) while others went through: the CRM's wait holds for
    // every request as when the whole batch is refused; sending on would only lengthen it (Dataverse extends the
    // wait of a client that keeps sending). settleBatch released those records without counting an attempt.
    const limited = results.flatMap((r) => (r.status === 'retry' && r.error instanceof CrmRateLimitError ? [r.error] : []));
    if (limited.length === 0) rateLimitsInARow = 0;
    else await onRateLimit(limited.find((e) => e.policy === 'stop') ?? limited.reduce((a, b) => (b.retryAfterMs > a.retryAfterMs ? b : a)));
  };

  /** The CRM refused for rate: wait as it says (rolling window), or pause it for every drainer (a daily cap). */
  const onRateLimit = async (e: CrmRateLimitError, rows: readonly ClaimedRow[] = []): Promise<void> => {
    result.rateLimited++;
    if (e.policy === 'stop') {
      const until = now() + e.retryAfterMs;
      await pauseCrm(db, crm, until, e.message, now());
      if (rows.length > 0) await releaseAll(rows, e.message, until);
      return end('stopped', { kind: 'rate-limit', message: e.message, until: new Date(until).toISOString() });
    }
    // A rolling window: wait as long as the CRM says (the limiter holds every request), then the same records go.
    pacing.limiter.pauseFor(e.retryAfterMs);
    if (rows.length > 0) await releaseAll(rows, e.message, now());
    if (++rateLimitsInARow >= MAX_RATE_LIMITS_IN_A_ROW) {
      end('stopped', { kind: 'rate-limit', message: `${e.message} (${rateLimitsInARow} batches in a row; the next run carries on)` });
    }
  };

  /** What fails the whole batch decides what the run does next (see drain's comment). */
  const onBatchError = async (e: unknown, rows: readonly ClaimedRow[]): Promise<void> => {
    if (e instanceof CrmRateLimitError) return onRateLimit(e, rows);
    if (e instanceof CrmAuthError || e instanceof CrmConfigError || e instanceof CrmValidationError) {
      // Nothing is wrong with the records: they wait, without an attempt counted, until an operator fixes it.
      await releaseAll(rows, e.message, now());
      return end('stopped', { kind: e instanceof CrmAuthError ? 'auth' : 'config', message: e.message });
    }
    const message = e instanceof Error ? e.message : String(e);
    await failAll(rows, message, e instanceof CrmTransientError ? e.retryAfterMs : undefined);
    if (!(e instanceof CrmTransientError)) return end('stopped', { kind: 'error', message: `unexpected error from the ${crm} adapter: ${message}` });
    rateLimitsInARow = 0;
    if (++failuresInARow >= policy.maxConsecutiveFailures) {
      end('stopped', { kind: 'transient', message: `${message} (${failuresInARow} batches in a row failed; the records retry later)` });
    }
  };

  // A worker that fails (the store went away) stops the others after their batch; the run then throws its error.
  const failures: unknown[] = [];
  const guarded = () =>
    worker().catch((e: unknown) => {
      failures.push(e);
      end('stopped', { kind: 'error', message: e instanceof Error ? e.message : String(e) });
    });
  await Promise.all(Array.from({ length: Math.max(1, Math.floor(options.concurrency ?? 4)) }, guarded));
  if (failures.length > 0) throw failures[0];
  if (!done && limitReached) end(limitReached);
  return finish(db, result, adapter);
}

/**
 * Keeps a batch's claim while it waits to go out: once half the lease is gone, the lease is renewed for the rows this
 * drainer still holds (no other drainer took them: they stay its own even past claimed_until); `keep` throws
 * LeaseLostError naming the rows another drainer took, so none of the batch is sent as it stands.
 */
function leaseKeeper(db: SqlDatabase, o: { owner: string; now: () => number; leaseMs: number; claimedAt: number }, rows: readonly ClaimedRow[]): { keep: () => Promise<void> } {
  let renewAt = o.claimedAt + o.leaseMs / 2;
  return {
    keep: async () => {
      const t = o.now();
      if (t < renewAt) return;
      const held = new Set<string>();
      for (let i = 0; i < rows.length; i += 500) {
        const chunk = rows.slice(i, i + 500);
        const sql = `UPDATE outbox SET claimed_until = ? WHERE claimed_by = ? AND state = 'inflight' AND id IN (${chunk.map(() => '?').join(', ')}) RETURNING id`;
        const params = [new Date(t + o.leaseMs).toISOString(), o.owner, ...chunk.map((r) => r.id)];
        const renewed = db.dialect === 'sqlite' ? await db.transaction((tx) => tx.all<{ id: string }>(sql, params)) : await db.all<{ id: string }>(sql, params);
        for (const r of renewed) held.add(r.id);
      }
      const lost = rows.filter((r) => !held.has(r.id));
      if (lost.length > 0) throw new LeaseLostError(lost.map((r) => r.id));
      renewAt = t + o.leaseMs / 2;
    },
  };
}

/**
 * Records per adapter call, by kind: the adapter's batch size, or its larger `recordsPerCall` when every request
 * is paced (a call then counts as the requests it makes). A batch size the caller set wins over both.
 */
function claimLimits(limits: CrmLimits, overrides: Partial<CrmLimits> | undefined, perRequest: boolean): (kind: OutboxKind) => number {
  const size = (n: number) => Math.max(1, Math.floor(n));
  if (overrides?.batchSize !== undefined) return () => size(overrides.batchSize!);
  return (kind) => size((perRequest && limits.recordsPerCall?.[kind]) || limits.batchSize);
}

/** The next batch: customers first, then payments, then field updates (claim.ts explains why). */
async function claimNext(db: SqlDatabase, r: Omit<Parameters<typeof claimBatch>[1], 'kind' | 'limit'> & { limit: (kind: OutboxKind) => number }): Promise<ClaimedRow[]> {
  for (const kind of OUTBOX_KINDS) {
    const rows = await claimBatch(db, { ...r, kind, limit: r.limit(kind) });
    if (rows.length > 0) return rows;
  }
  return [];
}

function send(adapter: CrmAdapter, kind: OutboxKind, records: unknown[]): Promise<CrmItemResult[]> {
  if (kind === 'customer') return adapter.upsertCustomers(records as CrmCustomer[]);
  if (kind === 'payment') return adapter.upsertPayments(records as CrmPayment[]);
  return adapter.updateFields(records as CrmFieldUpdate[]);
}

async function finish(db: SqlDatabase, result: DrainResult, adapter: CrmAdapter): Promise<DrainResult> {
  const notes = adapter.notes?.() ?? [];
  if (notes.length) result.notes = [...notes];
  const left = await db.get<{ n: number; next: string | null }>("SELECT COUNT(*) AS n, MIN(next_attempt_at) AS next FROM outbox WHERE crm = ? AND state = 'pending'", [result.crm]);
  result.waiting = Number(left?.n ?? 0);
  result.nextAttemptAt = left?.next ?? null;
  return result;
}
