import type { HttpResponse } from '../../http/http-transport';
import { headerOf } from '../../http/http-transport';

/**
 * How a caught-up change feed overlaps the next one, shared by every CRM's changedCustomers.
 *
 * A cursor that is "the newest change seen" misses a record whose change becomes visible to the listing only after
 * the listing has read past its modified time: a search index that catches up later (HubSpot), or a transaction
 * stamped when it began and committed after a later one was read (Salesforce's SystemModstamp). So when a listing
 * has caught up, the cursor kept for the next run is never later than the CRM's lag before the time the CRM
 * answered: the next run reads that window again. A record read twice is the same update to the local copy (its
 * details already known are kept, its keys are held already), so nothing is written or counted as new for it.
 *
 * Only the caught-up cursor moves back. While a listing pages (`more` true) each page goes on from the last one,
 * so a page full of records within the window still advances and a run ends when the CRM has no more; and a run
 * stopped by its page limit resumes where it stopped, not a window earlier.
 */

/** When the CRM answered, by its own clock (the answer's Date header), else by this machine's. */
export function answeredAt(res: Pick<HttpResponse, 'headers'>, now: () => number = Date.now): number {
  const served = Date.parse(headerOf(res.headers, 'date') ?? '');
  return Number.isFinite(served) ? served : now();
}

/**
 * Where the next listing starts once this one has caught up: `newestMs` (the change it would resume from without
 * overlap), but no later than `lagMs` before the answer's time.
 */
export function resumeFrom(newestMs: number, res: Pick<HttpResponse, 'headers'>, lagMs: number, now: () => number = Date.now): number {
  return Math.min(newestMs, answeredAt(res, now) - lagMs);
}
