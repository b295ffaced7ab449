import { z } from 'zod/v4';
import { InputError } from '../errors';
import { wallClock } from '../format/zone-clock';

export interface QuietHours {
  /** "22:00": from this local time… */
  start: string;
  /** "08:00": …until this one (the next day when it is earlier than start). */
  end: string;
  /** IANA time zone of the shop ("Europe/Paris"). */
  timeZone: string;
}

/**
 * A time of day quiet hours start or end at, HH:MM on a 24-hour clock. The build writes it into the Node-RED dialogs'
 * resources/editor-core.js, so the Message dialog marks what parseQuietHours refuses.
 */
export const QUIET_TIME_PATTERN = /^([01]\d|2[0-3]):[0-5]\d$/;
const HHMM = z.string().regex(QUIET_TIME_PATTERN, 'a time such as 22:00');

export function parseQuietHours(input: Partial<QuietHours> | null | undefined): QuietHours | null {
  if (!input || (!input.start && !input.end)) return null;
  for (const field of ['start', 'end'] as const) {
    if (!HHMM.safeParse(input[field]).success) {
      throw new InputError(`quietHours.${field}`, `"${String(input[field] ?? '')}" is not a time of day`, 'write it as HH:MM on a 24-hour clock, e.g. 21:30, or leave both empty for no quiet hours');
    }
  }
  const timeZone = input.timeZone || 'UTC';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw new InputError('quietHours.timeZone', `"${timeZone}" is not a time zone`, 'use an IANA name such as Europe/Paris or America/New_York');
  }
  return { start: input.start!, end: input.end!, timeZone };
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** The shop's clock at `at`, in minutes since its midnight (format/zone-clock.ts, with its offset cache). */
function localMinutes(at: Date, timeZone: string): number {
  const wall = wallClock(at.getTime(), timeZone);
  return wall.getUTCHours() * 60 + wall.getUTCMinutes();
}

/** Whether the shop's clock reads a quiet time at `at` (a period whose end is earlier than its start spans midnight). */
function isQuiet(at: Date, quiet: QuietHours): boolean {
  const now = localMinutes(at, quiet.timeZone);
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  if (start === end) return false;
  return start <= end ? now >= start && now < end : now >= start || now < end;
}

/** How far the shop's clock may move in one night (two hours covers every zone's daylight-saving change). */
const CLOCK_CHANGE_MINUTES = 180;

/**
 * When a message composed at `at` may go: `at` itself outside quiet hours, else the first whole minute the shop's
 * clock reads outside them. Adding the local minutes left is right on most nights; on the night the clock goes back
 * it would land an hour early, inside quiet hours (a mail at 07:00 for a shop quiet until 08:00), and on the night it
 * goes forward an hour late, or at a time the clock skips: then the minutes around it are read off the clock.
 */
export function releaseTime(at: Date, quiet: QuietHours | null): Date {
  if (!quiet || !isQuiet(at, quiet)) return at;
  const minute = (t: number) => new Date(t - (t % 60_000));
  const wait = (minutesOf(quiet.end) - localMinutes(at, quiet.timeZone) + 1440) % 1440;
  const naive = minute(at.getTime() + wait * 60_000);
  if (!isQuiet(naive, quiet) && isQuiet(new Date(naive.getTime() - 60_000), quiet)) return naive;
  const first = minute(Math.max(at.getTime(), naive.getTime() - CLOCK_CHANGE_MINUTES * 60_000));
  for (let t = first.getTime() + 60_000; t <= naive.getTime() + CLOCK_CHANGE_MINUTES * 60_000; t += 60_000) {
    if (!isQuiet(new Date(t), quiet)) return new Date(t);
  }
  return naive;
}
