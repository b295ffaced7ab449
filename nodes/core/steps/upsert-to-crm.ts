import { crmCustomersOf } from '../crm/saas/crm-customers-of';
import { SAAS_CRM_NAMES, isSaasCrmName, type SaasCrmName } from '../crm/crm-names';
import { recordSyncStates, syncKey, type RecordRef } from '../crm/crm-sync-state';
import type { CrmSync, PaymentMessage, RecordSync } from '../contracts/payment-message';
import { LocalSqlCrm } from '../crm/local-sql-crm';
import type { CrmAdapter, CrmPayment } from '../crm/saas/crm-adapter';
import { InputError } from '../errors';
import { crmPaymentsOf } from '../crm/saas/crm-payment';
import { paymentKeyOf } from '../ledger/ledger-event';
import { readRecords } from '../ledger/payment-rows';
import { placedEvents } from '../ledger/record-events';
import type { DrainOptions } from '../outbox/drain';
import { enqueue, outboxLockKeys } from '../outbox/enqueue';
import { flushNow } from '../outbox/flush-now';
import { carriedAsItIs } from '../outbox/queued-as-is';
import { externalIdOf, type OutboxItem } from '../outbox/types';
import type { SqlDatabase } from '../store/sql-database';
import { crmSyncOf } from './crm-sync';
import { upsertStep } from './steps';

/** How long CRM Upsert waits for the CRM's answer by default, and at most (a flow should not hang on a CRM). */
export const DEFAULT_CRM_WAIT_SECONDS = 10;
export const DEFAULT_CRM_WAIT_MS = DEFAULT_CRM_WAIT_SECONDS * 1000;
export const MAX_CRM_WAIT_MS = 120_000;

/** What CRM Upsert writes to: the store only, or the store and then a SaaS CRM through the outbox. */
export type UpsertCrmName = 'local' | SaasCrmName;
export const UPSERT_CRM_NAMES: readonly UpsertCrmName[] = ['local', ...SAAS_CRM_NAMES];

export function parseUpsertCrmName(value: unknown, field = 'crm'): UpsertCrmName {
  const name = (typeof value === 'string' ? value.trim().toLowerCase() : '') || 'local';
  if (name === 'local' || isSaasCrmName(name)) return name;
  throw new InputError(field, `"${name}" is not a CRM this step can write to`, `choose one of: ${UPSERT_CRM_NAMES.join(', ')}`);
}

/** "Wait for CRM (Seconds)" as milliseconds; blank means the default. */
export function crmWaitMs(seconds: unknown, field = 'waitSeconds'): number {
  if (seconds === undefined || seconds === null || seconds === '') return DEFAULT_CRM_WAIT_MS;
  const n = typeof seconds === 'number' ? seconds : Number(String(seconds).trim());
  if (!Number.isFinite(n) || n < 0 || n * 1000 > MAX_CRM_WAIT_MS) {
    throw new InputError(field, `${String(seconds)} is not a wait`, `give seconds from 0 to ${MAX_CRM_WAIT_MS / 1000} (what is not sent by then stays queued for CRM Sync)`);
  }
  return Math.round(n * 1000);
}

export interface SaasCrmTarget {
  crm: SaasCrmName;
  /**
   * Built only once the payments are recorded: a CRM account with a missing or wrong field then leaves them
   * queued with the reason, instead of failing a step whose local record is already written.
   */
  adapter: () => CrmAdapter;
  /** How long the step sends before it answers (default DEFAULT_CRM_WAIT_MS). */
  waitMs?: number;
  /** The drain's clock, policy and pacing (tests pass a fake clock). */
  drain?: Pick<DrainOptions, 'now' | 'sleep' | 'policy' | 'owner' | 'random' | 'limits' | 'concurrency'>;
}

