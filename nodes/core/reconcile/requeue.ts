import { enqueue, outboxLockKeys } from '../outbox/enqueue';
import { paymentItemsOf } from '../outbox/payment-items';
import { externalIdOf } from '../outbox/types';
import type { SqlDatabase } from '../store/sql-database';

/**
 * Queues the current state of these payments (and their customers, which go first) for the CRM again: a record the
 * CRM never got, gave up on, or holds in an older state. The outbox folds it into a record still waiting.
 * Returns the payment keys queued; a payment without a customer or not yet seen has no CRM record to send.
 */
export async function requeuePayments(db: SqlDatabase, crm: string, keys: readonly string[]): Promise<string[]> {
  const refs = keys.map((key) => {
    const at = key.indexOf(':');
    return { source: key.slice(0, at), paymentId: key.slice(at + 1) };
  });
  const items = await paymentItemsOf(db, refs);
  if (items.length === 0) return [];
  await db.transaction((tx) => enqueue(tx, crm, items), { lockKeys: outboxLockKeys(crm, items) });
  return items.filter((i) => i.kind === 'payment').map(externalIdOf);
}
