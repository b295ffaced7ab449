import { randomUUID } from 'node:crypto';
import type { SqlDatabase } from '../store/sql-database';

/** The alert kind of a payment whose processing failed for good and was compensated (beside the outbox's "crm-dead"). */
export const SAGA_FAILED_ALERT = 'saga-failed';

export interface SagaAlert {
  /** The CRM the payment was going to ("local" for the store only). */
  crm: string;
  /** The run that failed (its workflow id), kept where the outbox keeps a row id. */
  runId: string;
  /** The payment's key, "<source>:<paymentId>". */
  paymentKey: string;
  reason: string;
  at?: Date;
}

/**
 * Writes the alert into `outbox_alerts`, which `terminal-crm outbox` and outboxReport already list, so a failed
 * payment reaches whoever watches CRM failures without a table or a reader of its own.
 */
export async function raiseSagaAlert(db: SqlDatabase, alert: SagaAlert): Promise<{ id: string; at: string }> {
  const id = randomUUID();
  const at = (alert.at ?? new Date()).toISOString();
  await db.run(
    'INSERT INTO outbox_alerts (id, kind, crm, outbox_id, record_kind, external_id, reason, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    [id, SAGA_FAILED_ALERT, alert.crm, alert.runId, 'payment', alert.paymentKey, alert.reason, at],
  );
  return { id, at };
}

/**
 * A payment's CRM writes still waiting in the outbox are marked rejected with the reason, so no drainer sends a
 * record whose processing was given up; rows already out, synced or dead are left as they are.
 */
export async function rejectQueuedPayment(db: SqlDatabase, crm: string, paymentKey: string, reason: string, at: Date = new Date()): Promise<number> {
  const r = await db.run(
    "UPDATE outbox SET state = 'rejected', last_error = ?, updated_at = ? WHERE crm = ? AND kind = 'payment' AND external_id = ? AND state = 'pending'",
    [reason, at.toISOString(), crm, paymentKey],
  );
  return r.changes;
}