/**
 * CRM Upsert. The store is the system of record: customers and the ledger are written there first, exactly as for
 * the local CRM. With a SaaS CRM, each item's customer (the store's record of them) and its payment's current
 * state in the ledger are then queued in the outbox and sent at once, the whole batch together, for at most
 * `waitMs`; `crm.sync` says per item what the CRM answered. Nothing waits on the CRM to be kept: what is not
 * sent by then, or what a refused credential held back, stays queued for the next CRM Sync.
 */
export async function upsertToCrmStep(payloads: readonly unknown[], db: SqlDatabase, target?: SaasCrmTarget): Promise<PaymentMessage[]> {
  const recorded = await upsertStep(payloads, new LocalSqlCrm(db));
  if (!target) return recorded;
  const syncs = await syncRecorded(db, target, recorded);
  return recorded.map((m, i) => ({ ...m, crm: { ...m.crm!, sync: syncs[i]! } }));
}

interface Planned {
  refs: RecordRef[];
  /** Why no payment record goes for this item (the item is then skipped). */
  skipped?: string;
}

async function syncRecorded(db: SqlDatabase, target: SaasCrmTarget, recorded: readonly PaymentMessage[]): Promise<CrmSync[]> {
  const { crm } = target;
  const now = target.drain?.now ?? Date.now;
  // Each item's payment as the ledger recorded it (the reversal of an unreferenced refund is the refund's own payment's).
  const placed = await placedEvents(db, recorded);
  const ledger = await readRecords(db, placed.map((m) => ({ source: m.source, paymentId: m.paymentId })));
  const records = await crmPaymentsOf(db, ledger);
  const payments = new Map<string, CrmPayment>();
  const plans = recorded.map((m, i): Planned => {
    const key = paymentKeyOf(placed[i]!);
    const stored = ledger.get(key);
    const payment = records.get(key) ?? null;
    if (payment) payments.set(payment.externalId, payment);
    const customers = [...new Set([payment?.customerExternalId, m.crm?.customerId].filter((c): c is string => Boolean(c)))];
    const refs: RecordRef[] = [...customers.map((externalId) => ({ kind: 'customer' as const, externalId })), ...(payment ? [{ kind: 'payment' as const, externalId: payment.externalId }] : [])];
    const skipped = payment
      ? undefined
      : stored && !stored.seen
        ? `payment ${key} has not arrived yet: its state goes to ${crm} when it does`
        : 'a payment of no known customer stays in the store only';
    return { refs, skipped };
  });
  const customers = await crmCustomersOf(db, plans.flatMap((p) => p.refs.filter((r) => r.kind === 'customer').map((r) => r.externalId)));

  // An event met again (a redelivery, a retried activity, the saga that records in one activity and syncs in the
  // next) says nothing about its records: a refund recorded since may have changed the payment, or the process
  // stopped between recording and queuing. Its records are reported as they stand only when the outbox already
  // carries them in exactly their current state and they no longer wait; otherwise they are queued (a waiting
  // row takes the same state and goes out with this flush). A record another item of the batch brings news of
  // (the customer of a new payment) is queued whatever.
  const fresh = new Set(plans.flatMap((p, i) => (recorded[i]!.crm?.outcome === 'duplicate' ? [] : p.refs.map((r) => syncKey(r.kind, r.externalId)))));
  const duplicates = plans.flatMap((p, i) => (recorded[i]!.crm?.outcome === 'duplicate' ? p.refs : [])).filter((r) => !fresh.has(syncKey(r.kind, r.externalId)));
  const itemOf = (ref: RecordRef): OutboxItem =>
    ref.kind === 'payment'
      ? { kind: 'payment', record: payments.get(ref.externalId)! }
      : { kind: 'customer', record: customers.get(ref.externalId) ?? { externalId: ref.externalId, profile: {} } };
  const newest = new Map<string, string>();
  // What was fitted to the CRM's lengths in each record this step writes, by sync key (none for one it only reports).
  const fitted = new Map<string, string[]>();
  const standing = duplicates.length ? await recordSyncStates(db, crm, duplicates, newest) : new Map<string, RecordSync>();
  const settled = new Map<string, RecordSync>();
  for (const ref of duplicates) {
    const key = syncKey(ref.kind, ref.externalId);
    const s = standing.get(key);
    if (s && carriedAsItIs(newest.get(key), itemOf(ref)) && !(s.status === 'queued' && s.nextAttemptAt !== null)) settled.set(key, s);
  }

  const items = new Map<string, OutboxItem>();
  for (const p of plans) {
    for (const ref of p.refs) {
      const key = syncKey(ref.kind, ref.externalId);
      if (settled.has(key) || items.has(key)) continue;
      items.set(key, itemOf(ref));
    }
  }
  // Customers first: their payments wait for them in the outbox anyway, and flushNow answers in this order.
  const queue = [...items.values()].sort((a, b) => Number(a.kind !== 'customer') - Number(b.kind !== 'customer'));
  if (queue.length) for (const [key, sync] of await flush(db, target, queue, now, fitted)) settled.set(key, sync);

  return plans.map((p) =>
    crmSyncOf(
      crm,
      p.refs.map((r) => settled.get(syncKey(r.kind, r.externalId))!),
      p.skipped,
      p.refs.flatMap((r) => fitted.get(syncKey(r.kind, r.externalId)) ?? []),
    ),
  );
}

