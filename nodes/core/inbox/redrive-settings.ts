import { ENV, reviewWaitFromEnv } from '../config/settings';
import { InputError } from '../errors';

export const REDRIVE_AFTER_ENV = 'TERMINAL_CRM_REDRIVE_AFTER';

/**
 * A redrive's grace period from an option or a variable: "5m", "30s", "1h30m", "0" — the duration grammar the
 * review wait has (config/settings.ts), read by that same rule. `null` for "off" (the worker then redrives nothing).
 */
export function redriveAfterMs(field: string, raw: string | undefined, fallbackMs: number): number | null {
  const value = raw?.trim().toLowerCase();
  if (!value) return fallbackMs;
  if (value === 'off' || value === 'false' || value === 'no') return null;
  try {
    return reviewWaitFromEnv({ [ENV.reviewWait]: value });
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    throw new InputError(field, `"${raw}" is not a duration`, 'write a duration such as 5m, 30s or 1h30m, 0 for no grace period, or off');
  }
}
