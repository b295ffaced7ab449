import assert from 'node:assert/strict';
import { InputError } from '../../nodes/core/errors';

/**
 * A refusal an operator can act on: an InputError naming `variable` first (or a part of it, TERMINAL_CRM_SEGMENT_CONFIG.flags),
 * with a fix, and none of the internals that would leave them guessing (a zod dump, NaN, "[object Object]", a fix said twice).
 */
export function assertNamesVariable(e: unknown, variable: string, what: string): void {
  assert.ok(e !== undefined, `${what}: accepted`);
  assert.ok(e instanceof InputError, `${what}: ${e instanceof Error ? e.stack : String(e)}`);
  assert.ok(e.field === variable || e.field.startsWith(`${variable}.`) || e.field.startsWith(`${variable} `), `${what}: names ${e.field} (${e.message})`);
  assert.ok(e.fix.trim().length > 0, `${what}: no fix (${e.message})`);
  assert.doesNotMatch(e.message, /\[object |\bNaN\b|Invalid input|\. Fix: [\s\S]*\. Fix: /, `${what}: ${e.message}`);
}
