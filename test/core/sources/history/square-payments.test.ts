import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { axiosTransport } from '../../../../nodes/core/http/axios-transport';
import { listSquareHistory } from '../../../../nodes/core/sources/history/square-payments';
import { SquarePollCredentialsSchema } from '../../../../nodes/core/sources/square-credentials';
import { squarePaymentObject } from '../../../../sandbox/simulator/square-events';
import { nock, SQUARE_TOKEN } from '../../backfill/history-mocks';
import { nockOffline } from '../../../support/nock-offline';
import { MAIN_LOCATION, ONE_LOCATION, serveSquareLocations } from '../square-locations-mock';

/**
 * The Square history lister on its own, against a ListPayments that selects as Square documents: `begin_time` and
 * `end_time` range over each payment's `created_at` (the SDK's ListPaymentsRequest), which for an offline payment is
 * when the reader uploaded it, not `offline_payment_details.client_created_at`, when the card was read.
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

  it('keeps each payment in the one window whose query lists it (by created_at), with the time it was tapped as occurredAt', async () => {
    // The seller's one location, looked up once a window.
    const api = serveSquareLocations(nock('https://connect.squareup.com', { reqheaders: { authorization: `Bearer ${SQUARE_TOKEN}` } }), ONE_LOCATION, 3);
    for (const d of [19, 20, 21]) {
      const { since, until } = day(d);
      const listed = payments.filter((p) => p.created_at >= since.toISOString() && p.created_at < until.toISOString());
      api.get('/v2/payments').query({ begin_time: since.toISOString(), end_time: until.toISOString(), sort_order: 'ASC', limit: '100', location_id: MAIN_LOCATION }).reply(200, { payments: listed });
    }
    const kept: Record<number, [string, string][]> = {};
    for (const d of [19, 20, 21]) {
      const page = await listSquareHistory(credentials, { cursor: null, ...day(d), limit: 100 }, ctx);
      kept[d] = page.events.map((e) => [e.paymentId, e.occurredAt]);
    }
    assert.ok(api.isDone(), `not requested: ${api.pendingMocks().join(', ')}`);
    assert.deepEqual(kept, {
      19: [],
      20: [['OFFLINE1TappedOn19thAAAAAAZY', '2026-11-19T23:40:00.000Z']],
      21: [['OFFLINE2TappedOn20thAAAAAAZY', '2026-11-20T23:50:00.000Z']],
    });
  });
});
