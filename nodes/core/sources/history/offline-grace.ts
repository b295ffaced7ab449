/**
 * An operator's offline grace as a face gives it (the CLI's --offline-grace, n8n's Offline Grace (Hours), a Node-RED
 * dialog or message, a Temporal input): text or a number of hours, read here once. offlineGraceOf (history/index.ts)
 * turns a fault into the field's error; the Node-RED dialog marks the field running this function's compiled source
 * (resources/editor-core.js), so it must use nothing outside itself.
 *
 * Blank, undefined, null or the number 0 is undefined (the source's own grace: Stripe 72 hours, Square 24); a whole
 * number of hours from 1 to 720 (30 days: each window's listing reads this far past its end) is itself, as a number
 * or as text; anything else null.
 */
export function offlineGraceHoursOf(given: unknown): number | null | undefined {
  if (given === undefined || given === null || given === 0 || (typeof given === 'string' && !given.trim())) return undefined;
  const hours = typeof given === 'number' ? given : typeof given === 'string' && /^\s*\d+\s*$/.test(given) ? Number(given) : NaN;
  return Number.isInteger(hours) && hours >= 1 && hours <= 720 ? hours : null;
}

/** The most hours offlineGraceHoursOf takes. */
export const MAX_OFFLINE_GRACE_HOURS = 720;
