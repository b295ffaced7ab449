import { obj } from '../json/json-values';
import type { SquareCredentials } from './square-credentials';

/**
 * The locations ListPayments is asked about: the ids SQUARE_LOCATION_ID lists (comma-separated), else the seller's
 * main location (undefined), which is all ListPayments returns when it is given none. Webhooks bring every location.
 */
export function squareLocationIds(credentials: Pick<SquareCredentials, 'locationId'>): (string | undefined)[] {
  const ids = (credentials.locationId ?? '').split(',').map((id) => id.trim()).filter(Boolean);
  return ids.length > 0 ? [...new Set(ids)] : [undefined];
}

interface Rounds {
  /** The location listed now, by its place in the list. */
  at: number;
  /** Each location's own cursor of the one-location listing. */
  cursors: Record<string, string | null>;
}

/**
 * One listing over several locations, one location at a time: each keeps its own cursor of `list` (its pages, and
 * where its next poll starts), and a round ends (`more` false) once the last location has no more pages. With one
 * location it is `list` with its own cursor, unchanged.
 */
export async function acrossLocations<R extends { cursor: string | null; more: boolean }>(
  credentials: SquareCredentials,
  cursor: string | null,
  list: (credentials: SquareCredentials, cursor: string | null) => Promise<R>,
): Promise<R> {
  const ids = squareLocationIds(credentials);
  if (ids.length === 1) {
    const only = ids[0];
    // A cursor of several locations (the setting named more before): this location's own, else a fresh start.
    const own = isRounds(cursor) ? (only === undefined ? null : (readRounds(cursor, [only]).cursors[only] ?? null)) : cursor;
    return list(only === undefined ? credentials : { ...credentials, locationId: only }, own);
  }
  const names = ids as string[];
  const state = readRounds(cursor, names);
  const id = names[state.at]!;
  const r = await list({ ...credentials, locationId: id }, state.cursors[id] ?? null);
  const at = r.more ? state.at : (state.at + 1) % names.length;
  const rounds: Rounds = { at, cursors: { ...state.cursors, [id]: r.cursor } };
  return { ...r, cursor: JSON.stringify({ locations: rounds }), more: r.more || at !== 0 };
}

function isRounds(cursor: string | null): boolean {
  try {
    return cursor !== null && obj(obj(JSON.parse(cursor))?.locations) !== undefined;
  } catch {
    return false;
  }
}

function readRounds(cursor: string | null, ids: string[]): Rounds {
  let parsed: unknown;
  try {
    parsed = cursor ? JSON.parse(cursor) : undefined;
  } catch {
    parsed = undefined;
  }
  const rounds = obj(obj(parsed)?.locations);
  if (!rounds) {
    // A cursor of one location (the setting named one before): it stays that location's, the others start afresh.
    return { at: 0, cursors: cursor ? { [ids[0]!]: cursor } : {} };
  }
  const cursors: Record<string, string | null> = {};
  for (const [id, c] of Object.entries(obj(rounds.cursors) ?? {})) if (ids.includes(id) && (typeof c === 'string' || c === null)) cursors[id] = c;
  const at = typeof rounds.at === 'number' && Number.isInteger(rounds.at) && rounds.at >= 0 && rounds.at < ids.length ? rounds.at : 0;
  return { at, cursors };
}
