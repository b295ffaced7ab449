import { InputError } from '../../nodes/core/errors';
import { isoTimeText, NO_SUCH_DAY_FIX } from '../../nodes/core/format/iso-time-text';

/** "2026-01-01" (midnight UTC) or an ISO time; undefined when the flag was not given. */
export function parseDay(flag: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const read = isoTimeText(value);
  if (read === 'not ISO 8601') throw new InputError(flag, `"${value}" is not a date`, 'give a day such as 2026-01-01, or an ISO time such as 2026-01-01T00:00:00Z');
  if (read === 'no such day') throw new InputError(flag, `"${value}" names a day the calendar does not have`, NO_SUCH_DAY_FIX);
  return read;
}

/** --until after --since, checked before anything is read or printed: a window the other way round is two dates swapped. */
export function parseUntil(value: string | undefined, since: Date): Date | undefined {
  const until = parseDay('--until', value);
  if (until && until.getTime() <= since.getTime()) {
    throw new InputError('--until', `${until.toISOString()} is not after --since (${since.toISOString()})`, 'give an --until later than --since, or leave it out for now');
  }
  return until;
}

export function positiveInt(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InputError(flag, `"${value}" is not a whole number above 0`, 'give a number such as 100');
  return n;
}
