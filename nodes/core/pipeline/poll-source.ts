import type { z } from 'zod/v4';
import type { PaymentEvent } from '../contracts/payment-event';
import { ledgerViewOf } from '../backfill/ledger-view';
import { CursorStore } from '../cursors/cursor-store';
import { formNumber } from '../config/form-number';
import { InputError } from '../errors';
import type { HttpTransport } from '../http/http-transport';
import { SqlInbox } from '../inbox/inbox';
import { availableSources, createSource } from '../sources/registry';
import type { ListResult, Source, SourceContext } from '../sources/source';
import { addressed } from '../sources/credential-error';
import { parseSourceCredentials, type CredentialPlace } from '../sources/source-credentials';
import type { SqlDatabase } from '../store/sql-database';
import { transactionView } from '../store/transaction-view';
import type { KeyProvider } from '../tokenize/key-provider';
import { scrubPan } from '../pan-scrub';
import { scrubbedError } from '../tokenize/scrub-error';

/** The first poll (no cursor yet) reaches back a day: payments taken while polling was set up are picked up. */
export const DEFAULT_POLL_LOOKBACK_HOURS = 24;
/**
 * How far back a first poll may be told to read, in hours: a year, as far as any processor's list reaches (Square's
 * ListPayments a year back, Stripe's events 30 days). Beyond it the date is no date a processor takes (1e16 hours
 * is before year -271821, an invalid Date), and a history that old is the backfill's to read.
 */
export const FIRST_POLL_LOOKBACK = { fallback: DEFAULT_POLL_LOOKBACK_HOURS, min: 0, max: 24 * 366, unit: 'hours' } as const;

/** Where a first poll starts: `lookBackHours` (as a form gives it: blank for the default) before `now`, or an InputError naming `field`. */
export function firstPollSince(field: string, lookBackHours: unknown, now = Date.now()): Date {
  return new Date(now - formNumber(lookBackHours, { field, ...FIRST_POLL_LOOKBACK }) * 3_600_000);
}
const DEFAULT_POLL_LOOKBACK_MS = DEFAULT_POLL_LOOKBACK_HOURS * 3_600_000;
export const DEFAULT_POLL_PAGE_SIZE = 100;
export const DEFAULT_POLL_MAX_PAGES = 10;
/** A page size and a number of pages per poll, as a form gives them: blank for the default, else a whole number from 1. */
export const POLL_PAGE_SIZE = { fallback: DEFAULT_POLL_PAGE_SIZE, min: 1, whole: true, unit: 'payments' } as const;
export const POLL_MAX_PAGES = { fallback: DEFAULT_POLL_MAX_PAGES, min: 1, whole: true, unit: 'pages' } as const;

/**
 * A poll's page size and its pages per poll as a face gives them (a Node-RED field, an n8n option or expression):
 * blank for the default, else a whole number from 1, or an InputError naming `field` — one reading for every face.
 */
export function pollPageSize(field: string, raw: unknown): number {
  return formNumber(raw, { field, ...POLL_PAGE_SIZE });
}
export function pollMaxPages(field: string, raw: unknown): number {
  return formNumber(raw, { field, ...POLL_MAX_PAGES });
}

/**
 * A source that can be polled. `listCredentials`, when a source has it, parses what polling needs where that is
 * less than a webhook needs (Stripe polls with an API key alone; its webhook secret is for verifying deliveries).
 */
export type PollableSource<C = unknown> = Source<C> & { listCredentials?: z.ZodType<C> };

/** Where a source's polling position is kept unless the face names another (two accounts of one processor). */
export const defaultCursorName = (source: string) => `poll:${source}`;

