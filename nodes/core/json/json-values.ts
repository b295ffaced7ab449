/**
 * Reading untyped JSON — a vendor's payload or answer — without trusting its shape: each reader gives `undefined`
 * for anything that is not what it reads, so a caller names the missing field instead of throwing a TypeError.
 */
export type Obj = Record<string, unknown>;

/** A JSON object (not an array, not null). */
export const obj = (v: unknown): Obj | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);

export const isRecord = (v: unknown): v is Obj => obj(v) !== undefined;

/** A non-empty string as sent: ids, codes and signatures, where any character is the sender's. */
export const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** A string with more than blanks in it, trimmed: what people typed (names, emails, notes) and vendors that pad. */
export const trimmedStr = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

/** An integer JavaScript holds exactly (minor units, counts); 1e20 or 1.5 is not one. */
export const safeInt = (v: unknown): number | undefined => (typeof v === 'number' && Number.isSafeInteger(v) ? v : undefined);
