import type { PaymentEvent } from '../../../../nodes/core/contracts/payment-event';
import { ledgerEventOf } from '../../../../nodes/core/ledger/ledger-event';
import { recordEvents, type RecordedEvent } from '../../../../nodes/core/ledger/record-events';
import type { SqlDatabase } from '../../../../nodes/core/store/sql-database';

/** A source's events into the ledger in one transaction, as the upsert step records them (no customer tied yet). */
export function recordPaymentEvents(db: SqlDatabase, events: readonly PaymentEvent[]): Promise<RecordedEvent[]> {
  return db.transaction((tx) => recordEvents(tx, events.map((e) => ledgerEventOf(e, null))));
}
