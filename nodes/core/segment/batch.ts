import { randomUUID } from 'node:crypto';
import { queueFieldUpdates, type FieldsTarget } from '../outbox/field-updates';
import type { SqlDatabase } from '../store/sql-database';
import { fitBgNbdSteps, whyBgNbdUnfit, type BgNbdFit, type PurchaseSummary } from './clv/bg-nbd';
import { fitGammaGammaSteps, usableForSpend, type GammaGammaFit } from './clv/gamma-gamma';
import { unitDays } from './clv/summary';
import { localTime } from './calendar';
import type { SegmentConfig } from './config';
import { changedFields, localFieldsOf, mapFields, writeLocalCustomerFields, type CustomerFields } from '../crm/customer-fields';
import { evaluateCustomer, fieldValuesOf, type StatsRow } from './evaluate';
import { scoreRfmColumnsSteps } from './rfm';
import { saveClvModel, saveRfmRun, type RfmRun, type StoredClvModel } from './runs-repository';
import { saveEvaluation, statsFromRow } from './stats-repository';
import type { Steps } from './clv/steps';
import { pacer, PAUSE_EVERY_MS } from '../store/pacer';
import { findUnscoredPayments, type UnscoredPayments } from './unscored';

/**
 * The scheduled run: exact RFM quintiles over each currency's customers, a fresh BG/NBD + Gamma–Gamma fit on
 * their histories, and every customer's segment, forecast and flags written back. Payments between runs are
 * scored against the thresholds and model saved here.
 *
 * Writes go in small transactions and only where the customer's counters have not moved since they were read
 * (version check): a payment processed meanwhile has already scored that customer with fresher data.
 */
export interface BatchOptions {
  asOf?: Date;
  currencies?: string[];
  writeFields?: 'local' | 'none';
  /**
   * A SaaS CRM: each customer's fields whose values differ from the store's copy are queued in its outbox, in the
   * chunk's transaction (a re-score that changes nothing sends nothing). With `resendAll`, every computed field.
   */
  crm?: FieldsTarget;
  resendAll?: boolean;
  /** Customers per write transaction: 500 by default. */
  chunkSize?: number;
  /**
   * Called as the run moves on, so a scheduler can tell a long run from a stuck one (a Temporal activity heartbeats
   * with it): at least every `pauseEveryMs` of work while it reads, scores and fits a currency, then as it starts
   * writing and after each chunk it writes.
   */
  onProgress?: (p: BatchProgress) => void;
  /**
   * The longest the run works before it lets the event loop turn (timers, heartbeats, other work of the same
   * process) and, until it writes, reports progress: 50 ms by default (PAUSE_EVERY_MS). A page of customers read
   * (5,000), a step of the model fit (one or two evaluations of its likelihood) and a chunk written are not split:
   * each takes some tens of milliseconds, so the loop waits about 100 ms at most.
   */
  pauseEveryMs?: number;
  /**
   * The last checkpoint of an earlier attempt of the same run (same `asOf`; a Temporal activity's heartbeat
   * details): currencies it finished are not redone, and the one it was writing goes on after the last customer
   * it wrote, with the thresholds and model that attempt saved, instead of starting over.
   */
  resumeFrom?: BatchCheckpoint;
}

export interface BatchProgress {
  /** The currency whose customers it is scoring; '' once it counts the unscored payments. */
  currency: string;
  /**
   * What the run is doing with this currency's customers: every phase reports, not only writing. Last, after every
   * currency, `unscored`: it reads the ledger for payments no customer's statistics hold (BatchResult.unscored).
   */
  phase: 'reading' | 'scoring' | 'fitting' | 'writing' | 'unscored';
  /** Customers of this currency written so far, of `customers` (0 before the writing phase). */
  written: number;
  /** This currency's customers (while reading: read so far; while counting unscored payments: the ledger's payments read so far). */
  customers: number;
  /** Where a new attempt of this run would go on from: small, JSON, meant to be a heartbeat's details. */
  checkpoint: BatchCheckpoint;
}

type Fitted = ReturnType<typeof fitModels> extends Steps<infer T> ? T : never;

