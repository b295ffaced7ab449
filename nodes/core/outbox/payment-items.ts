import { crmCustomersOf } from '../crm/saas/crm-customers-of';
import { crmPaymentsOf } from '../crm/saas/crm-payment';
import { readRecords } from '../ledger/payment-rows';
import type { SqlExecutor } from '../store/sql-database';
import type { OutboxItem } from './types';

/**
 * What a SaaS CRM needs to hold these payments as the ledger has them now: each payment's customer (the store's
 * record, first) and the payment. A payment without a customer or not counted (a failure) has no CRM record, as
 * in CRM Upsert, and brings nothing.
 */
export async function paymentItemsOf(tx: Pick<SqlExecutor, 'all'>, payments: readonly { source: string; paymentId: string }[]): Promise<OutboxItem[]> {
  if (payments.length === 0) return [];
  const records = [...(await crmPaymentsOf(tx, await readRecords(tx, payments))).values()];
  if (records.length === 0) return [];
  const customers = await crmCustomersOf(tx, records.map((p) => p.customerExternalId));
  return [
    ...[...new Set(records.map((p) => p.customerExternalId))].map((id): OutboxItem => ({ kind: 'customer', record: customers.get(id) ?? { externalId: id, profile: {} } })),
    ...records.map((record): OutboxItem => ({ kind: 'payment', record })),
  ];
}
