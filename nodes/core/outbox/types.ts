import type { CrmCustomer, CrmFieldUpdate, CrmPayment } from '../crm/saas/crm-adapter';

/** What an outbox row writes: a customer upsert, a payment's current state, or fields on a customer. */
export type OutboxKind = 'customer' | 'payment' | 'fields';
export const OUTBOX_KINDS: readonly OutboxKind[] = ['customer', 'payment', 'fields'];

/**
 * pending: waits (maybe until next_attempt_at); inflight: claimed by a drainer until claimed_until;
 * synced: the CRM has it (kept a while for the record, see OutboxPolicy.keepSyncedMs); rejected: the CRM refused
 * its content (not retried); dead: retried until the policy gave up, an alert was raised.
 */
export type OutboxState = 'pending' | 'inflight' | 'synced' | 'rejected' | 'dead';
export const OUTBOX_STATES: readonly OutboxState[] = ['pending', 'inflight', 'synced', 'rejected', 'dead'];

/** One write for the outbox; the record is exactly what the CRM port takes. */
export type OutboxItem =
  | { kind: 'customer'; record: CrmCustomer }
  | { kind: 'payment'; record: CrmPayment }
  | { kind: 'fields'; record: CrmFieldUpdate };

/** The CRM's external id of the record an item writes: the pack's customer id, or "<source>:<paymentId>". */
export function externalIdOf(item: OutboxItem): string {
  return item.kind === 'fields' ? item.record.customerExternalId : item.record.externalId;
}

/** The pack's customer the record belongs to (for a customer, itself): payments and fields wait for its upsert. */
export function customerExternalIdOf(item: OutboxItem): string {
  return item.kind === 'customer' ? item.record.externalId : item.record.customerExternalId;
}

/** Which crm_links entry a row's CRM id belongs to: fields are written on the customer's record. */
export function linkKindOf(kind: OutboxKind): 'customer' | 'payment' {
  return kind === 'payment' ? 'payment' : 'customer';
}

/** How the outbox retries, gives up and keeps history. */
export interface OutboxPolicy {
  /** A row that failed this many times is dead (alert). Default 30 (about a day with the default backoff). */
  maxAttempts: number;
  /** A row first queued this long ago and still failing is dead, whatever its attempts. Default 72 h. */
  maxAgeMs: number;
  /** First retry after about this long, doubling per attempt (with jitter) up to maxDelayMs. Default 2 s, 1 h. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** How long a claim holds before another drainer may take the rows (a drainer that crashed). Default 5 min. */
  leaseMs: number;
  /** Synced rows are deleted this long after (crm_links keeps the CRM id). Default 24 h. */
  keepSyncedMs: number;
  /** Whole batches failing in a row (CRM down) after which one drain run gives up until its next run. Default 3. */
  maxConsecutiveFailures: number;
}

export const DEFAULT_OUTBOX_POLICY: OutboxPolicy = {
  maxAttempts: 30,
  maxAgeMs: 72 * 3_600_000,
  baseDelayMs: 2_000,
  maxDelayMs: 3_600_000,
  leaseMs: 5 * 60_000,
  keepSyncedMs: 24 * 3_600_000,
  maxConsecutiveFailures: 3,
};

/** Raised when a row dies: what `drain` returns and `outbox_alerts` keeps, for someone to look at. */
export interface OutboxAlert {
  kind: 'crm-dead';
  crm: string;
  recordKind: OutboxKind;
  externalId: string;
  outboxId: string;
  /** The CRM's (or the drain's) last reason. */
  reason: string;
  attempts: number;
  at: string;
}

/** An outbox row as the store holds it. */
export interface OutboxRow {
  id: string;
  crm: string;
  kind: OutboxKind;
  externalId: string;
  customerExternalId: string;
  payload: unknown;
  state: OutboxState;
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  claimedBy: string | null;
  claimedUntil: string | null;
  crmId: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface OutboxRowRecord {
  id: string;
  crm: string;
  kind: string;
  external_id: string;
  customer_external_id: string;
  payload: string;
  state: string;
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  claimed_by: string | null;
  claimed_until: string | null;
  crm_id: string | null;
  created_at: string;
  updated_at: string;
}

export const ROW_COLUMNS =
  'id, crm, kind, external_id, customer_external_id, payload, state, attempts, next_attempt_at, last_error, claimed_by, claimed_until, crm_id, created_at, updated_at';

export function rowFromRecord(r: OutboxRowRecord): OutboxRow {
  return {
    id: r.id,
    crm: r.crm,
    kind: r.kind as OutboxKind,
    externalId: r.external_id,
    customerExternalId: r.customer_external_id,
    payload: JSON.parse(r.payload) as unknown,
    state: r.state as OutboxState,
    attempts: Number(r.attempts),
    nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error,
    claimedBy: r.claimed_by,
    claimedUntil: r.claimed_until,
    crmId: r.crm_id,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
