/** A day, or a day and a time of day with or without its offset, as ISO 8601 writes them. */
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * A time an operator typed (a window's --since, a listing's --until), read as ISO 8601 only: Date also reads "1" as
 * 2001 and "12/03/2025" as 3 December, and rolls "2025-02-30" over into March, which would answer a slip with
 * another window. A day alone is midnight UTC; a time without an offset is the machine's local time, as Date reads it.
 */
export function isoTimeText(value: string): Date | 'not ISO 8601' | 'no such day' {
  const text = value.trim();
  const iso = ISO_TIME.exec(text);
  const ms = iso ? Date.parse(text.replace(',', '.')) : NaN;
  if (!iso || Number.isNaN(ms)) return 'not ISO 8601';
  const [y, m, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  const day = new Date(Date.UTC(y, m - 1, d));
  if (day.getUTCFullYear() !== y || day.getUTCMonth() !== m - 1 || day.getUTCDate() !== d) return 'no such day';
  return new Date(ms);
}

/** The fix for a day the calendar does not have, in every place that reads one. */
export const NO_SUCH_DAY_FIX = 'give a day that exists, such as 2025-03-01 (a month has 28 to 31 days)';
