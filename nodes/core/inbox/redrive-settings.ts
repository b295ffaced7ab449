import { formNumber } from '../config/form-number';
import { durationOrOff } from '../config/settings';
import { InputError } from '../errors';
import { DEFAULT_REDRIVE_LIMIT, MIN_REDRIVE_LIMIT } from './redrive';

export const REDRIVE_AFTER_ENV = 'TERMINAL_CRM_REDRIVE_AFTER';

const FIX = 'write a duration such as 5m, 30s or 1h30m, 0 for no grace period, or off';
/** A run's own fix leaves "off" out: the run refuses it (redriveRunAfterMs). */
const RUN_FIX = 'write a duration such as 5m, 30s or 1h30m, or 0 for every waiting payment';

/**
 * A redrive's grace period from an option or a variable: "5m", "30s", "1h30m", "0" (config/settings.ts,
 * durationOrOff). `null` for "off" (the worker then redrives nothing). A number (a form field set by an expression)
 * is read as its digits, so 0 is no grace period and 300, without a unit, is refused rather than guessed.
 */
export function redriveAfterMs(field: string, raw: unknown, fallbackMs: number, fix = FIX): number | null {
  if (typeof raw === 'number') return durationOrOff(field, String(raw), fallbackMs, fix);
  if (raw !== undefined && raw !== null && typeof raw !== 'string') throw new InputError(field, `is ${Array.isArray(raw) ? 'a list' : typeof raw === 'object' ? 'an object' : `a ${typeof raw}`}, not a duration`, fix);
  return durationOrOff(field, raw ?? undefined, fallbackMs, fix);
}

/**
 * The grace period of one redrive run (a node after a schedule, the CLI): "off" would make the run do nothing while
 * looking scheduled, so it is refused rather than read as the default.
 */
export function redriveRunAfterMs(field: string, raw: unknown, fallbackMs: number): number {
  const ms = redriveAfterMs(field, raw, fallbackMs, RUN_FIX);
  if (ms === null) throw new InputError(field, `"${String(raw)}" turns redriving off, but this run redrives`, 'write a duration such as 5m, or 0 for every waiting payment; to stop redriving, deactivate the schedule that runs it');
  return ms;
}

/**
 * How many waiting payments one redrive run takes, as a face's field gives it (text or a number; blank: the default).
 * A count below MIN_REDRIVE_LIMIT or a fraction is refused by the field's name rather than rounded or raised to 1,
 * which would run something other than what was set.
 */
export function redriveLimit(field: string, raw: unknown): number {
  return formNumber(raw, { field, fallback: DEFAULT_REDRIVE_LIMIT, min: MIN_REDRIVE_LIMIT, whole: true, unit: 'payments' });
}
