import type { Source } from '../source';
import type { HistoryLister } from './history-lister';
import { eventsInWindow } from './history-lister';

/**
 * History through a source's own polling list, where that list already walks oldest first from `since` and pages
 * the way its API documents (Zettle's lastPurchaseHash, Clover's modifiedTime with offset, SumUp's changes_since
 * with oldest_ref): the same requests and the same event ids as polling, cut to the window. `stopsAtUntil`: the
 * list is in creation order, so a payment made after the window ends the walk; otherwise (ordered by change time)
 * it runs to the present. The list's notes go with the page.
 */
export function polledHistory(source: Source<unknown> & Required<Pick<Source<unknown>, 'list'>>, o: { label: string; stopsAtUntil: boolean }): HistoryLister {
  return {
    source: source.name,
    label: o.label,
    order: 'oldest-first',
    credentialsOf: source,
    async list(credentials, window, ctx) {
      const page = await source.list(credentials, { cursor: window.cursor, since: window.since, limit: window.limit }, ctx);
      const events = eventsInWindow(page.events, window.since, window.until);
      const past = o.stopsAtUntil && page.events.some((e) => Date.parse(e.occurredAt) >= window.until.getTime());
      // What the list says of its page (an item it could not count, and why) is the backfill's and the report's too.
      return { events, cursor: page.cursor, more: page.more && !past, ...(page.notes?.length ? { notes: page.notes } : {}) };
    },
  };
}
