import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError } from '../../../nodes/core/errors';
import { axiosTransport } from '../../../nodes/core/http/axios-transport';
import { listSquareHistory } from '../../../nodes/core/sources/history/square-payments';
import { SquarePollCredentialsSchema } from '../../../nodes/core/sources/square-credentials';
import { listSquarePayments } from '../../../nodes/core/sources/square-list';
import { squareLocationIds } from '../../../nodes/core/sources/square-locations';
import { squarePaymentObject } from '../../../sandbox/simulator/square-events';
import { nock, SQUARE_TOKEN, squareListedUntil } from '../backfill/history-mocks';
import { AIRPORT_LOCATION, HARBOUR_LOCATION, MAIN_LOCATION, ONE_LOCATION, serveSquareLocations, serveSquareMainLocation } from './square-locations-mock';
import { nockOffline } from '../../support/nock-offline';

/** One round: pages until `more` is false (at most 10). */
async function round<R extends { cursor: string | null; more: boolean }>(page: (cursor: string | null) => Promise<R>, from: string | null = null): Promise<R[]> {
  const pages: R[] = [];
  let cursor = from;
  do {
    const p = await page(cursor);
    pages.push(p);
    cursor = p.cursor;
  } while (pages.at(-1)!.more && pages.length < 10);
  return pages;
}

/**
 * ListPayments lists the seller's main location unless given a `location_id` ("By default, results are returned for
 * the default (main) location associated with the seller", the SDK's ListPaymentsRequest), while webhooks bring every
 * location: SQUARE_LOCATION_ID names each location polling and backfill list.
 */
