import type { EditorPlace } from '../errors';
import type { HttpTransport } from '../http/http-transport';
import { checkWindow, historyCredentials, historyLister, type HistoryLister } from '../sources/history';
import { addressed } from '../sources/credential-error';
import type { HistoryContext, HistoryPage } from '../sources/history/history-lister';
import { scrubPan } from '../pan-scrub';
import { ledgerViewOf } from './ledger-view';
import { progressOf, reachedAfter, type BackfillProgress } from './backfill-progress';
import { addCounts, backfillCursorName, readBackfillState, saveBackfillState, ZERO_COUNTS, type BackfillState } from './backfill-state';
import { writePage, type LedgerWriter } from './write-page';

export const DEFAULT_BACKFILL_PAGE = 100;

export interface BackfillOptions extends LedgerWriter {
  /** A source with a history to read (HISTORY_SOURCES: stripe, square, zettle, clover, sumup). */
  source: string;
  /** The raw credential record for the source (environment variables, a credential). */
  credentials: unknown;
  /** Where the operator set those credentials, for the messages about them (default: the credential, or the worker's variables). */
  credentialPlace?: EditorPlace;
  since: Date;
  /** Payments made before this; now (when the backfill starts) when absent. */
  until?: Date;
  /** Payments per page asked of the processor. */
  limit?: number;
  /**
   * How far past the window's end the processor's listing reads for sales stored offline in it (Stripe, Square; their
   * own default when absent): offlineGraceOf reads an operator's setting.
   */
  offlineGraceMs?: number;
  http?: HttpTransport;
  now?: () => Date;
}

export interface BackfillRun {
  /** The named cursor that holds the state. */
  cursorName: string;
  lister: HistoryLister;
  credentials: unknown;
  state: BackfillState;
}

/**
 * Opens a backfill: the stored state when this window was started before (a resumed run), else a fresh one,
 * saved at once so a resume reads the same `until`. `restart` forgets the stored position (the ledger does not
 * forget: a second pass finds duplicates).
 */
export async function openBackfill(o: BackfillOptions, restart = false): Promise<BackfillRun> {
  const lister = historyLister(o.source);
  const credentials = historyCredentials(lister, o.credentials, o.credentialPlace);
  const now = o.now ?? (() => new Date());
  const cursorName = backfillCursorName(lister.source, o.since, o.until);
  const stored = restart ? null : await readBackfillState(o.store, cursorName);
  if (stored) return { cursorName, lister, credentials, state: await withGraceNote(o, cursorName, lister, stored) };
  const until = o.until ?? now();
  checkWindow(o.since, until);
  const at = now().toISOString();
  const state: BackfillState = {
    source: lister.source, since: o.since.toISOString(), until: until.toISOString(), order: lister.order, cursor: null, done: false, reached: null,
    startedAt: at, updatedAt: at, activeMs: 0, ...ZERO_COUNTS, offlineGraceMs: o.offlineGraceMs ?? null,
  };
  await saveBackfillState(o.store, cursorName, state);
  return { cursorName, lister, credentials, state };
}

/**
 * A resumed backfill reads with the grace it began with. Another given now is not used (the paging position belongs
 * to the first query, and the periods already read were read with the first grace); the state's notes say so, once,
 * and how to read the window with the new one.
 */
async function withGraceNote(o: BackfillOptions, cursorName: string, lister: HistoryLister, stored: BackfillState): Promise<BackfillState> {
  if (stored.offlineGraceMs === undefined || o.offlineGraceMs === undefined || stored.done) return stored;
  const began = stored.offlineGraceMs ?? lister.offlineGraceMs;
  if (began === undefined || o.offlineGraceMs === began) return stored;
  const hours = (ms: number) => `${ms / 3_600_000} h`;
  const note = `carried on with the offline grace it began with (${hours(began)}${stored.offlineGraceMs === null ? ', the source\'s own' : ''}), not the ${hours(o.offlineGraceMs)} given: restart the backfill to read the period with ${hours(o.offlineGraceMs)}`;
  if (stored.notes?.includes(note)) return stored;
  const noted: BackfillState = { ...stored, notes: [...(stored.notes ?? []), note] };
  await saveBackfillState(o.store, cursorName, noted);
  return noted;
}