export interface PollOptions {
  source: PollableSource;
  /** The face's raw credential record for the source (parsed by the source's own schema). */
  credentials: unknown;
  /** Where the operator fills the credential in, so an unusable one is named as that editor labels it. */
  credentialPlace?: CredentialPlace;
  /** The store holding the inbox and the cursor: both are written in one transaction. */
  store: SqlDatabase;
  /** With the token keys the inbox keeps tokenized events, as the webhook triggers' inbox does. */
  keys?: KeyProvider;
  cursorName?: string;
  /** Where the first poll starts when no cursor is stored yet; a day back when absent. */
  since?: Date;
  limit?: number;
  maxPages?: number;
  /** No page is started after this (n8n gives each poll a time budget); the rest waits for the next poll. */
  deadline?: Date;
  http?: HttpTransport;
  now?: () => Date;
  /**
   * Called with the events of a page the store has not recorded yet, before the page is committed, for a consumer
   * that takes an event twice harmlessly (the Temporal worker: a second start of `payment-<event id>` joins the
   * first, and a payment saga applies an event once). A crash after it and before the commit lists the page again
   * and hands it over again; a crash after the commit cannot lose the page for such a consumer. When it throws, the
   * page is not committed. Recorded events are left out: each poll lists again the last change it saw (the
   * processors' queries are inclusive), and a saga that has finished would start a run only to find it recorded.
   */
  handOff?: (events: PaymentEvent[]) => Promise<void>;
}

export interface PollOutcome {
  /** Events new to the inbox, oldest first: what the face passes on. */
  events: PaymentEvent[];
  /** Listed again, or delivered by a webhook first: kept once, not passed on. */
  duplicates: string[];
  /** Pages committed. */
  pages: number;
  /** The stored cursor after this poll. */
  cursor: string | null;
  /** More pages were waiting when this poll stopped (its page limit or deadline): poll again soon. */
  more: boolean;
  /** Another poller of the same cursor moved it while this one was reading: this one stopped, having kept nothing twice. */
  raced: boolean;
  /** The pages' notes, once each (ListResult.notes): the face shows them as warnings. */
  notes?: string[];
  /**
   * A page failed after earlier ones were committed: those pages' events are above (pass them on), and this is why
   * the poll stopped. A failure on the first page is thrown instead.
   */
  failure?: Error;
}

/** The source as a pollable one, or an InputError naming the sources that can be polled. */
export function pollableSource(sourceOrName: string | Source<unknown>): PollableSource & Required<Pick<Source<unknown>, 'list'>> {
  const source = typeof sourceOrName === 'string' ? createSource(sourceOrName) : sourceOrName;
  if (!source.list) throw new InputError('source', `${source.label} cannot be polled: it has no list API for payments`, `use its webhook trigger, or poll one of: ${pollableSourceNames().join(', ')}`);
  return source as PollableSource & Required<Pick<Source<unknown>, 'list'>>;
}

/** The built-in sources with a list API, for editors' option lists. */
export function pollableSourceNames(): string[] {
  return availableSources().filter((name) => {
    try {
      return Boolean(createSource(name).list);
    } catch {
      // A source that needs configuration to exist (generic) has no list API either.
      return false;
    }
  });
}

/** The credential record parsed for polling: the source's polling schema where it has one. */
export function pollCredentials(source: PollableSource, raw: unknown, place?: CredentialPlace): unknown {
  return parseSourceCredentials({ ...source, credentials: source.listCredentials ?? source.credentials }, raw, place);
}

/**
 * One poll of a source, whatever engine runs it: reads the cursor from the store, lists page after page, keeps each
 * page's events in the inbox (events already there — from a webhook, or an earlier read of the page — are dropped)
 * and moves the cursor in the same transaction. A crash therefore re-reads at most the page it was on and never
 * skips one. The cursor only moves forward: a page is committed only if the cursor is still where that page began,
 * so a second poller of the same cursor cannot put it back.
 */
