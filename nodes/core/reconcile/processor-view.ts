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
  window: { since: Date; until: Date; limit: number; offlineGraceMs?: number },
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
 * The history with the processor's record of these ledger payments (keys `<source>:<paymentId>`) read by id
 * (HistoryLister.lookUp), for those it knows: payments the ledger dates in the window that the window's listing did
 * not bring, because the processor lists them in another (a sale stored offline and forwarded after the grace, a
 * reader's clock ahead of the processor's). `found`: the keys it knew. A lister that cannot look up finds none.
 */
export async function withLookedUp(
  lister: HistoryLister,
  credentials: unknown,
  history: ProcessorHistory,
  keys: readonly string[],
  ctx: HistoryContext,
): Promise<ProcessorHistory & { found: string[] }> {
  const prefix = `${lister.source}:`;
  const ids = keys.filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));
  if (!lister.lookUp || ids.length === 0) return { ...history, found: [] };
  const read = await lister.lookUp(credentials, ids, ctx);
  const seen = new Set(history.events.map((e) => e.id));
  const events = [...history.events, ...read.events.filter((e) => !seen.has(e.id) && seen.add(e.id))];
  const payments = paymentsOf(events);
  const found = ids.map((id) => `${prefix}${id}`).filter((k) => payments.get(k)?.counted);
  return { ...history, events, payments, notes: [...new Set([...history.notes, ...(read.notes ?? [])])], found };
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
