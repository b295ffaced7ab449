import { luhnValid } from '../../nodes/core/pan-scrub';

/**
 * A 13-digit run from the clock that passes the Luhn check, for event ids in tests: a millisecond count passes it
 * one time in ten, and a processor's id that holds one must come through whole (never redacted as a card number).
 * Always Luhn-valid, so the tests that use it check that every time instead of one run in ten.
 */
export function luhnValidDigits(from = Date.now()): string {
  for (let n = from; ; n++) if (luhnValid(String(n))) return String(n);
}
