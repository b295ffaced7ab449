import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { axiosTransport } from '../../../nodes/core/http/axios-transport';
import { listSquareHistory } from '../../../nodes/core/sources/history/square-payments';
import { SquarePollCredentialsSchema } from '../../../nodes/core/sources/square-credentials';
import { listSquarePayments } from '../../../nodes/core/sources/square-list';
import { squareLocationIds } from '../../../nodes/core/sources/square-locations';
import { squarePaymentObject } from '../../../sandbox/simulator/square-events';
import { nock, SQUARE_TOKEN } from '../backfill/history-mocks';
import { nockOffline } from '../../support/nock-offline';

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

  it('reads the locations from SQUARE_LOCATION_ID, trimmed and once each; none means the main one', () => {
    assert.deepEqual(squareLocationIds(credentials), ['LMAIN0000000A', 'LSECOND00000B']);
    assert.deepEqual(squareLocationIds({ locationId: 'L1,,L1' }), ['L1']);
    assert.deepEqual(squareLocationIds({}), [undefined]);
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
    const q = (location: string) => ({ begin_time: window.since.toISOString(), end_time: window.until.toISOString(), sort_order: 'ASC', limit: '100', location_id: location });
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
});