/** Where each item stands once sent for at most the step's wait; `fitted` gets the notes of the records written. */
async function flush(db: SqlDatabase, target: SaasCrmTarget, items: readonly OutboxItem[], now: () => number, fitted: Map<string, string[]>): Promise<Map<string, RecordSync>> {
  const keyOf = (item: OutboxItem) => syncKey(item.kind, externalIdOf(item));
  let adapter: CrmAdapter;
  try {
    adapter = target.adapter();
  } catch (e) {
    // The CRM account cannot be used as it is: keep the writes queued, say why, and let the step succeed.
    const at = new Date(now());
    await db.transaction((tx) => enqueue(tx, target.crm, items, at), { lockKeys: outboxLockKeys(target.crm, items) });
    return queuedBecause(db, target.crm, items, `${target.crm}: ${(e as Error).message}`);
  }
  try {
    const { items: outcomes } = await flushNow({ db, adapter, ...target.drain }, items, { deadlineMs: target.waitMs ?? DEFAULT_CRM_WAIT_MS });
    return new Map(
      outcomes.map((o, i): [string, RecordSync] => {
        const at = { kind: o.kind as RecordRef['kind'], externalId: o.externalId };
        if (o.status === 'synced' && o.notes?.length) fitted.set(keyOf(items[i]!), o.notes);
        const sync: RecordSync =
          o.status === 'synced' ? { ...at, status: 'synced', crmId: o.crmId } : o.status === 'queued' ? { ...at, status: 'queued', reason: o.reason, nextAttemptAt: o.nextAttemptAt } : { ...at, status: o.status, reason: o.reason };
        return [keyOf(items[i]!), sync];
      }),
    );
  } catch (e) {
    // The queue holds them whatever broke while sending (flushNow queues first): report where they stand.
    return queuedBecause(db, target.crm, items, (e as Error).message, e);
  }
}

/** Where the items stand after a failure, with its reason for those still waiting; throws if any was not queued. */
async function queuedBecause(db: SqlDatabase, crm: string, items: readonly OutboxItem[], reason: string, cause?: unknown): Promise<Map<string, RecordSync>> {
  const states = await recordSyncStates(db, crm, items.map((i) => ({ kind: i.kind as RecordRef['kind'], externalId: externalIdOf(i) })));
  const out = new Map<string, RecordSync>();
  for (const item of items) {
    const key = syncKey(item.kind, externalIdOf(item));
    const s = states.get(key);
    if (!s) throw cause ?? new Error(reason);
    out.set(key, s.status === 'queued' ? { ...s, reason } : s);
  }
  return out;
}
