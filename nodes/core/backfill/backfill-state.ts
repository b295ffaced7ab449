import { CursorStore } from '../cursors/cursor-store';
import { InputError } from '../errors';
import type { SqlDatabase, SqlExecutor } from '../store/sql-database';

export interface BackfillCounts {
  pages: number;
  /** Events read from the processor inside the window. */
  listed: number;
  /** New to the ledger. */
  recorded: number;
  /** Another event of a payment the ledger had (a webhook's PaymentIntent, then the backfill's charge). */
  enriched: number;
  /** In the ledger already (a webhook, polling, or an earlier read of the page). */
  duplicates: number;
  /** CRM records queued in the outbox. */
  queued: number;
}

/**
 * Where a backfill stands, kept as its named cursor after every page (cursor-store.ts): a crash, a restarted CLI
 * or a retried activity carries on from the page after the last one written. `until` is fixed when the backfill
 * starts ("now" when none was given), so a resumed run reads the same window.
 */
export interface BackfillState extends BackfillCounts {
  source: string;
  since: string;
  until: string;
  order: 'oldest-first' | 'newest-first';
  /** The history lister's position. */
  cursor: string | null;
  done: boolean;
  /** The furthest payment time the pages have reached, for progress. */
  reached: string | null;
  startedAt: string;
  updatedAt: string;
  /** Time spent reading and writing pages, over every run: the rate is records per active second. */
  activeMs: number;
  /** What the lister said of its pages though nothing failed (HistoryPage.notes), once each. */
  notes?: string[];
  /**
   * The offline grace the listing reads past `until` (null: the source's own), fixed when the backfill starts as
   * `until` is: a processor's paging position belongs to the query it came from. Absent in a state stored before it
   * was kept (the grace given to each run is used then).
   */
  offlineGraceMs?: number | null;
}

export const ZERO_COUNTS: BackfillCounts = { pages: 0, listed: 0, recorded: 0, enriched: 0, duplicates: 0, queued: 0 };

/**
 * One backfill per source and window start (and end, when one was given): a second `--since` is another backfill,
 * the same `--since` again resumes.
 */
export function backfillCursorName(source: string, since: Date, until?: Date): string {
  return `backfill:${source}:${since.toISOString()}..${until ? until.toISOString() : ''}`;
}

export async function readBackfillState(db: SqlDatabase, name: string): Promise<BackfillState | null> {
  const raw = await new CursorStore(db).get(name);
  if (!raw) return null;
  try {
    const s = JSON.parse(raw) as BackfillState;
    if (typeof s.source === 'string' && typeof s.since === 'string' && typeof s.until === 'string' && typeof s.done === 'boolean') return s;
  } catch {
    // reported below
  }
  throw new InputError('cursor', `the stored backfill position "${name}" is not one this pack wrote`, 'start the backfill again with --restart');
}

export async function saveBackfillState(db: SqlDatabase, name: string, state: BackfillState, tx?: SqlExecutor): Promise<void> {
  await new CursorStore(db).set(name, JSON.stringify(state), tx ?? db, new Date(state.updatedAt));
}

export function addCounts(a: BackfillCounts, b: Partial<BackfillCounts>): BackfillCounts {
  return {
    pages: a.pages + (b.pages ?? 0),
    listed: a.listed + (b.listed ?? 0),
    recorded: a.recorded + (b.recorded ?? 0),
    enriched: a.enriched + (b.enriched ?? 0),
    duplicates: a.duplicates + (b.duplicates ?? 0),
    queued: a.queued + (b.queued ?? 0),
  };
}
