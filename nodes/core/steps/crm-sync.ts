import type { CrmSync, RecordSync } from '../contracts/payment-message';

const RANK: Record<RecordSync['status'], number> = { dead: 0, rejected: 1, queued: 2, synced: 3 };

/**
 * One item's sync from its records' (the payment's record, when there is one, named last). `withoutPayment` is why
 * no payment record goes for this event: the item is then skipped, whatever became of its customer. `notes`: what was
 * fitted to the CRM's lengths in those records as they were written, kept on the item whatever its status.
 */
export function crmSyncOf(crm: string, records: readonly RecordSync[], withoutPayment?: string, notes: readonly string[] = []): CrmSync {
  const sync = syncOf(crm, records, withoutPayment);
  return notes.length ? { ...sync, notes: [...notes] } : sync;
}

function syncOf(crm: string, records: readonly RecordSync[], withoutPayment?: string): CrmSync {
  if (withoutPayment !== undefined || records.length === 0) return { crm, status: 'skipped', reason: withoutPayment ?? 'nothing for the CRM', records: [...records] };
  const worst = [...records].sort((a, b) => RANK[a.status] - RANK[b.status])[0]!;
  const all = [...records];
  if (worst.status === 'synced') {
    // Every record is synced: the item's CRM id is its payment's (the deal, the opportunity), else its customer's.
    const main = records.find((r) => r.kind === 'payment') ?? worst;
    return { crm, status: 'synced', crmId: main.status === 'synced' ? main.crmId : '', records: all };
  }
  if (worst.status === 'queued') return { crm, status: 'queued', reason: worst.reason, nextAttemptAt: worst.nextAttemptAt, records: all };
  const whose = records.length > 1 && worst.kind === 'customer' ? `customer ${worst.externalId}: ` : '';
  return { crm, status: worst.status, reason: `${whose}${worst.reason}`, records: all };
}
