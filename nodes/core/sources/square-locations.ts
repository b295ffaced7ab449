import { obj, type Obj } from '../json/json-values';
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
  const rounds = roundsIn(cursor);
  if (ids.length === 1) {
    const only = ids[0];
    // A cursor of several locations (the setting named more before): this location's own, else a fresh start.
    const own = rounds ? (only === undefined ? null : (readRounds(rounds, [only]).cursors[only] ?? null)) : cursor;
    return list(only === undefined ? credentials : { ...credentials, locationId: only }, own);
  }
  const names = ids as string[];
  // A cursor of one location (the setting named one before) stays that location's; the others start afresh.
  const state = rounds ? readRounds(rounds, names) : { at: 0, cursors: cursor ? { [names[0]!]: cursor } : {} };
  const id = names[state.at]!;
  const r = await list({ ...credentials, locationId: id }, state.cursors[id] ?? null);
  const at = r.more ? state.at : (state.at + 1) % names.length;
  const next: Rounds = { at, cursors: { ...state.cursors, [id]: r.cursor } };
  return { ...r, cursor: JSON.stringify({ locations: next }), more: r.more || at !== 0 };
}

/** The rounds a cursor of several locations holds; undefined for a one-location cursor, or none. */
function roundsIn(cursor: string | null): Obj | undefined {
  if (!cursor) return undefined;
  try {
    return obj(obj(JSON.parse(cursor))?.locations);
  } catch {
    return undefined;
  }
}

function readRounds(rounds: Obj, ids: string[]): Rounds {
  const cursors: Record<string, string | null> = {};
  for (const [id, c] of Object.entries(obj(rounds.cursors) ?? {})) if (ids.includes(id) && (typeof c === 'string' || c === null)) cursors[id] = c;
  const at = typeof rounds.at === 'number' && Number.isInteger(rounds.at) && rounds.at >= 0 && rounds.at < ids.length ? rounds.at : 0;
  return { at, cursors };
}
