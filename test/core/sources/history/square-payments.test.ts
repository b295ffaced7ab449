import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { axiosTransport } from '../../../../nodes/core/http/axios-transport';
import { listSquareHistory, SQUARE_OFFLINE_GRACE_MS } from '../../../../nodes/core/sources/history/square-payments';
import { SquarePollCredentialsSchema } from '../../../../nodes/core/sources/square-credentials';
import { squarePaymentObject } from '../../../../sandbox/simulator/square-events';
import { serveSquareList, SQUARE_TOKEN, squareListedUntil } from '../../backfill/history-mocks';
import { nockOffline } from '../../../support/nock-offline';

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
});