describe('Square: polling and backfill over several locations', () => {
  nockOffline();

  const ctx = { http: axiosTransport(), now: () => new Date('2026-11-23T00:00:00Z') };
  const credentials = SquarePollCredentialsSchema.parse({ accessToken: SQUARE_TOKEN, locationId: ' LMAIN0000000A, LSECOND00000B ' });
  const at = (location: string, id: string, time: string) => ({ ...squarePaymentObject({ id, amount: 1250, currency: 'USD', createdAt: time }), location_id: location, updated_at: time });
  const main = at('LMAIN0000000A', 'MainSaleAAAAAAAAAAAAAAAAAAZY', '2026-11-20T10:00:00.000Z');
  const second = at('LSECOND00000B', 'SecondSaleBBBBBBBBBBBBBBBBZY', '2026-11-20T11:00:00.000Z');
  const square = () => nock('https://connect.squareup.com', { reqheaders: { authorization: `Bearer ${SQUARE_TOKEN}` } });

  it('reads the locations from SQUARE_LOCATION_ID, trimmed and once each; none means the seller\'s, looked up', () => {
    assert.deepEqual(squareLocationIds(credentials), ['LMAIN0000000A', 'LSECOND00000B']);
    assert.deepEqual(squareLocationIds({ locationId: 'L1,,L1' }), ['L1']);
    assert.deepEqual(squareLocationIds({}), []);
  });

  it('asks ListLocations nothing when the setting names the locations', async () => {
    const lookup = serveSquareLocations(square());
    const since = '2026-11-20T00:00:00.000Z';
    const api = square()
      .get('/v2/payments').query({ updated_at_begin_time: since, sort_field: 'UPDATED_AT', sort_order: 'ASC', limit: '100', location_id: 'LMAIN0000000A' }).reply(200, { payments: [main] })
      .get('/v2/payments').query({ updated_at_begin_time: since, sort_field: 'UPDATED_AT', sort_order: 'ASC', limit: '100', location_id: 'LSECOND00000B' }).reply(200, {});
    const pages = await round((c) => listSquarePayments(credentials, { cursor: c, since: new Date(since), limit: 100 }, ctx));
    assert.deepEqual(pages.flatMap((p) => p.events.map((e) => e.paymentId)), [main.id]);
    assert.ok(api.isDone(), JSON.stringify(nock.pendingMocks()));
    assert.ok(!lookup.isDone(), 'ListLocations not asked');
  });

  it('polls each location in turn, each from its own last change, and ends a round after the last', async () => {
    const since = '2026-11-20T00:00:00.000Z';
    const q = (location: string, from: string) => ({ updated_at_begin_time: from, sort_field: 'UPDATED_AT', sort_order: 'ASC', limit: '100', location_id: location });
    const api = square()
      .get('/v2/payments').query(q('LMAIN0000000A', since)).reply(200, { payments: [main] })
      .get('/v2/payments').query(q('LSECOND00000B', since)).reply(200, { payments: [second] });
    const first = await listSquarePayments(credentials, { cursor: null, since: new Date(since), limit: 100 }, ctx);
    assert.deepEqual([first.events.map((e) => e.paymentId), first.more], [[main.id], true], 'the second location is still to come');
    const done = await listSquarePayments(credentials, { cursor: first.cursor, since: new Date(since), limit: 100 }, ctx);
    assert.deepEqual([done.events.map((e) => e.paymentId), done.more], [[second.id], false]);
    assert.ok(api.isDone(), JSON.stringify(nock.pendingMocks()));

    // The next poll: each location from the last change it showed.
    const next = square()
      .get('/v2/payments').query(q('LMAIN0000000A', main.updated_at)).reply(200, {})
      .get('/v2/payments').query(q('LSECOND00000B', second.updated_at)).reply(200, {});
    const a = await listSquarePayments(credentials, { cursor: done.cursor, limit: 100 }, ctx);
    const b = await listSquarePayments(credentials, { cursor: a.cursor, limit: 100 }, ctx);
    assert.deepEqual([a.more, b.more, b.events], [true, false, []]);
    assert.ok(next.isDone(), JSON.stringify(nock.pendingMocks()));
  });

  it('backfills a window from each location in turn; the window is done after the last', async () => {
    const window = { since: new Date('2026-11-20T00:00:00Z'), until: new Date('2026-11-21T00:00:00Z'), limit: 100, cursor: null };
    const q = (location: string) => ({ begin_time: window.since.toISOString(), end_time: squareListedUntil(window.until), sort_order: 'ASC', limit: '100', location_id: location });
    const api = square()
      .get('/v2/payments').query(q('LMAIN0000000A')).reply(200, { payments: [main] })
      .get('/v2/payments').query(q('LSECOND00000B')).reply(200, { payments: [second] });
    const first = await listSquareHistory(credentials, window, ctx);
    const last = await listSquareHistory(credentials, { ...window, cursor: first.cursor }, ctx);
    assert.deepEqual([first.events.map((e) => e.paymentId), first.more, last.events.map((e) => e.paymentId), last.more], [[main.id], true, [second.id], false]);
    assert.ok(api.isDone(), JSON.stringify(nock.pendingMocks()));
  });

  it('keeps the cursor of a single location when a second one is added to the setting', async () => {
    const one = SquarePollCredentialsSchema.parse({ accessToken: SQUARE_TOKEN, locationId: 'LMAIN0000000A' });
    const since = '2026-11-20T00:00:00.000Z';
    square().get('/v2/payments').query({ updated_at_begin_time: since, sort_field: 'UPDATED_AT', sort_order: 'ASC', limit: '100', location_id: 'LMAIN0000000A' }).reply(200, { payments: [main] });
    const alone = await listSquarePayments(one, { cursor: null, since: new Date(since), limit: 100 }, ctx);
    const api = square()
      .get('/v2/payments').query({ updated_at_begin_time: main.updated_at, sort_field: 'UPDATED_AT', sort_order: 'ASC', limit: '100', location_id: 'LMAIN0000000A' }).reply(200, {})
      .get('/v2/payments').query({ updated_at_begin_time: since, sort_field: 'UPDATED_AT', sort_order: 'ASC', limit: '100', location_id: 'LSECOND00000B' }).reply(200, { payments: [second] });
    const a = await listSquarePayments(credentials, { cursor: alone.cursor, since: new Date(since), limit: 100 }, ctx);
    const b = await listSquarePayments(credentials, { cursor: a.cursor, since: new Date(since), limit: 100 }, ctx);
    assert.deepEqual([a.events, b.events.map((e) => e.paymentId)], [[], [second.id]]);
    assert.ok(api.isDone(), JSON.stringify(nock.pendingMocks()));
  });

  /**
   * With no SQUARE_LOCATION_ID, every location of the seller, as ListLocations gives them (INACTIVE ones too: they
   * hold past payments), where ListPayments asked without a location returns only the main one's.
   */
  describe('Square: polling and backfill over every location of the seller when none is named', () => {
    const ctx = { http: axiosTransport(), now: () => new Date('2026-11-23T00:00:00Z') };
    const seller = SquarePollCredentialsSchema.parse({ accessToken: SQUARE_TOKEN });
    const at = (location: string, id: string, time: string) => ({ ...squarePaymentObject({ id, amount: 1250, currency: 'USD', createdAt: time }), location_id: location, updated_at: time });
    const airport = at(AIRPORT_LOCATION, 'AirportSaleCCCCCCCCCCCCCCCZY', '2026-11-20T09:00:00.000Z');
    const main = at(MAIN_LOCATION, 'MainStreetSaleDDDDDDDDDDDDZY', '2026-11-20T10:00:00.000Z');
    const square = () => nock('https://connect.squareup.com', { reqheaders: { authorization: `Bearer ${SQUARE_TOKEN}` } });
    const since = '2026-11-20T00:00:00.000Z';
    const q = (location: string | undefined, from: string) => ({ updated_at_begin_time: from, sort_field: 'UPDATED_AT', sort_order: 'ASC', limit: '100', ...(location ? { location_id: location } : {}) });
    const poll = (cursor: string | null) => listSquarePayments(seller, { cursor, since: new Date(since), limit: 100 }, ctx);
    const paymentIds = (pages: { events: { paymentId: string }[] }[]) => pages.flatMap((p) => p.events.map((e) => e.paymentId));

    it('polls each location ListLocations gives, the INACTIVE one too, looking them up once a round', async () => {
      const api = serveSquareLocations(square())
        .get('/v2/payments').query(q(AIRPORT_LOCATION, since)).reply(200, { payments: [airport] })
        .get('/v2/payments').query(q(HARBOUR_LOCATION, since)).reply(200, {})
        .get('/v2/payments').query(q(MAIN_LOCATION, since)).reply(200, { payments: [main] });
      const first = await round(poll);
      assert.deepEqual([paymentIds(first), first.map((p) => p.more)], [[airport.id, main.id], [true, true, false]]);
      assert.ok(api.isDone(), JSON.stringify(nock.pendingMocks()));

      // The next round looks them up again, and each location goes on from its own last change.
      const next = serveSquareLocations(square())
        .get('/v2/payments').query(q(AIRPORT_LOCATION, airport.updated_at)).reply(200, {})
        .get('/v2/payments').query(q(HARBOUR_LOCATION, since)).reply(200, {})
        .get('/v2/payments').query(q(MAIN_LOCATION, main.updated_at)).reply(200, {});
      const second = await round(poll, first.at(-1)!.cursor);
      assert.deepEqual([paymentIds(second), second.length], [[], 3]);
      assert.ok(next.isDone(), JSON.stringify(nock.pendingMocks()));
    });

    it('backfills a window from every location, looking them up once for the window', async () => {
      const window = { since: new Date('2026-11-20T00:00:00Z'), until: new Date('2026-11-21T00:00:00Z'), limit: 100, cursor: null };
      const w = (location: string) => ({ begin_time: window.since.toISOString(), end_time: squareListedUntil(window.until), sort_order: 'ASC', limit: '100', location_id: location });
      const api = serveSquareLocations(square())
        .get('/v2/payments').query(w(AIRPORT_LOCATION)).reply(200, { payments: [airport], cursor: 'airport-page-2' })
        .get('/v2/payments').query({ ...w(AIRPORT_LOCATION), cursor: 'airport-page-2' }).reply(200, {})
        .get('/v2/payments').query(w(HARBOUR_LOCATION)).reply(200, {})
        .get('/v2/payments').query(w(MAIN_LOCATION)).reply(200, { payments: [main] });
      const pages = await round((cursor) => listSquareHistory(seller, { ...window, cursor }, ctx));
      assert.deepEqual([paymentIds(pages), pages.length], [[airport.id, main.id], 4]);
      assert.ok(api.isDone(), JSON.stringify(nock.pendingMocks()));
    });

    it('starts a location opened later from the start, and keeps where the others were', async () => {
      const before = serveSquareLocations(square(), ONE_LOCATION).get('/v2/payments').query(q(MAIN_LOCATION, since)).reply(200, { payments: [main] });
      const [alone] = await round(poll);
      assert.ok(before.isDone(), JSON.stringify(nock.pendingMocks()));
      const after = serveSquareLocations(square())
        .get('/v2/payments').query(q(AIRPORT_LOCATION, since)).reply(200, { payments: [airport] })
        .get('/v2/payments').query(q(HARBOUR_LOCATION, since)).reply(200, {})
        .get('/v2/payments').query(q(MAIN_LOCATION, main.updated_at)).reply(200, {});
      assert.deepEqual(paymentIds(await round(poll, alone!.cursor)), [airport.id]);
      assert.ok(after.isDone(), JSON.stringify(nock.pendingMocks()));
    });

    it('gives the cursor of the listing asked without a location (written before) to the main location, asked anew from its last change', async () => {
      // Mid-query: Square's page cursor continues only the query without location_id, so the main one's starts again
      // at the last change it showed.
      const written = JSON.stringify({ since, page: 'unasked-page-2', last: main.updated_at });
      const api = serveSquareMainLocation(serveSquareLocations(square()))
        .get('/v2/payments').query(q(AIRPORT_LOCATION, since)).reply(200, { payments: [airport] })
        .get('/v2/payments').query(q(HARBOUR_LOCATION, since)).reply(200, {})
        .get('/v2/payments').query(q(MAIN_LOCATION, main.updated_at)).reply(200, {});
      assert.deepEqual(paymentIds(await round(poll, written)), [airport.id]);
      assert.ok(api.isDone(), JSON.stringify(nock.pendingMocks()));
    });

    it('lists the main location when the token may not list locations (403 INSUFFICIENT_SCOPES), saying so on each page', async () => {
      const refused = { scopes: ['PAYMENTS_READ', 'CUSTOMERS_READ'] };
      const api = serveSquareLocations(square(), refused)
        .get('/v2/payments').query(q(undefined, since)).reply(200, { payments: [main], cursor: 'unasked-page-2' })
        .get('/v2/payments').query({ ...q(undefined, since), cursor: 'unasked-page-2' }).reply(200, {});
      const pages = await round(poll);
      assert.deepEqual(paymentIds(pages), [main.id]);
      assert.ok(api.isDone(), `ListLocations once for the round: ${JSON.stringify(nock.pendingMocks())}`);
      for (const p of pages) {
        assert.equal(p.notes?.length, 1);
        assert.match(p.notes![0]!, /^Square refused to list the seller's locations \(403 INSUFFICIENT_SCOPES: .*\): only the main location's payments are listed\. Give the access token MERCHANT_PROFILE_READ, or list every location's id in "Location IDs" \(SQUARE_LOCATION_ID\)/);
      }

      // Granted later: the main location goes on from there by its id, the others from the start.
      const granted = serveSquareMainLocation(serveSquareLocations(square()))
        .get('/v2/payments').query(q(AIRPORT_LOCATION, since)).reply(200, { payments: [airport] })
        .get('/v2/payments').query(q(HARBOUR_LOCATION, since)).reply(200, {})
        .get('/v2/payments').query(q(MAIN_LOCATION, main.updated_at)).reply(200, {});
      const after = await round(poll, pages.at(-1)!.cursor);
      assert.deepEqual([paymentIds(after), after.map((p) => p.notes)], [[airport.id], [undefined, undefined, undefined]]);
      assert.ok(granted.isDone(), JSON.stringify(nock.pendingMocks()));
    });

    it('names the access token when Square refuses it the locations (401), as ListPayments does', async () => {
      serveSquareLocations(nock('https://connect.squareup.com'), { token: 'EAAAl-another-token' });
      await assert.rejects(poll(null), (e) => e instanceof InputError && e.field === 'accessToken' && /list the seller's locations \(401 UNAUTHORIZED/.test(e.message) && /MERCHANT_PROFILE_READ/.test(e.fix));
    });
  });
});
