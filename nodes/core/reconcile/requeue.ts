import { crmCustomersOf } from '../crm/saas/crm-customers-of';
import { crmPaymentOf } from '../crm/saas/crm-payment';
import { ledgerPaymentOf, readRecords } from '../ledger/payment-rows';
import { enqueue, outboxLockKeys } from '../outbox/enqueue';
import type { OutboxItem } from '../outbox/types';
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
  const records = [...(await readRecords(db, refs)).values()].map((r) => crmPaymentOf(ledgerPaymentOf(r))).filter((p) => p !== null);
  if (records.length === 0) return [];
  const customers = await crmCustomersOf(db, records.map((p) => p.customerExternalId));
  const items: OutboxItem[] = [
    ...[...new Set(records.map((p) => p.customerExternalId))].map((id): OutboxItem => ({ kind: 'customer', record: customers.get(id) ?? { externalId: id, profile: {} } })),
    ...records.map((record): OutboxItem => ({ kind: 'payment', record })),
  ];
  await db.transaction((tx) => enqueue(tx, crm, items), { lockKeys: outboxLockKeys(crm, items) });
  return records.map((p) => p.externalId);
}