interface CurrencyTally {
  segmentCounts: Record<string, number>;
  segmentChanges: number;
  skippedConcurrent: number;
  fieldsQueued: number;
}

export interface BatchCheckpoint {
  asOf: string;
  done: BatchCurrencyResult[];
  current?: {
    currency: string;
    run: RfmRun;
    model: StoredClvModel | null;
    fitted: Fitted;
    /** Customers are written in id order: everything up to this id is written. */
    afterCustomerId: string;
    tally: CurrencyTally;
  };
}

export interface BatchCurrencyResult {
  currency: string;
  customers: number;
  runId: string;
  segmentCounts: Record<string, number>;
  /** Customers whose segment differs from the one stored before this run. */
  segmentChanges: number;
  /** Customers left as a concurrent payment wrote them. */
  skippedConcurrent: number;
  /** Customers whose changed fields were queued for the SaaS CRM (0 without one). */
  fieldsQueued: number;
  model: { id: string; purchase: BgNbdFit; spend: GammaGammaFit | null } | null;
  modelSkipped?: string;
}

export interface BatchResult {
  asOf: string;
  currencies: BatchCurrencyResult[];
  /** Payments in the ledger (in the run's currencies when it was given some) that no customer's statistics hold. */
  unscored: UnscoredPayments;
}

/**
 * Customers read per query, and written per transaction unless `chunkSize` says otherwise: each some tens of
 * milliseconds on SQLite (a page of 20,000 and a chunk of 2,000 held the event loop 0.15–0.4 s each).
 */
const PAGE = 5_000;
const CHUNK = 500;

/** Runs `steps` to its end, with `pause` between every two. */
async function stepped<T>(steps: Steps<T>, pause: () => Promise<void>): Promise<T> {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await pause();
  }
}

/** Columns of one currency's statistics, read page by page so a million customers need no million objects at once. */
interface Population {
  rows: StatsRow[];
  previousSegment: (string | null)[];
}

async function readPopulation(db: SqlDatabase, currency: string, pause: (read: number) => Promise<void>): Promise<Population> {
  const rows: StatsRow[] = [];
  const previousSegment: (string | null)[] = [];
  let after = '';
  for (;;) {
    const page = await db.all<Record<string, unknown>>(
      `SELECT customer_id, currency, payments, purchase_days, gross_minor, refunded_minor, chargeback_minor, disputes, disputed_open_minor,
         first_seen, last_seen, first_day, last_day, first_day_value_minor, version, updated_at, segment
       FROM segment_stats WHERE currency = ? AND customer_id > ? AND payments > 0 ORDER BY customer_id LIMIT ?`,
      [currency, after, PAGE],
    );
    for (const r of page) {
      rows.push(statsFromRow(r));
      previousSegment.push((r.segment as string | null) ?? null);
    }
    await pause(rows.length);
    if (page.length < PAGE) break;
    after = String(page[page.length - 1]!.customer_id);
  }
  return { rows, previousSegment };
}

/** The models' fit, stopping between the optimisers' steps (see `Steps`). */
function* fitModels(rows: readonly StatsRow[], asOfDay: number, config: SegmentConfig['clv']): Steps<{ purchase: BgNbdFit; spend: GammaGammaFit | null; spendSkipped?: string } | string> {
  const eligible = rows.filter((s) => s.firstDay <= asOfDay);
  if (eligible.length < config.minCustomers) {
    return `${eligible.length} customers, fewer than the ${config.minCustomers} needed for a lifetime-value model (clv.minCustomers)`;
  }
  // An evenly spread sample keeps a fit of millions of customers to seconds; the estimates barely move.
  const stride = Math.max(1, Math.ceil(eligible.length / config.maxFitCustomers));
  const sample = eligible.filter((_, i) => i % stride === 0);
  const scale = unitDays(config.unit);
  const summaries = sample.map((s) => {
    const frequency = Math.max(0, s.purchaseDays - 1);
    return {
      frequency,
      recency: (s.lastDay - s.firstDay) / scale,
      T: Math.max(asOfDay - s.firstDay, s.lastDay - s.firstDay) / scale,
      monetary: frequency > 0 ? (s.netMinor - s.firstDayValueMinor) / frequency : 0,
    } satisfies PurchaseSummary & { monetary: number };
  });
  const unfit = whyBgNbdUnfit(summaries);
  if (unfit !== null) return `no lifetime-value model (${unfit})`;
  yield;
  const purchase = yield* fitBgNbdSteps(summaries, { penalizer: config.penalizer });
  const repeaters = summaries.filter(usableForSpend).length;
  if (repeaters < 10) return { purchase, spend: null, spendSkipped: `${repeaters} customers with repeat purchases, fewer than 10: no spend model` };
  return { purchase, spend: yield* fitGammaGammaSteps(summaries, { penalizer: config.penalizer }) };
}

