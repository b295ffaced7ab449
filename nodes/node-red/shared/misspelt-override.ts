import { InputError } from '../../core/errors';
import { damerauWithin } from '../../core/match/edit-distance';

/**
 * A key of msg.payload a slip or two away from a field the node reads from it ("sinse", "Operation"): refused,
 * naming the field meant, since it would ride along unread while the node ran its own setting instead (a backfill
 * started where a pause was asked for). Keys far from every field are other data the message carries and are left
 * alone.
 */
export function refuseMisspeltOverrides(payload: Readonly<Record<string, unknown>>, fields: readonly string[]): void {
  for (const key of Object.keys(payload)) {
    if (fields.includes(key)) continue;
    const meant = fields.find((f) => damerauWithin(key.toLowerCase(), f.toLowerCase(), f.length <= 5 ? 1 : 2) <= (f.length <= 5 ? 1 : 2));
    if (meant) throw new InputError(`msg.payload.${key}`, `is not a field this node reads (it would be ignored and the node's own setting used)`, `call it ${meant}; the fields it reads are ${fields.join(', ')}`);
  }
}
