import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { axiosTransport } from '../../../../nodes/core/http/axios-transport';
import { listSquareHistory, lookUpSquarePayments, SQUARE_OFFLINE_GRACE_MS } from '../../../../nodes/core/sources/history/square-payments';
import { SquarePollCredentialsSchema } from '../../../../nodes/core/sources/square-credentials';
import { squarePaymentObject } from '../../../../sandbox/simulator/square-events';
import { nock, serveSquareList, SQUARE_TOKEN, squareListedUntil } from '../../backfill/history-mocks';
import { nockOffline } from '../../../support/nock-offline';
import { AIRPORT_LOCATION, MAIN_LOCATION } from '../square-locations-mock';

/**
 * The Square history lister on its own, against a ListPayments that selects as Square documents: `begin_time` and
 * `end_time` range over each payment's `created_at` (the SDK's ListPaymentsRequest), which for an offline payment is
 * when the reader uploaded it, not `offline_payment_details.client_created_at`, when the card was read. Square
 * documents that offline payments are declined unless uploaded within 24 hours (SQUARE_OFFLINE_GRACE_MS).
 */
describe('Square payment history: offline payments at a window\'s edge', () => {
  nockOffline();

  const credentials = SquarePollCredentialsSchema.parse({ accessToken: SQUARE_TOKEN });
  const ctx = { http: axiosTransport(), now: () => new Date('2026-11-23T00:00:00Z') };
  const offline = (id: string, tappedAt: string, uploadedAt: string) => ({
    ...squarePaymentObject({ id, amount: 1250, currency: 'EUR', createdAt: uploadedAt }),
    is_offline_payment: true,
    offline_payment_details: { client_created_at: tappedAt },
  });
  // Tapped late on the 19th and uploaded on the 20th; tapped late on the 20th and uploaded on the 21st.
  const payments = [
    offline('OFFLINE1TappedOn19thAAAAAAZY', '2026-11-19T23:40:00.000Z', '2026-11-20T07:10:00.000Z'),
    offline('OFFLINE2TappedOn20thAAAAAAZY', '2026-11-20T23:50:00.000Z', '2026-11-21T06:30:00.000Z'),
  ];
  const day = (d: number) => ({ since: new Date(Date.UTC(2026, 10, d)), until: new Date(Date.UTC(2026, 10, d + 1)) });

  it('lists each window to its end plus the grace: backfill keeps a payment in the window it was tapped in and the one it was uploaded in, reconciliation in the one it was tapped in, with that time as occurredAt', async () => {
    const asked: Record<string, string>[] = [];
    const api = serveSquareList(payments, asked);
    const kept: Record<string, Record<number, [string, string][]>> = {};
    for (const onePeriod of [false, true]) {
      const read: Record<number, [string, string][]> = {};
      for (const d of [19, 20, 21]) {
        const page = await listSquareHistory(credentials, { cursor: null, ...day(d), limit: 100, onePeriod }, ctx);
        read[d] = page.events.map((e) => [e.paymentId, e.occurredAt]);
      }
      kept[onePeriod ? 'reconciliation' : 'backfill'] = read;
    }
    api.persist(false);
    const [one, two]: [string, string][] = [['OFFLINE1TappedOn19thAAAAAAZY', '2026-11-19T23:40:00.000Z'], ['OFFLINE2TappedOn20thAAAAAAZY', '2026-11-20T23:50:00.000Z']];
    assert.deepEqual(kept, {
      backfill: { 19: [one], 20: [one, two], 21: [two] },
      reconciliation: { 19: [one], 20: [two], 21: [] },
    });
    // Each listing asks for its day and the grace past it, by created_at.
    assert.deepEqual(asked.map((q) => [q.begin_time, q.end_time]), [19, 20, 21, 19, 20, 21].map((d) => [day(d).since.toISOString(), squareListedUntil(day(d).until)]));
  });

  it('a payment uploaded the grace or more after it was tapped belongs to the window it was uploaded in, which lists it, in reconciliation too', async () => {
    const tapped = '2026-11-19T12:00:00.000Z';
    const late = offline('OFFLINE3UploadedLateAAAAAAZY', tapped, new Date(Date.parse(tapped) + SQUARE_OFFLINE_GRACE_MS).toISOString());
    const api = serveSquareList([late]);
    const page = await listSquareHistory(credentials, { cursor: null, ...day(20), limit: 100, onePeriod: true }, ctx);
    const before = await listSquareHistory(credentials, { cursor: null, ...day(19), limit: 100, onePeriod: true }, ctx);
    api.persist(false);
    assert.deepEqual([page.events.map((e) => [e.paymentId, e.occurredAt]), before.events], [[[late.id, tapped]], []]);
  });

  it('whatever the delay, a reader\'s clock ahead of Square\'s too, exactly one day\'s reconciliation lists a payment, and backfill keeps it in that day', async () => {
    // Tapped by the reader's clock at `tapped`; created by Square `delay` later (negative: the clock runs ahead).
    const tapped = Date.parse('2026-11-21T00:01:00.000Z');
    const delays = [-5 * 60_000, -1000, 0, 3_600_000, SQUARE_OFFLINE_GRACE_MS - 1000, SQUARE_OFFLINE_GRACE_MS, 3 * SQUARE_OFFLINE_GRACE_MS];
    const cases = delays.map((delay, i) => offline(`OFFLINE${i}DelayedAAAAAAAAAAAZY`, new Date(tapped).toISOString(), new Date(tapped + delay).toISOString()));
    const api = serveSquareList(cases);
    const listedBy = new Map<string, number[]>(cases.map((p) => [p.id, []]));
    const backfilledBy = new Map<string, number[]>(cases.map((p) => [p.id, []]));
    for (const d of [18, 19, 20, 21, 22, 23, 24]) {
      for (const onePeriod of [true, false]) {
        const page = await listSquareHistory(credentials, { cursor: null, ...day(d), limit: 100, onePeriod }, ctx);
        for (const e of page.events) (onePeriod ? listedBy : backfilledBy).get(e.paymentId)!.push(d);
      }
    }
    api.persist(false);
    const created = (p: (typeof cases)[number]) => new Date(p.created_at).getUTCDate();
    // Created within the grace after the tap: the day it was tapped (21); else the day Square created it (the 20th
    // for the clock five minutes ahead).
    const expected = cases.map((p, i) => [p.id, [delays[i]! >= 0 && delays[i]! < SQUARE_OFFLINE_GRACE_MS ? 21 : created(p)]]);
    assert.deepEqual([...listedBy], expected);
    // Backfill keeps it there too (and in the day it was created, where that is another).
    for (const [id, [d]] of expected as [string, number[]][]) assert.ok(backfilledBy.get(id)!.includes(d!), `${id}: ${backfilledBy.get(id)!.join(', ')}`);
  });

  it('looks payments up by id (GetPayment), whatever window lists them: none for one Square does not know (404), nor for one of a location the listing does not read', async () => {
    const at = (location: string, id: string) => ({ ...offline(id, '2026-11-19T12:00:00.000Z', '2026-11-20T13:00:00.000Z'), location_id: location });
    const main = at(MAIN_LOCATION, 'SqLookUpMainStreetAAAAAAAZY');
    const airport = at(AIRPORT_LOCATION, 'SqLookUpAirportKioskAAAAAZY');
    const read: string[] = [];
    const api = serveSquareList([main, airport], [], read);
    const only = SquarePollCredentialsSchema.parse({ accessToken: SQUARE_TOKEN, locationId: MAIN_LOCATION });
    const found = await lookUpSquarePayments(only, [main.id, airport.id, 'SqLookUpUnknownPaymentAAAZY'], ctx);
    api.persist(false);
    assert.deepEqual(read, [main.id, airport.id, 'SqLookUpUnknownPaymentAAAZY']);
    assert.deepEqual(found.events.map((e) => [e.kind, e.paymentId, e.occurredAt]), [['payment', main.id, '2026-11-19T12:00:00.000Z']]);
  });

  it('a look-up Square refuses the access token for (401) is the token\'s fault, named by its field', async () => {
    const revoked = SquarePollCredentialsSchema.parse({ accessToken: 'EAAAlRevokedTokenOfThisSeller' });
    const api = nock('https://connect.squareup.com')
      .get('/v2/payments/SqLookUpRevokedTokenAAAAAZY')
      .reply(401, { errors: [{ category: 'AUTHENTICATION_ERROR', code: 'UNAUTHORIZED', detail: 'This request could not be authorized.' }] });
    await assert.rejects(lookUpSquarePayments(revoked, ['SqLookUpRevokedTokenAAAAAZY'], ctx), (e: Error & { field?: unknown }) => {
      assert.deepEqual([e.field, /payment SqLookUpRevokedTokenAAAAAZY.*401.*could not be authorized/.test(e.message), /PAYMENTS_READ/.test(e.message)], ['accessToken', true, true]);
      return true;
    });
    assert.ok(api.isDone());
  });
});
