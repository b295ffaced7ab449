import { openDatabase } from '../../nodes/core/store/open-database';

/** Transactions in the store per till (the suffix onTill gives every Stripe event id). */
export async function transactionsPerTill(storeUrl: string, tills: readonly string[]): Promise<Record<string, number>> {
  const db = await openDatabase(storeUrl);
  const counts: Record<string, number> = {};
  for (const till of tills) {
    const row = await db.get<{ n: number }>("SELECT COUNT(*) AS n FROM transactions WHERE event_id LIKE ? ESCAPE '\\'", [`%\\_${till}`]);
    counts[till] = Number(row?.n ?? 0);
  }
  return counts;
}

/**
 * Where the store keeps the events the CRM upsert has applied, one row per event id: the payment ledger's events
 * (store schema 6), or before it the local CRM's processed_events. A store is read as whichever it has.
 */
const APPLIED = [
  { table: 'ledger_events', where: '' },
  { table: 'processed_events', where: "scope = 'local-crm' AND " },
] as const;
const CHUNK = 400;

/**
 * Which of the events posted to each engine the store has recorded: the simulator says which event ids each
 * delivery holds, and the CRM upsert keeps every event it applies (a payment, a refund, a dispute, a decline —
 * also a charge that only enriches its PaymentIntent's row). Ids found are kept aside and not asked for again.
 */
export class RecordedEvents {
  private readonly pending = new Map<string, Set<string>>();
  private readonly found = new Map<string, Set<string>>();
  /** One count at a time: two at once would both find, and count, the same ids. */
  private last: Promise<unknown> = Promise.resolve();

  expect(engine: string, eventIds: readonly string[]): void {
    let set = this.pending.get(engine);
    if (!set) this.pending.set(engine, (set = new Set()));
    // A delivery can name an event again (Clover's update of a refunded payment names the payment too).
    const found = this.found.get(engine);
    for (const id of eventIds) if (!found?.has(id)) set.add(id);
  }

  /** Distinct events posted to the engine so far. */
  expected(engine: string): number {
    return (this.pending.get(engine)?.size ?? 0) + (this.found.get(engine)?.size ?? 0);
  }

  /** Recorded so far per engine (engines with nothing expected yet count 0). */
  counts(storeUrl: string, engines: readonly string[]): Promise<Record<string, number>> {
    const next = this.last.then(() => this.count(storeUrl, engines), () => this.count(storeUrl, engines));
    this.last = next;
    return next;
  }

  private applied: (typeof APPLIED)[number] | undefined;

  private async count(storeUrl: string, engines: readonly string[]): Promise<Record<string, number>> {
    const db = await openDatabase(storeUrl);
    if (!this.applied) {
      for (const candidate of APPLIED) {
        const works = await db.get(`SELECT 1 AS x FROM ${candidate.table} WHERE ${candidate.where}event_id = ?`, ['']).then(() => true, () => false);
        if (works) {
          this.applied = candidate;
          break;
        }
      }
      if (!this.applied) throw new Error(`the store at ${storeUrl} has neither ${APPLIED.map((a) => a.table).join(' nor ')}`);
    }
    const { table, where } = this.applied;
    for (const [engine, ids] of this.pending) {
      const all = [...ids];
      for (let i = 0; i < all.length; i += CHUNK) {
        const chunk = all.slice(i, i + CHUNK);
        const rows = await db.all<{ event_id: string }>(
          `SELECT event_id FROM ${table} WHERE ${where}event_id IN (${chunk.map(() => '?').join(', ')})`,
          chunk,
        );
        let found = this.found.get(engine);
        if (!found) this.found.set(engine, (found = new Set()));
        for (const r of rows) {
          ids.delete(r.event_id);
          found.add(r.event_id);
        }
      }
    }
    return Object.fromEntries(engines.map((e) => [e, this.found.get(e)?.size ?? 0]));
  }
}
