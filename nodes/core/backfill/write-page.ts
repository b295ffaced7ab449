import type { CountryCode } from 'libphonenumber-js';
import type { PaymentEvent, TokenizedPaymentEvent } from '../contracts/payment-event';
import { LocalSqlCrm } from '../crm/local-sql-crm';
import type { MatchConfig } from '../match/match-config';
import { PaymentsMatcher } from '../match/match-customer';
import type { PaymentMessage } from '../contracts/payment-message';
import { matchInBatch, tokenizeStep } from '../steps/steps';
import { upsertToCrmStep, type SaasCrmTarget } from '../steps/upsert-to-crm';
import type { SqlDatabase } from '../store/sql-database';
import type { KeyProvider } from '../tokenize/key-provider';
import type { BackfillCounts } from './backfill-state';

export interface LedgerWriter {
  store: SqlDatabase;
  keys: KeyProvider;
  defaultRegion?: CountryCode;
  match?: Omit<MatchConfig, 'defaultRegion'>;
  /** A SaaS CRM: what the page recorded is queued in its outbox too (CRM Sync sends it at the CRM's rate). */
  crm?: SaasCrmTarget;
  /** Events written in one ledger batch at most. */
  batchSize?: number;
}

export const DEFAULT_WRITE_BATCH = 100;

/**
 * The store is synchronous (SQLite), so a page's steps never wait on I/O: without a pause the process does nothing
 * else for the whole page — not the outbox drain beside it, not an activity's heartbeat or cancellation. A turn of
 * the event loop every few milliseconds lets them run.
 */
const YIELD_AFTER_MS = 5;

/**
 * A page's events through the steps every face runs — Tokenize, Match Customer, CRM Upsert (upsertToCrmStep:
 * the ledger, and the outbox for a SaaS CRM) — with the ledger written in batches. A payment that would make a new
 * customer sharing a key (email, phone, card) with a new customer still waiting in the batch is matched again
 * once the batch is written, so a regular's second visit on the same page finds them, as processPayments
 * guarantees one event at a time. (A second visit that shares no exact key, only a similar name, is matched against
 * the store as it stood before the batch.) Idempotent: events the ledger has are duplicates, and their CRM records
 * are queued only if they never were.
 */
export async function writePage(events: readonly PaymentEvent[], w: LedgerWriter, onBatch?: (written: number) => void | Promise<void>): Promise<Omit<BackfillCounts, 'pages' | 'listed'>> {
  const crm = new LocalSqlCrm(w.store);
  const options: MatchConfig = { ...w.match, defaultRegion: w.defaultRegion };
  const counts = { recorded: 0, enriched: 0, duplicates: 0, queued: 0 };
  const limit = Math.max(1, w.batchSize ?? DEFAULT_WRITE_BATCH);
  let waiting: PaymentMessage[] = [];
  let written = 0;
  const flush = async () => {
    if (waiting.length === 0) return;
    const done = await upsertToCrmStep(waiting, w.store, w.crm);
    written += waiting.length;
    waiting = [];
    for (const m of done) {
      const outcome = m.crm?.outcome;
      if (outcome === 'recorded') counts.recorded++;
      else if (outcome === 'enriched') counts.enriched++;
      else counts.duplicates++;
      counts.queued += m.crm?.sync?.records.filter((r) => r.status === 'queued').length ?? 0;
    }
    await onBatch?.(written);
  };
  // The match keys (email, phone, card…) of the new customers the waiting batch will create.
  const newKeys = new Set<string>();
  const keysOf = (m: PaymentMessage) => (m.match?.keys ?? []).map((k) => `${k.kind}\u0000${k.value}`);
  // The payments up to the next write matched as one batch (one payment-id lookup, one index refresh): after a
  // write the store has more to say, so the next payments get a new batch.
  const tokenized: TokenizedPaymentEvent[] = [];
  let matcher: PaymentsMatcher | undefined;
  let first = 0;
  const matchAt = (i: number): Promise<PaymentMessage> => {
    if (!matcher || i - first >= limit) {
      first = i;
      for (let j = tokenized.length; j < Math.min(events.length, i + limit); j++) tokenized.push(tokenizeStep(events[j], w.keys));
      matcher = new PaymentsMatcher(tokenized.slice(i, i + limit), { crm }, options);
    }
    return matchInBatch(matcher, i - first, tokenized[i]!, crm, options);
  };
  const writeWaiting = async () => {
    await flush();
    newKeys.clear();
    matcher = undefined;
  };
  let ranSince = Date.now();
  for (let i = 0; i < events.length; i++) {
    if (Date.now() - ranSince >= YIELD_AFTER_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      ranSince = Date.now();
    }
    let matched = await matchAt(i);
    if (matched.match?.customerId === null && keysOf(matched).some((k) => newKeys.has(k))) {
      // The same new customer's earlier payment waits in the batch: written first, this one then finds them.
      await writeWaiting();
      matched = await matchAt(i);
    }
    waiting.push(matched);
    if (matched.match?.customerId === null) for (const k of keysOf(matched)) newKeys.add(k);
    if (waiting.length >= limit) await writeWaiting();
  }
  await flush();
  return counts;
}
