import { obj, trimmedStr, type Obj } from '../json/json-values';
import { CredentialFieldError } from './credential-error';
import type { SourceContext } from './source';
import { squareErrorText, squareRequest } from './square-api';
import type { SquareCredentials } from './square-credentials';

/** The ids SQUARE_LOCATION_ID lists (comma-separated), trimmed and once each; none when it is empty. */
export function squareLocationIds(credentials: Pick<SquareCredentials, 'locationId'>): string[] {
  const ids = (credentials.locationId ?? '').split(',').map((id) => id.trim()).filter(Boolean);
  return [...new Set(ids)];
}

/** The seller's locations, or why only the main one can be listed (said to the operator, never silent). */
export type SellerLocations = { ok: true; ids: string[] } | { ok: false; note: string };

/**
 * Every location of the seller, by ListLocations (GET /v2/locations, no paging), INACTIVE ones included: a location
 * closed since still holds the payments it took, which backfill and reconcile must read, and one of them can still
 * change (a refund), which polling must see; an inactive location costs one mostly empty page per round. Nor is one
 * left out for lacking CREDIT_CARD_PROCESSING, which says what it may take now, not what it took. Locations are
 * never deleted, so the set only grows and each location keeps its cursor. A token without MERCHANT_PROFILE_READ is
 * answered 403 INSUFFICIENT_SCOPES: the listing then falls back to the main location, as before, with a note saying so.
 */
export async function sellerLocations(credentials: SquareCredentials, ctx: SourceContext): Promise<SellerLocations> {
  const res = await squareRequest(credentials, ctx, '/v2/locations');
  const said = squareErrorText(res.body);
  if (res.status === 403 && /INSUFFICIENT_SCOPES/.test(said)) {
    return {
      ok: false,
      note:
        `Square refused to list the seller's locations (403 ${said}): only the main location's payments are listed. ` +
        'Give the access token MERCHANT_PROFILE_READ, or list every location\'s id in "Location IDs" (SQUARE_LOCATION_ID), comma-separated.',
    };
  }
  if (res.status === 401 || res.status === 403) {
    throw new CredentialFieldError('accessToken', `Square refused the access token to list the seller's locations (${res.status} ${said})`, 'use an access token of this seller that may read payments (PAYMENTS_READ) and its locations (MERCHANT_PROFILE_READ)');
  }
  if (res.status !== 200) throw new CredentialFieldError(['baseUrl', 'apiVersion'], `Square answered ${res.status} to ListLocations: ${said}`, 'check the seller\'s API address and version');
  const locations = obj(res.body)?.locations;
  const ids = (Array.isArray(locations) ? locations : []).map((l) => trimmedStr(obj(l)?.id)).filter((id): id is string => Boolean(id));
  if (ids.length === 0) return { ok: false, note: 'Square listed no locations for this seller: only the main location\'s payments are listed.' };
  return { ok: true, ids: [...new Set(ids)] };
}

/** The main location's id (RetrieveLocation with the id "main"), undefined when Square does not say. */
async function mainLocationId(credentials: SquareCredentials, ctx: SourceContext): Promise<string | undefined> {
  const res = await squareRequest(credentials, ctx, '/v2/locations/main');
  return res.status === 200 ? trimmedStr(obj(obj(res.body)?.location)?.id) : undefined;
}

/** The key of the listing asked without a location: the main one, all ListPayments returns unasked. */
const UNASKED = '';

interface Rounds {
  /** The location listed now, by its place in the list. */
  at: number;
  /** Each location's own cursor of the one-location listing (UNASKED: the listing asked without one). */
  cursors: Record<string, string | null>;
  /** The locations of the round under way, kept until it ends: ListLocations is asked once a round, not once a page. */
  found?: string[];
  /** Why the round under way lists only the main location, said with each of its pages. */
  note?: string;
}

/** A round's locations: those named, the seller's, or the main one alone (UNASKED) with why. */
interface Round {
  ids: string[];
  note?: string;
}

type Listed = { cursor: string | null; more: boolean; notes?: string[] };

