import type { PaymentEvent } from '../contracts/payment-event';
import type { SqlDatabase, SqlExecutor } from '../store/sql-database';
import { InListQuery } from '../store/sql-shapes';
import { markInboxDone } from './mark-done';
import type { KeyProvider } from '../tokenize/key-provider';
import { tokenize } from '../tokenize/tokenize';

/**
 * Where a trigger keeps each verified event before it answers the processor 2xx. An event this trigger took before
 * is a replay (or a redelivery the processor made because our first answer got lost): it is answered 2xx again and
 * not passed on a second time. Another trigger on the same store (a second workflow: Stripe sends every event to
 * every endpoint) still passes it on once. Recording the event in the ledger marks it done, whichever flow does it
 * first; what stays accepted is what a redrive finishes.
 */
export interface Inbox {
  /** Keeps the events not seen before and returns them; the others are duplicates. */
  accept(events: readonly PaymentEvent[], receivedAt: Date): Promise<{ fresh: PaymentEvent[]; duplicates: string[] }>;
  markDone(eventIds: readonly string[], at?: Date): Promise<void>;
  /**
   * Of these events, those accepted and not yet done, as the inbox kept them: a redelivery of one of them must
   * still reach its flow (the first delivery's answer may have been lost before the flow started).
   */
  notDone?(eventIds: readonly string[]): Promise<PaymentEvent[]>;
}

export type InboxState = 'accepted' | 'done';

const DONE_OF = new InListQuery("SELECT event_id FROM inbox_events WHERE state = 'done' AND event_id IN (", 1, ')');
const WAITING_OF = new InListQuery("SELECT event_id, payload FROM inbox_events WHERE state = 'accepted' AND event_id IN (", 1, ')');

/**
 * The inbox in the store. With the token keys, what it keeps is the tokenized event (tokenize is idempotent, so a
 * redrive feeds it to the same steps): the store then never holds the processor's card fingerprint either.
 */
export class SqlInbox implements Inbox {
  /**
   * `consumer` names the trigger (an n8n workflow's trigger node, a Node-RED node, the worker's webhook entry);
   * without one, every trigger on the store counts as the same one.
   */
  constructor(
    private readonly db: SqlDatabase,
    private readonly keys?: KeyProvider,
    private readonly consumer?: string,
  ) {}

  async accept(events: readonly PaymentEvent[], receivedAt: Date): Promise<{ fresh: PaymentEvent[]; duplicates: string[] }> {
    if (events.length === 0) return { fresh: [], duplicates: [] };
    const at = receivedAt.toISOString();
    return this.db.transaction(async (tx) => {
      const fresh: PaymentEvent[] = [];
      const duplicates: string[] = [];
      for (const e of events) {
        const { changes } = await tx.run(
          `INSERT INTO inbox_events (event_id, source, event_type, payload, state, received_at)
           VALUES (?, ?, ?, ?, 'accepted', ?) ON CONFLICT (event_id) DO NOTHING`,
          [e.id, e.source, e.type, JSON.stringify(this.keys ? tokenize(e, this.keys) : e), at],
        );
        if (await this.freshForConsumer(tx, e.id, changes === 1, at)) fresh.push(e);
        else duplicates.push(e.id);
      }
      return { fresh, duplicates };
    }, { lockKeys: events.map((e) => `inbox:${e.id}`) });
  }

  /**
   * New to the store, or new to this consumer while another consumer has it. An event kept before consumers were
   * recorded (schema 15) has no consumer at all: its redelivery stays a replay, as it was.
   */
  private async freshForConsumer(tx: SqlExecutor, eventId: string, newToStore: boolean, at: string): Promise<boolean> {
    if (this.consumer === undefined) return newToStore;
    const { changes } = await tx.run('INSERT INTO inbox_consumers (event_id, consumer, received_at) VALUES (?, ?, ?) ON CONFLICT (event_id, consumer) DO NOTHING', [eventId, this.consumer, at]);
    if (newToStore) return true;
    if (changes !== 1) return false;
    return (await tx.get('SELECT 1 AS other FROM inbox_consumers WHERE event_id = ? AND consumer <> ? LIMIT 1', [eventId, this.consumer])) !== undefined;
  }

  async markDone(eventIds: readonly string[], at = new Date()): Promise<void> {
    if (eventIds.length === 0) return;
    await this.db.transaction((tx) => markInboxDone(tx, eventIds, at));
  }

  /** Of these events, those the store has recorded (done, by whichever flow). */
  async doneOf(eventIds: readonly string[]): Promise<Set<string>> {
    const ids = [...new Set(eventIds)];
    if (ids.length === 0) return new Set();
    return new Set((await DONE_OF.all<{ event_id: string }>(this.db, ids.map((id) => [id]))).map((r) => r.event_id));
  }

  async notDone(eventIds: readonly string[]): Promise<PaymentEvent[]> {
    const ids = [...new Set(eventIds)];
    if (ids.length === 0) return [];
    const payloads = new Map((await WAITING_OF.all<{ event_id: string; payload: string }>(this.db, ids.map((id) => [id]))).map((r) => [r.event_id, r.payload]));
    return ids.flatMap((id) => (payloads.has(id) ? [JSON.parse(payloads.get(id)!) as PaymentEvent] : []));
  }
}
