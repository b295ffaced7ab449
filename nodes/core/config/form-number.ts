import { InputError } from '../errors';

/**
 * A number from a form that keeps its fields as text (Node-RED's editor): blank is the default; anything else must
 * be a number in range, since running with the default for "-1" or "0" does something other than what was set.
 */
export function formNumber(raw: unknown, o: { field: string; fallback: number; min: number; max?: number; whole?: boolean; unit: string }): number {
  if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) return o.fallback;
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw.trim()) : NaN;
  // Whole means exactly one: past 2^53 a number is no longer the count that was typed (and no driver binds 1e300).
  if (!Number.isFinite(n) || n < o.min || (o.max !== undefined && n > o.max) || (o.whole === true && !Number.isSafeInteger(n))) {
    const range = o.max === undefined ? `from ${o.min} up` : `from ${o.min} to ${o.max}`;
    throw new InputError(o.field, `"${String(raw)}" is not ${o.whole ? 'a whole number' : 'a number'} of ${o.unit} ${range}`, `give one such as ${o.fallback}, or leave it blank for ${o.fallback}`);
  }
  return n;
}
