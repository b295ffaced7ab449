import { wallClock } from '../format/zone-clock';

/**
 * Local calendar facts of an instant in the shop's time zone: weekday, minute of the day, month and season (the
 * wall clock, with its offset cache, is format/zone-clock.ts).
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

export function localTime(ms: number, timeZone: string): LocalTime {
  const shifted = wallClock(ms, timeZone);
  return { dayOfWeek: shifted.getUTCDay(), minuteOfDay: shifted.getUTCHours() * 60 + shifted.getUTCMinutes(), month: shifted.getUTCMonth() + 1 };
}
