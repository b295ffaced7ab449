/**
 * A backfill's window and page size as a face gives them (n8n's parameters, a Node-RED dialog or message, the
 * CLI): text or numbers, read here once. backfillRequestOf turns a fault into the field's error; the Node-RED dialog
 * marks the same fields, running this function's compiled source (resources/editor-core.js), so it must use nothing
 * outside itself.
 *
 * - since, until: blank (or not text) is undefined; a day (2026-01-01) is its midnight UTC, anything else what
 *   Date reads it as (an ISO time); null when it names no time.
 * - untilNotAfter: both are times and Until is not later than Since.
 * - limit: blank, undefined or the number 0 is undefined (the default page); a whole number from 1 is itself; anything
 *   else null.
 */
export function backfillWindowOf(
  since: unknown,
  until: unknown,
  limit: unknown,
): { since: string | null | undefined; until: string | null | undefined; untilNotAfter: boolean; limit: number | null | undefined } {
  const time = (v: unknown): string | null | undefined => {
    if (typeof v !== 'string' || !v.trim()) return undefined;
    const s = v.trim();
    const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00Z` : s);
    return Number.isNaN(d.getTime()) ? null : d.toISOString();
  };
  const from = time(since);
  const to = time(until);
  const n = limit === undefined || limit === '' || limit === 0 ? undefined : Number(limit);
  return {
    since: from,
    until: to,
    untilNotAfter: !!from && !!to && Date.parse(to) <= Date.parse(from),
    limit: n === undefined ? undefined : Number.isInteger(n) && n >= 1 ? n : null,
  };
}
