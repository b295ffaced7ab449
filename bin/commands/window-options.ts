import { InputError } from '../../nodes/core/errors';

/** "2026-01-01" (midnight UTC) or an ISO time; undefined when the flag was not given. */
export function parseDay(flag: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
  if (Number.isNaN(d.getTime())) throw new InputError(flag, `"${value}" is not a date`, 'give a day such as 2026-01-01, or an ISO time such as 2026-01-01T00:00:00Z');
  return d;
}

export function positiveInt(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InputError(flag, `"${value}" is not a whole number above 0`, 'give a number such as 100');
  return n;
}
