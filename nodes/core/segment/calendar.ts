/**
 * Local calendar facts of an instant in the shop's time zone: weekday, minute of the day, month and season.
 * Intl is slow per call, so the zone's UTC offset is cached per UTC hour (offsets change on the hour in all but
 * a handful of zones, and those change on the half hour, which the cache key below also respects).
 */
export interface LocalTime {
  /** 0 = Sunday … 6 = Saturday. */
  dayOfWeek: number;
  minuteOfDay: number;
  /** 1–12. */
  month: number;
}

export const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;
const SEASONS_NORTH = ['winter', 'winter', 'spring', 'spring', 'spring', 'summer', 'summer', 'summer', 'autumn', 'autumn', 'autumn', 'winter'] as const;
export type Season = (typeof SEASONS_NORTH)[number];

export function seasonOf(month: number, hemisphere: 'north' | 'south'): Season {
  const index = hemisphere === 'north' ? month - 1 : (month + 5) % 12;
  return SEASONS_NORTH[index]!;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const offsets = new Map<string, number>();
const HALF_HOUR_MS = 1_800_000;

function offsetMinutes(timeZone: string, ms: number): number {
  const key = `${timeZone}|${Math.floor(ms / HALF_HOUR_MS)}`;
  const cached = offsets.get(key);
  if (cached !== undefined) return cached;
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  const asUtc = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute));
  const offset = Math.round((asUtc - Math.floor(ms / 60_000) * 60_000) / 60_000);
  if (offsets.size > 10_000) offsets.clear();
  offsets.set(key, offset);
  return offset;
}

export function localTime(ms: number, timeZone: string): LocalTime {
  const shifted = new Date(timeZone === 'UTC' ? ms : ms + offsetMinutes(timeZone, ms) * 60_000);
  return { dayOfWeek: shifted.getUTCDay(), minuteOfDay: shifted.getUTCHours() * 60 + shifted.getUTCMinutes(), month: shifted.getUTCMonth() + 1 };
}
