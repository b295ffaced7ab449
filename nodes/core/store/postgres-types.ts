import type { CustomTypesConfig } from 'pg';
import { types as pgTypes } from 'pg';

const INT8 = 20;
const NUMERIC = 1700;

/**
 * How Postgres values come back, so code written against SQLite reads the same JS types.
 *
 * The schema's INTEGER columns are BIGINT on Postgres (money is integer minor units; a month of sales in a
 * currency like IDR or KRW passes 2^31 minor units), and COUNT(*) is BIGINT, SUM over BIGINT is NUMERIC. The
 * driver hands both over as strings, since a 64-bit integer need not fit a JS number. The store converts
 * them to numbers and refuses a value beyond ±2^53 (9 × 10^15, ninety trillion in a two-decimal currency)
 * rather than return it rounded: a wrong total is worse than an error. Fractional NUMERICs (AVG) become
 * doubles, as SQLite returns them. REAL/DOUBLE PRECISION are doubles already.
 */
export const storeTypes: CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (format !== 'binary' && (oid === INT8 || oid === NUMERIC)) return parseNumber;
    return pgTypes.getTypeParser(oid, format);
  }) as CustomTypesConfig['getTypeParser'],
};

export function parseNumber(text: string): number {
  const n = Number(text);
  if (/^-?\d+$/.test(text) && !Number.isSafeInteger(n)) {
    throw new RangeError(`the store returned the integer ${text}, too large to handle exactly (limit ±${Number.MAX_SAFE_INTEGER})`);
  }
  return n;
}
