import { refundedPaymentIds, saleAmounts } from '../ledger/read-payments';
import type { LedgerView } from '../sources/source';
import type { SqlExecutor } from '../store/sql-database';

/**
 * The store as a source may ask about it (LedgerView, SourceContext.ledger), for a trigger, a poll, backfill and
 * reconciliation alike: a source reads the processor and never the store, so what it needs to know of the ledger it
 * asks through this. Reconciliation passes it too, so its processor view reads what backfill would (a failed refund
 * the charge no longer shows), and its repair writes that; asking only after the comparison found a mismatch would
 * leave backfill without it.
 */
export function ledgerViewOf(db: Pick<SqlExecutor, 'all'>, source: string): LedgerView {
  return {
    refunded: (paymentIds) => refundedPaymentIds(db, source, paymentIds),
    sales: (paymentIds) => saleAmounts(db, source, paymentIds),
  };
}
