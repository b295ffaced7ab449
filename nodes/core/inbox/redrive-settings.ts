import { durationOrOff } from '../config/settings';

export const REDRIVE_AFTER_ENV = 'TERMINAL_CRM_REDRIVE_AFTER';

/**
 * A redrive's grace period from an option or a variable: "5m", "30s", "1h30m", "0" (config/settings.ts,
 * durationOrOff). `null` for "off" (the worker then redrives nothing).
 */
export function redriveAfterMs(field: string, raw: string | undefined, fallbackMs: number): number | null {
  return durationOrOff(field, raw, fallbackMs, 'write a duration such as 5m, 30s or 1h30m, 0 for no grace period, or off');
}
