/**
 * The wall clock of an instant in a time zone (IANA name), for what is told by local time: the segment's weekday and
 * hour of a purchase, the calendar day a CRM files a sale under. Intl is slow per call, so the zone's UTC offset is
 * cached per half hour of UTC: offsets change on the hour in all but a handful of zones, and those on the half hour.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();
const offsets = new Map<string, number>();
const HALF_HOUR_MS = 1_800_000;

/** Local wall time minus UTC, in minutes, at instant `ms` (Europe/Berlin in summer: 120). */
export function zoneOffsetMinutes(timeZone: string, ms: number): number {
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

/** The instant moved by the zone's offset, so its UTC fields read as the zone's wall clock. */
export function wallClock(ms: number, timeZone: string): Date {
  return new Date(timeZone === 'UTC' ? ms : ms + zoneOffsetMinutes(timeZone, ms) * 60_000);
}

/** The calendar day of instant `ms` in the zone, as YYYY-MM-DD: 2026-03-02T01:30Z in America/Los_Angeles is 2026-03-01. */
export function localDay(ms: number, timeZone: string): string {
  return wallClock(ms, timeZone).toISOString().slice(0, 10);
}
