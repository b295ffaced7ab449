import type nockApi from 'nock' with { 'resolution-mode': 'import' };
import { squareApiFixture } from './square-fixtures';

type Scope = ReturnType<typeof nockApi>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** The main location of the fixtures' seller (Main Street, where every other Square fixture was taken). */
export const MAIN_LOCATION = 'L7K3PWQ9ZR2VD';
/** Its other locations, as ListLocations lists them (by name): Airport Kiosk (ACTIVE), Harbour Pop-up (INACTIVE). */
export const AIRPORT_LOCATION = 'LQ2M8XW4RT6VB';
export const HARBOUR_LOCATION = 'LH9C2N5JD3K8E';

export interface SquareSeller {
  /** The locations ListLocations gives (list-locations.json: Airport Kiosk, Harbour Pop-up, Main Street). */
  locations?: Json[];
  /** The token's permissions: without MERCHANT_PROFILE_READ the Locations API answers 403 INSUFFICIENT_SCOPES. */
  scopes?: readonly string[];
  /** The only token Square takes (401 for another); any when absent, for a scope that checks it itself. */
  token?: string;
}

/** The fixtures' seller with only its main location. */
export const ONE_LOCATION: SquareSeller = { locations: squareApiFixture('list-locations').locations.filter((l: Json) => l.id === MAIN_LOCATION) };

const EVERY_SCOPE = ['MERCHANT_PROFILE_READ', 'PAYMENTS_READ', 'CUSTOMERS_READ'];

/** What the Locations API answers this request, as its reference says (its errors as the SDK's Error_). */
function answer(seller: SquareSeller, request: Request, body: (locations: Json[]) => Json): [number, Json] {
  if (seller.token !== undefined && request.headers.get('authorization') !== `Bearer ${seller.token}`) return [401, squareApiFixture('error-unauthorized')];
  if (!(seller.scopes ?? EVERY_SCOPE).includes('MERCHANT_PROFILE_READ')) return [403, squareApiFixture('error-insufficient-scopes')];
  return [200, body(seller.locations ?? squareApiFixture('list-locations').locations)];
}

/** ListLocations (GET /v2/locations: every location, INACTIVE ones too, no paging) on `scope`, `times` times. */
export function serveSquareLocations(scope: Scope, seller: SquareSeller = {}, times = 1): Scope {
  return scope.get('/v2/locations').times(times).reply((request: Request) => answer(seller, request, (locations) => ({ locations })));
}

/** RetrieveLocation of the id `main` (GET /v2/locations/main): `{location}`, the seller's main one. */
export function serveSquareMainLocation(scope: Scope, seller: SquareSeller = {}): Scope {
  return scope.get('/v2/locations/main').reply((request: Request) => answer(seller, request, (locations) => ({ location: locations.find((l) => l.id === MAIN_LOCATION) ?? locations[0] })));
}