/**
 * One listing over several locations, one location at a time: each keeps its own cursor of `list` (its pages, and
 * where its next poll starts), and a round ends (`more` false) once the last location has no more pages. The
 * locations are those SQUARE_LOCATION_ID names; with none, every location of the seller (sellerLocations), looked
 * up at the start of each round, so a location added since joins the next round from the start.
 *
 * One location named keeps `list`'s own cursor, unchanged. `requery` turns a cursor of the listing asked without a
 * location (the main one, all ListPayments returns unasked) into one for the same listing asked with the location's
 * id: Square's page cursor continues only the query it came from.
 */
export async function acrossLocations<R extends Listed>(
  credentials: SquareCredentials,
  ctx: SourceContext,
  cursor: string | null,
  list: (credentials: SquareCredentials, cursor: string | null) => Promise<R>,
  requery: (cursor: string) => string | null,
): Promise<R> {
  const rounds = roundsIn(cursor);
  const named = squareLocationIds(credentials);
  if (named.length === 1) {
    const only = named[0]!;
    // A cursor of several locations (the setting named more before): this location's own, else a fresh start.
    return list({ ...credentials, locationId: only }, rounds ? (readRounds(rounds, [only]).cursors[only] ?? null) : cursor);
  }
  if (named.length > 1) {
    // A cursor of one location (the setting named one before) stays that location's; the others start afresh.
    return inTurn(credentials, { ids: named }, rounds ? readRounds(rounds, named) : { at: 0, cursors: cursor ? { [named[0]!]: cursor } : {} }, list, false);
  }
  let round = rounds ? roundUnderWay(rounds) : undefined;
  if (!round) {
    const seller = await sellerLocations(credentials, ctx);
    round = seller.ok ? { ids: seller.ids } : { ids: [UNASKED], note: seller.note };
  }
  const state: Rounds = rounds ? readRounds(rounds, round.ids) : { at: 0, cursors: {} };
  // The listing asked without a location (before any lookup, or while Square refused it) was the main location's.
  const unasked = rounds ? obj(rounds.cursors)?.[UNASKED] : cursor;
  if (typeof unasked === 'string' && unasked && state.cursors[UNASKED] === undefined) {
    if (round.ids[0] === UNASKED) state.cursors[UNASKED] = unasked;
    else {
      const main = round.ids.length === 1 ? round.ids[0] : await mainLocationId(credentials, ctx);
      // Without the main one's id the listing of every location starts afresh: the ledger knows what it lists twice.
      if (main && round.ids.includes(main) && state.cursors[main] === undefined) state.cursors[main] = requery(unasked);
    }
  }
  const r = await inTurn(credentials, round, state, list, true);
  return round.note ? { ...r, notes: [...(r.notes ?? []), round.note] } : r;
}

/** One page of the location whose turn it is; `keepRound` keeps the round's locations in the cursor until it ends. */
async function inTurn<R extends Listed>(
  credentials: SquareCredentials,
  round: Round,
  state: Rounds,
  list: (credentials: SquareCredentials, cursor: string | null) => Promise<R>,
  keepRound: boolean,
): Promise<R> {
  const { ids } = round;
  const id = ids[state.at]!;
  const r = await list(id === UNASKED ? credentials : { ...credentials, locationId: id }, state.cursors[id] ?? null);
  const at = r.more ? state.at : (state.at + 1) % ids.length;
  const more = r.more || at !== 0;
  const kept = keepRound && more ? { found: ids, ...(round.note ? { note: round.note } : {}) } : {};
  const next: Rounds = { at, cursors: { ...state.cursors, [id]: r.cursor }, ...kept };
  return { ...r, cursor: JSON.stringify({ locations: next }), more };
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

/** The locations of the round under way, when the cursor is in the middle of one. */
function roundUnderWay(rounds: Obj): Round | undefined {
  const ids = Array.isArray(rounds.found) ? rounds.found.filter((id): id is string => typeof id === 'string') : [];
  if (ids.length === 0) return undefined;
  const note = trimmedStr(rounds.note);
  return note ? { ids, note } : { ids };
}
