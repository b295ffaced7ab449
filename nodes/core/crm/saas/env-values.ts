import { InputError } from '../../errors';

/**
 * A positive whole number an operator wrote in variable `name`, undefined when unset. Number() would hand the schema
 * NaN for "abc", and the schema would answer "expected number, received NaN": the error names the text instead.
 */
export function positiveWholeNumberFromEnv(name: string, text: string | undefined, fix: string): number | undefined {
  if (text === undefined) return undefined;
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n <= 0) throw new InputError(name, `"${text}" is not a positive whole number`, fix);
  return n;
}

/**
 * A JSON object an operator wrote in variable `name`, undefined when unset. A list or a bare value would reach the
 * schema as "expected record, received array": the error says what was written instead, with `fix`.
 */
export function jsonObjectFromEnv(name: string, text: string | undefined, fix: string): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new InputError(name, `is not valid JSON (${(e as Error).message})`, fix);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InputError(name, `is ${Array.isArray(value) ? 'a JSON list' : `the JSON value ${JSON.stringify(value)}`}, not an object`, fix);
  }
  return value as Record<string, unknown>;
}
