import { randomBytes } from 'node:crypto';
import type { CrmFieldUpdate } from '../crm/saas/crm-adapter';
import { InputError } from '../errors';
import type { SqlExecutor } from '../store/sql-database';
import { customerExternalIdOf, externalIdOf, OUTBOX_KINDS, type OutboxItem, type OutboxKind } from './types';

export interface EnqueuedItem {
  /** The outbox row that carries the item: a new one, or the pending one it was folded into. */
  id: string;
  kind: OutboxKind;
  externalId: string;
  /** True when a pending row for the same record took the new state instead of a second row being added. */
  coalesced: boolean;
}

/**
 * Queues CRM writes inside the caller's transaction, so they are kept exactly when what they describe is (a
 * payment recorded in the ledger is also queued for the CRM, or neither is).
 *
 * A record that already waits (same CRM, kind and external id, still pending) takes the new state: the CRM only
 * needs the latest. Field updates merge instead, since each carries only the fields its step wrote (Segment's,
 * Loyalty's). The waiting row keeps its attempts and retry time: a newer state does not make a failing CRM work.
 */
export async function enqueue(tx: SqlExecutor, crm: string, items: readonly OutboxItem[], at: Date = new Date()): Promise<EnqueuedItem[]> {
  if (!crm.trim()) throw new InputError('crm', 'is empty', 'name the CRM the records go to (its adapter name, e.g. hubspot)');
  items.forEach(check);
  const out: EnqueuedItem[] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(...(await enqueueChunk(tx, crm, items.slice(i, i + CHUNK), at.toISOString())));
  return out;
}

/** Rows per statement: few round trips for a large batch, well under either database's parameter limit. */
const CHUNK = 200;

async function enqueueChunk(tx: SqlExecutor, crm: string, items: readonly OutboxItem[], now: string): Promise<EnqueuedItem[]> {
  // The same record twice in one call is one row too: fold the states first, in order.
  const latest = new Map<string, { kind: OutboxKind; externalId: string; customerExternalId: string; record: OutboxItem['record']; id?: string; existed?: boolean }>();
  const keys = items.map((item) => {
    const key = `${item.kind}\u0000${externalIdOf(item)}`;
    const prev = latest.get(key);
    const record = prev && item.kind === 'fields' ? mergeFields(prev.record as CrmFieldUpdate, item.record) : item.record;
    latest.set(key, { kind: item.kind, externalId: externalIdOf(item), customerExternalId: customerExternalIdOf(item), record });
    return key;
  });
  const ids = [...new Set([...latest.values()].map((x) => x.externalId))];
  const waiting = await tx.all<{ id: string; kind: string; external_id: string; payload: string }>(
    `SELECT id, kind, external_id, payload FROM outbox WHERE crm = ? AND state = 'pending' AND external_id IN (${ids.map(() => '?').join(', ')})`,
    [crm, ...ids],
  );
  for (const w of waiting) {
    const x = latest.get(`${w.kind}\u0000${w.external_id}`);
    if (!x) continue;
    x.id = w.id;
    x.existed = true;
    if (x.kind === 'fields') x.record = mergeFields(JSON.parse(w.payload) as CrmFieldUpdate, x.record as CrmFieldUpdate);
    await tx.run('UPDATE outbox SET payload = ?, customer_external_id = ?, updated_at = ? WHERE id = ?', [JSON.stringify(x.record), x.customerExternalId, now, w.id]);
  }
  const fresh = [...latest.values()].filter((x) => !x.existed);
  for (const x of fresh) x.id = newOutboxId(Date.parse(now));
  if (fresh.length > 0) {
    await tx.run(
      `INSERT INTO outbox (id, crm, kind, external_id, customer_external_id, payload, state, attempts, next_attempt_at, created_at, updated_at)
       VALUES ${fresh.map(() => "(?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?)").join(', ')}`,
      fresh.flatMap((x) => [x.id!, crm, x.kind, x.externalId, x.customerExternalId, JSON.stringify(x.record), now, now, now]),
    );
  }
  const first = new Set<string>();
  return keys.map((key) => {
    const x = latest.get(key)!;
    const repeated = first.has(key);
    first.add(key);
    return { id: x.id!, kind: x.kind, externalId: x.externalId, coalesced: Boolean(x.existed) || repeated };
  });
}

let sequence = 0;

/**
 * Row ids in the order rows are queued (time, then a counter, then randomness so two instances never collide):
 * rows queued together sit together in the table, so claiming and settling a batch rewrites a few pages of the
 * store rather than one page per row.
 */
export function newOutboxId(at: number): string {
  sequence = (sequence + 1) % 36 ** 4;
  return `ob_${Math.max(0, at).toString(36).padStart(9, '0')}${sequence.toString(36).padStart(4, '0')}_${randomBytes(5).toString('hex')}`;
}

/**
 * Lock keys for a transaction that enqueues these items (TransactionOptions.lockKeys): on Postgres, two instances
 * queuing the same record wait for each other instead of one of them being run again.
 */
export function outboxLockKeys(crm: string, items: readonly OutboxItem[]): string[] {
  return items.map((item) => `outbox:${crm}:${item.kind}:${externalIdOf(item)}`);
}

function mergeFields(older: CrmFieldUpdate, newer: CrmFieldUpdate): CrmFieldUpdate {
  return { ...newer, customerCrmId: newer.customerCrmId ?? older.customerCrmId, fields: { ...older.fields, ...newer.fields } };
}

function check(item: OutboxItem, i: number): void {
  const where = `items[${i}]`;
  if (!OUTBOX_KINDS.includes(item?.kind)) throw new InputError(`${where}.kind`, `"${String(item?.kind)}" is not an outbox kind`, `use one of: ${OUTBOX_KINDS.join(', ')}`);
  const record = item.record as unknown as Record<string, unknown> | undefined;
  if (!record || typeof record !== 'object') throw new InputError(`${where}.record`, 'is missing', `give the ${item.kind} record as the CRM port defines it (crm-adapter.ts)`);
  const required = item.kind === 'customer' ? ['externalId'] : item.kind === 'payment' ? ['externalId', 'customerExternalId'] : ['customerExternalId'];
  for (const name of required) {
    const value = record[name];
    if (typeof value !== 'string' || value.trim() === '') {
      throw new InputError(`${where}.record.${name}`, 'is empty', name === 'externalId' && item.kind === 'payment' ? 'give the payment key "<source>:<paymentId>"' : "give the pack's customer id (cus_…)");
    }
  }
  if (item.kind === 'fields' && (typeof item.record.fields !== 'object' || item.record.fields === null)) {
    throw new InputError(`${where}.record.fields`, 'is missing', 'give the fields to write, e.g. {"terminal_crm_segment": "Champions"}');
  }
}
