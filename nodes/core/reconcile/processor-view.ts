import type { PaymentEvent } from '../contracts/payment-event';
import { ledgerEventOf, paymentKeyOf } from '../ledger/ledger-event';
import { ledgerPaymentOf, type LedgerPayment } from '../ledger/payment-rows';
import { applyEvent, MemoryEntries, type PaymentRecord } from '../ledger/payment-rules';
import type { HistoryContext, HistoryLister } from '../sources/history';

export interface ProcessorHistory {
  /** Every event listed for the window, once each. */
  events: PaymentEvent[];
  /** Each payment as the processor's record says it stands, worked out by the ledger's own money rules. */
  payments: Map<string, LedgerPayment>;
  pages: number;
  /** What the lister said of its pages though nothing failed (HistoryPage.notes), once each. */
  notes: string[];
}

/** The processor's whole record of the window, every page (reconciliation keeps no position: it reads it all). */
export async function readProcessorHistory(
  lister: HistoryLister,
  credentials: unknown,
  window: { since: Date; until: Date; limit: number },
  ctx: HistoryContext,
): Promise<ProcessorHistory> {
  const events: PaymentEvent[] = [];
  const seen = new Set<string>();
  let cursor: string | null = null;
  let pages = 0;
  const notes = new Set<string>();
  for (;;) {
    // Each payment in the one period it is dated in, as the ledger's side of the comparison selects it.
    const page = await lister.list(credentials, { ...window, cursor, onePeriod: true }, ctx);
    pages++;
    for (const note of page.notes ?? []) notes.add(note);
    for (const e of page.events) if (!seen.has(e.id) && seen.add(e.id)) events.push(e);
    if (!page.more || page.cursor === null || page.cursor === cursor) break;
    cursor = page.cursor;
  }
  return { events, payments: paymentsOf(events), pages, notes: [...notes] };
}

/**
 * The events folded into payments with the ledger's rules (ledger/payment-rules.ts), so "refunded" and "status"
 * mean exactly what they mean in the ledger; no customer, since the processor's record names none of ours.
 */
export function paymentsOf(events: readonly PaymentEvent[]): Map<string, LedgerPayment> {
  const records = new Map<string, PaymentRecord>();
  const entries = new MemoryEntries();
  for (const event of events) {
    const e = ledgerEventOf(event, null);
    const key = paymentKeyOf(e);
    records.set(key, applyEvent(records.get(key), e, entries.changesFor(e)));
  }
  return new Map([...records].map(([key, r]) => [key, ledgerPaymentOf(r)]));
}