export async function runSegmentBatch(db: SqlDatabase, config: SegmentConfig, options: BatchOptions = {}): Promise<BatchResult> {
  const asOf = options.asOf ?? new Date();
  const asOfIso = asOf.toISOString();
  // The shop's day, as the purchase days are counted (calendar.ts).
  const asOfDay = localTime(asOf.getTime(), config.timeZone).day;
  const resume = options.resumeFrom?.asOf === asOfIso ? options.resumeFrom : undefined;
  const currencies =
    options.currencies ?? (await db.all<{ currency: string }>('SELECT DISTINCT currency FROM segment_stats ORDER BY currency')).map((r) => r.currency);
  const out: BatchCurrencyResult[] = [...(resume?.done ?? [])];
  const finished = new Set(out.map((c) => c.currency));
  const pace = pacer(options.pauseEveryMs ?? PAUSE_EVERY_MS);
  for (const currency of currencies) {
    if (finished.has(currency)) continue;
    const carried = resume?.current?.currency === currency ? resume.current : undefined;
    // Until this currency's first chunk is written, a new attempt would go on from where this one started.
    const unfinished = resume?.current && !out.some((c) => c.currency === resume.current!.currency) ? resume.current : undefined;
    const preparing = (phase: BatchProgress['phase'], customers: number) => () =>
      options.onProgress?.({ currency, phase, written: 0, customers, checkpoint: { asOf: asOfIso, done: [...out], ...(unfinished ? { current: unfinished } : {}) } });
    const { rows, previousSegment } = await readPopulation(db, currency, (read) => pace(preparing('reading', read)));
    if (rows.length === 0) continue;
    await pace(preparing('scoring', rows.length));
    const batch = await stepped(
      scoreRfmColumnsSteps(Float64Array.from(rows, (s) => s.lastDay), Float64Array.from(rows, (s) => s.payments), Float64Array.from(rows, (s) => s.netMinor)),
      () => pace(preparing('scoring', rows.length)),
    );
    let run: RfmRun;
    let model: StoredClvModel | null = null;
    let fitted: Fitted;
    if (carried) {
      // The earlier attempt saved these: customers it already wrote were scored against them.
      ({ run, model, fitted } = carried);
    } else {
      run = { id: `rfm_${randomUUID()}`, currency, asOf: asOfIso, cuts: batch.cuts, monetaryPercentiles: batch.monetaryPercentiles };
      fitted = await stepped(fitModels(rows, asOfDay, config.clv), () => pace(preparing('fitting', rows.length)));
      if (typeof fitted !== 'string') {
        model = {
          id: `clv_${randomUUID()}`, currency, unit: config.clv.unit, asOf: asOfIso,
          purchase: fitted.purchase.params, spend: fitted.spend?.params ?? null,
          purchaseLogLikelihood: fitted.purchase.logLikelihood, spendLogLikelihood: fitted.spend?.logLikelihood ?? null,
          customers: fitted.purchase.customers,
        };
      }
      const savedAt = new Date().toISOString();
      await db.transaction(async (tx) => {
        await saveRfmRun(tx, run, savedAt);
        if (model) await saveClvModel(tx, model, savedAt);
      });
    }
    const now = new Date().toISOString();
    const tally: CurrencyTally = carried
      ? { ...carried.tally, segmentCounts: { ...carried.tally.segmentCounts } }
      : { segmentCounts: {}, segmentChanges: 0, skippedConcurrent: 0, fieldsQueued: 0 };
    const local = (options.writeFields ?? 'local') === 'local';
    const chunk = options.chunkSize ?? CHUNK;
    const first = carried ? firstAfter(rows, carried.afterCustomerId) : 0;
    const progress = (written: number, afterCustomerId: string) =>
      options.onProgress?.({
        currency, phase: 'writing', written, customers: rows.length,
        checkpoint: { asOf: asOfIso, done: [...out], current: { currency, run, model, fitted, afterCustomerId, tally: { ...tally, segmentCounts: { ...tally.segmentCounts } } } },
      });
    progress(first, carried?.afterCustomerId ?? '');
    for (let start = first; start < rows.length; start += chunk) {
      // A Postgres transaction may be rerun after a conflict: count inside it, add up once it has committed.
      const chunkTally = await db.transaction(async (tx) => {
        const counts: Record<string, number> = {};
        let changes = 0;
        let skipped = 0;
        const end = Math.min(rows.length, start + chunk);
        // What the CRM was last given is what the store's copy holds: only what differs goes out again.
        const before = options.crm && !options.resendAll ? await localFieldsOf(tx, rows.slice(start, end).map((s) => s.customerId)) : undefined;
        const toCrm: { customerId: string; fields: CustomerFields }[] = [];
        for (let i = start; i < end; i++) {
          const s = rows[i]!;
          const exact = { r: batch.scores[i * 3]!, f: batch.scores[i * 3 + 1]!, m: batch.scores[i * 3 + 2]! };
          const e = evaluateCustomer(s, { config, run, model, asOfDay, exact });
          const key = e.segment ?? '(none)';
          counts[key] = (counts[key] ?? 0) + 1;
          if (e.segment !== previousSegment[i]) changes++;
          if (!(await saveEvaluation(tx, s, e, now, s.version))) {
            skipped++;
            continue;
          }
          const fields = mapFields(fieldValuesOf(s, e), config.crmFields);
          if (local) await writeLocalCustomerFields(tx, s.customerId, fields, now);
          if (options.crm) toCrm.push({ customerId: s.customerId, fields: before ? changedFields(before.get(s.customerId) ?? {}, fields) : fields });
        }
        const queued = options.crm ? (await queueFieldUpdates(tx, options.crm, toCrm, new Date(now))).filter(Boolean).length : 0;
        return { counts, changes, skipped, queued };
      });
      for (const [k, n] of Object.entries(chunkTally.counts)) tally.segmentCounts[k] = (tally.segmentCounts[k] ?? 0) + n;
      tally.segmentChanges += chunkTally.changes;
      tally.skippedConcurrent += chunkTally.skipped;
      tally.fieldsQueued += chunkTally.queued;
      const end = Math.min(rows.length, start + chunk);
      progress(end, rows[end - 1]!.customerId);
      await pace();
    }
    out.push({
      currency,
      customers: rows.length,
      runId: run.id,
      ...tally,
      model: typeof fitted === 'string' ? null : { id: model!.id, purchase: fitted.purchase, spend: fitted.spend },
      ...(typeof fitted === 'string' ? { modelSkipped: fitted } : fitted.spendSkipped ? { modelSkipped: fitted.spendSkipped } : {}),
    });
  }
  // After every currency, so a retry that finds them all done comes straight here.
  const unscored = await findUnscoredPayments(db, {
    ...(options.currencies ? { currencies: options.currencies } : {}),
    pause: (read) => pace(() => options.onProgress?.({ currency: '', phase: 'unscored', written: 0, customers: read, checkpoint: { asOf: asOfIso, done: [...out] } })),
  });
  return { asOf: asOfIso, currencies: out, unscored };
}

/**
 * The index of the row after `customerId`. Found by id, not by comparing strings: the store's ORDER BY follows
 * its collation (Postgres may sort by locale), which JavaScript's comparison need not agree with.
 */
function firstAfter(rows: readonly StatsRow[], customerId: string): number {
  if (!customerId) return 0;
  const at = rows.findIndex((r) => r.customerId === customerId);
  if (at >= 0) return at + 1;
  // That customer has no payments left in this currency (merged away): count the rows sorting before it.
  return rows.filter((r) => r.customerId <= customerId).length;
}
