import { z } from 'zod/v4';
import { InputError } from '../errors';

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

function localMinutes(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return get('hour') * 60 + get('minute');
}

/**
 * When a message composed at `at` may go: `at` itself outside quiet hours, else the end of the quiet period. The
 * end is found by adding the local minutes left, so on the night a clock changes it can be an hour off, which a
 * thank-you can bear.
 */
export function releaseTime(at: Date, quiet: QuietHours | null): Date {
  if (!quiet) return at;
  const now = localMinutes(at, quiet.timeZone);
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  const inside = start <= end ? now >= start && now < end : now >= start || now < end;
  if (!inside || start === end) return at;
  const wait = (end - now + 1440) % 1440;
  const release = new Date(at.getTime() + wait * 60_000);
  release.setUTCSeconds(0, 0);
  return release;
}