/** The grace a page is listed with: the one the backfill began with, or for a state stored before it was kept, the one given. */
function graceOf(o: BackfillOptions, state: BackfillState): number | undefined {
  return state.offlineGraceMs === undefined ? o.offlineGraceMs : state.offlineGraceMs ?? undefined;
}

export interface PageOptions {
  /** Events of this page already written by an attempt that did not finish (a heartbeat said so): not written again. */
  skip?: number;
  /** After each ledger batch: how many of the page's events are written (an activity heartbeats it). */
  onBatch?: (written: number) => void | Promise<void>;
}

/**
 * One page: read from where the state stands, written to the ledger (and the outbox), then the state saved with
 * the position after the page. A crash before the save reads the page again, and the ledger finds its events
 * there: every payment is in the ledger once.
 */
export async function backfillPage(o: BackfillOptions, run: BackfillRun, p: PageOptions = {}): Promise<BackfillState> {
  const { state } = run;
  if (state.done) return state;
  const now = o.now ?? (() => new Date());
  const started = Date.now();
  const ctx: HistoryContext = { http: o.http, now, ledger: ledgerViewOf(o.store, run.lister.source) };
  let page: HistoryPage;
  try {
    page = await run.lister.list(run.credentials, { cursor: state.cursor, since: new Date(state.since), until: new Date(state.until), limit: o.limit ?? DEFAULT_BACKFILL_PAGE, offlineGraceMs: graceOf(o, state) }, ctx);
  } catch (e) {
    // The worker and the CLI read the source's credential from environment variables: the fix names them.
    throw addressed(e, run.lister.credentialsOf, o.credentialPlace);
  }
  const skip = Math.min(Math.max(0, p.skip ?? 0), page.events.length);
  const counts = await writePage(page.events.slice(skip), o, p.onBatch && ((n) => p.onBatch!(skip + n)));
  const next: BackfillState = {
    ...state,
    ...addCounts(state, { ...counts, pages: 1, listed: page.events.length, duplicates: counts.duplicates + skip }),
    cursor: page.cursor ?? state.cursor,
    done: !page.more,
    reached: reachedAfter(state, page.events.filter((e) => e.kind === 'payment' || e.kind === 'failure').map((e) => e.occurredAt)),
    updatedAt: now().toISOString(),
    activeMs: state.activeMs + (Date.now() - started),
    ...notesAfter(state.notes, page.notes),
  };
  await saveBackfillState(o.store, run.cursorName, next);
  run.state = next;
  return next;
}

/**
 * The notes so far with the page's new ones, none when there are none. A note quotes what the processor listed (an
 * item's type, its code), and the state is stored and shown: scrubbed of card data, as the events are.
 */
function notesAfter(before: readonly string[] | undefined, page: readonly string[] | undefined): { notes?: string[] } {
  const notes = [...new Set([...(before ?? []), ...(page ?? []).map(scrubPan)])];
  return notes.length ? { notes } : {};
}

export interface RunOptions {
  restart?: boolean;
  /** After every page (a progress bar). */
  onProgress?: (progress: BackfillProgress) => void;
  /** Checked before every page: true stops the run (Ctrl-C); the next run resumes. */
  stop?: () => boolean;
  maxPages?: number;
}

/** A whole backfill in this process: pages until the window is read, resuming from the stored state. */
export async function runBackfill(o: BackfillOptions, r: RunOptions = {}): Promise<BackfillProgress & { stopped: boolean }> {
  const run = await openBackfill(o, r.restart);
  r.onProgress?.(progressOf(run.state));
  let pages = 0;
  while (!run.state.done) {
    if (r.stop?.() || (r.maxPages !== undefined && pages >= r.maxPages)) return { ...progressOf(run.state), stopped: true };
    await backfillPage(o, run);
    pages++;
    r.onProgress?.(progressOf(run.state));
  }
  return { ...progressOf(run.state), stopped: false };
}
