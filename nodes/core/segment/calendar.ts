import { wallClock } from '../format/zone-clock';
import { dayNumber } from './clv/summary';

/**
 * Local calendar facts of an instant in the shop's time zone: day, weekday, minute of the day, month and season (the
 * wall clock, with its offset cache, is format/zone-clock.ts).
 */
export interface LocalTime {
  /**
   * The shop's calendar day, as days since 1970-01-01: what purchase days, recency and age count in, so two visits on
   * one day in Sydney (09:00 and 11:00 there, either side of midnight UTC) are one purchase day, as the shop sees them.
   */
  day: number;
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
  return { day: dayNumber(shifted.getTime()), dayOfWeek: shifted.getUTCDay(), minuteOfDay: shifted.getUTCHours() * 60 + shifted.getUTCMinutes(), month: shifted.getUTCMonth() + 1 };
}