export async function pollSource(o: PollOptions): Promise<PollOutcome> {
  const source = pollableSource(o.source);
  const credentials = pollCredentials(o.source, o.credentials, o.credentialPlace);
  const now = o.now ?? (() => new Date());
  const ctx: SourceContext = { http: o.http, now, ledger: ledgerViewOf(o.store, source.name) };
  const name = o.cursorName ?? defaultCursorName(source.name);
  const since = o.since ?? new Date(now().getTime() - DEFAULT_POLL_LOOKBACK_MS);
  const limit = o.limit ?? DEFAULT_POLL_PAGE_SIZE;
  const maxPages = Math.max(1, o.maxPages ?? DEFAULT_POLL_MAX_PAGES);

  let cursor = await new CursorStore(o.store).get(name);
  const out: PollOutcome = { events: [], duplicates: [], pages: 0, cursor, more: false, raced: false };
  for (;;) {
    let page: ListResult;
    try {
      page = await source.list(credentials, { cursor, since, limit }, ctx);
      if (o.handOff && page.events.length > 0) {
        const recorded = await new SqlInbox(o.store).doneOf(page.events.map((e) => e.id));
        const waiting = page.events.filter((e) => !recorded.has(e.id));
        if (waiting.length > 0) await o.handOff(waiting);
      }
    } catch (error) {
      const e = addressed(error, source, o.credentialPlace);
      if (out.pages === 0) throw e;
      // Logged by the faces as it is: scrubbed of card data an error the core did not build may quote.
      out.failure = scrubbedError(e);
      out.more = true;
      return out;
    }
    const kept = await commitPage(o, name, cursor, page, now());
    if (!kept) {
      out.raced = true;
      return out;
    }
    out.events.push(...kept.fresh);
    out.duplicates.push(...kept.duplicates);
    // A note quotes what the processor listed (an item's type, its code): scrubbed of card data, as the events are.
    for (const note of (page.notes ?? []).map(scrubPan)) if (!out.notes?.includes(note)) (out.notes ??= []).push(note);
    out.pages++;
    // A source that hands back no position (an empty first page) keeps the one it had: never back to the start.
    cursor = page.cursor ?? cursor;
    out.cursor = cursor;
    out.more = page.more;
    if (!page.more || out.pages >= maxPages || (o.deadline && now() >= o.deadline)) return out;
  }
}

/** The page's events into the inbox and the cursor past them, together; null when another poller moved the cursor first. */
async function commitPage(o: PollOptions, name: string, from: string | null, page: ListResult, at: Date): Promise<{ fresh: PaymentEvent[]; duplicates: string[] } | null> {
  const to = page.cursor ?? from;
  return o.store.transaction(
    async (tx) => {
      const view = transactionView(o.store, tx);
      const cursors = new CursorStore(view);
      if ((await cursors.get(name)) !== from) return null;
      const kept = await new SqlInbox(view, o.keys).accept(page.events, at);
      if (to !== from) await cursors.set(name, to, tx, at);
      return kept;
    },
    { lockKeys: [`cursor:${name}`, ...page.events.map((e) => `inbox:${e.id}`)] },
  );
}

/**
 * One page from where the stored cursor stands, kept nowhere: what an editor shows when an operator fetches a test
 * event (n8n's manual run). Polling afterwards still finds every event.
 */
export async function previewPoll(o: Pick<PollOptions, 'source' | 'credentials' | 'credentialPlace' | 'store' | 'cursorName' | 'since' | 'limit' | 'http' | 'now'>): Promise<PaymentEvent[]> {
  const source = pollableSource(o.source);
  const now = o.now ?? (() => new Date());
  const cursor = await new CursorStore(o.store).get(o.cursorName ?? defaultCursorName(source.name));
  const since = o.since ?? new Date(now().getTime() - DEFAULT_POLL_LOOKBACK_MS);
  const credentials = pollCredentials(o.source, o.credentials, o.credentialPlace);
  try {
    return (await source.list(credentials, { cursor, since, limit: o.limit ?? DEFAULT_POLL_PAGE_SIZE }, { http: o.http, now, ledger: ledgerViewOf(o.store, source.name) })).events;
  } catch (e) {
    throw addressed(e, source, o.credentialPlace);
  }
}
