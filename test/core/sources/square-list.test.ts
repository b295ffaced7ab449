import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { InputError } from '../../../nodes/core/errors';
import { axiosTransport } from '../../../nodes/core/http/axios-transport';
import { paymentState } from '../../../nodes/core/ledger/read-payments';
import { messageStep } from '../../../nodes/core/messages/message-step';
import { parseMessageSettings } from '../../../nodes/core/messages/settings';
import { parseSourceCredentials } from '../../../nodes/core/sources/source-credentials';
import { squareSource } from '../../../nodes/core/sources/square';
import { matchStep, tokenizeStep, upsertStep } from '../../../nodes/core/steps/steps';
import { tempStore, testKeys } from '../../support/temp-store';
import { KEY, squareApiFixture } from './square-fixtures';

const SQUARE = 'https://connect.squareup.com';
const TOKEN = 'EAAAl-test-access-token';
const SINCE = new Date('2026-11-20T00:00:00.000Z');
const CONTACTLESS = 'Hm3QxT8vWk2NcR5pLz7YbGd4sJfZY';
const CHIP = 'bP9mKz4TqXw2LrV7nJc8sHdY3fAZY';
const CUSTOMER = 'JDKYHBWT1D4F8MFH63DBMEN8Y4';
const PAGE_1_CURSOR = 'MzE6QTpVUERBVEVEX0FUOjE3NjM2NjE2MzI4ODA';
const LOCATION = 'L7K3PWQ9ZR2VD';

describe('Square source: polling ListPayments', () => {
  let nock: typeof import('nock', { with: { 'resolution-mode': 'import' } }).default;
  before(async () => {
    nock = (await import('nock')).default;
  });
  after(() => nock.restore());
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  // One location named: these tests read one location's listing as it is (every location of the seller, looked up
  // when none is named: square-locations.test.ts).
  const creds = (extra: object = {}) => parseSourceCredentials(squareSource, { signatureKey: KEY, accessToken: TOKEN, locationId: LOCATION, ...extra });
  const ctx = () => ({ http: axiosTransport(), now: () => new Date('2026-11-22T00:00:00.000Z') });
  const square = () => nock(SQUARE).matchHeader('authorization', `Bearer ${TOKEN}`).matchHeader('square-version', '2026-09-16');
  const list = squareSource.list!;

  /** The second page: the chip sale, now with two COMPLETED refunds (5.00 and 10.00) and a PENDING one. */
  function secondPage(since: string) {
    const page2 = squareApiFixture('list-payments-page-2');
    const [earlier, completed, pending] = page2.payments[0].refund_ids as string[];
    return square()
      .get('/v2/payments').query({ updated_at_begin_time: since, sort_field: 'UPDATED_AT', sort_order: 'ASC', limit: '2', cursor: PAGE_1_CURSOR, location_id: LOCATION }).reply(200, page2)
      .get(`/v2/customers/${CUSTOMER}`).reply(200, squareApiFixture('retrieve-customer'))
      .get(`/v2/refunds/${earlier}`).reply(200, squareApiFixture('get-refund-earlier'))
      .get(`/v2/refunds/${completed}`).reply(200, squareApiFixture('get-refund-completed'))
      .get(`/v2/refunds/${pending}`).reply(200, squareApiFixture('get-refund-pending'));
  }

  it('pages through changes oldest first, by updated_at, and resumes where the last change was seen', async () => {
    const first = square()
      .get('/v2/payments').query({ updated_at_begin_time: SINCE.toISOString(), sort_field: 'UPDATED_AT', sort_order: 'ASC', limit: '2', location_id: LOCATION })
      .reply(200, squareApiFixture('list-payments-page-1'));
    const page1 = await list(creds(), { cursor: null, since: SINCE, limit: 2 }, ctx());
    assert.ok(first.isDone());
    // The contactless sale is recorded; the APPROVED authorization waits for the poll that sees it completed.
    assert.deepEqual(page1.events.map((e) => [e.id, e.kind, e.type, e.amount.minor]), [[`square:payment:${CONTACTLESS}:COMPLETED`, 'payment', 'payment.updated', 1250]]);
    assert.equal(page1.events[0]!.card?.entryMode, 'contactless');
    assert.equal(page1.events[0]!.metadata.square_polled, 'true');
    assert.equal(page1.more, true);
    assert.deepEqual(JSON.parse(page1.cursor!), { since: SINCE.toISOString(), page: PAGE_1_CURSOR, last: '2026-11-20T20:01:10.100Z' });

    const second = secondPage(SINCE.toISOString());
    const page2 = await list(creds(), { cursor: page1.cursor, since: SINCE, limit: 2 }, ctx());
    assert.ok(second.isDone(), JSON.stringify(nock.pendingMocks()));
    assert.deepEqual(page2.events.map((e) => [e.id, e.kind, e.status, e.amount, e.refundedTotal]), [
      [`square:payment:${CHIP}:COMPLETED`, 'payment', 'succeeded', { minor: 4599, currency: 'USD' }, undefined],
      [`square:payment:${CHIP}:refunded:1500`, 'refund', 'partially_refunded', { minor: 1500, currency: 'USD' }, { minor: 1500, currency: 'USD' }],
    ]);
    assert.equal(page2.events[1]!.paymentId, CHIP);
    assert.equal(page2.events[1]!.customerHints.phone, '+1-212-555-4240');
    assert.equal(page2.more, false);
    // The next poll asks for what changed since the last change seen, and looks at the chip sale's pending refund again.
    assert.deepEqual(JSON.parse(page2.cursor!), { since: '2026-11-21T09:14:31.402Z', page: null, last: null, waiting: [CHIP] });

    // The pending refund completes; Square lists nothing newer (it does not say the payment's updated_at moves).
    const [earlier, completed, pending] = squareApiFixture('list-payments-page-2').payments[0].refund_ids as string[];
    const done = squareApiFixture('get-refund-pending');
    done.refund.status = 'COMPLETED';
    done.refund.updated_at = '2026-11-21T11:02:09.118Z';
    const third = square()
      .get('/v2/payments').query({ updated_at_begin_time: '2026-11-21T09:14:31.402Z', sort_field: 'UPDATED_AT', sort_order: 'ASC', limit: '2', location_id: LOCATION })
      .reply(200, {})
      .get(`/v2/payments/${CHIP}`).reply(200, { payment: squareApiFixture('list-payments-page-2').payments[0] })
      .get(`/v2/customers/${CUSTOMER}`).reply(200, squareApiFixture('retrieve-customer'))
      .get(`/v2/refunds/${earlier}`).reply(200, squareApiFixture('get-refund-earlier'))
      .get(`/v2/refunds/${completed}`).reply(200, squareApiFixture('get-refund-completed'))
      .get(`/v2/refunds/${pending}`).reply(200, done);
    const page3 = await list(creds(), { cursor: page2.cursor, limit: 2 }, ctx());
    assert.ok(third.isDone(), JSON.stringify(nock.pendingMocks()));
    assert.deepEqual(page3.events.map((e) => [e.id, e.kind, e.amount.minor]), [
      [`square:payment:${CHIP}:COMPLETED`, 'payment', 4599],
      [`square:payment:${CHIP}:refunded:1800`, 'refund', 1800],
    ]);
    assert.deepEqual([page3.more, JSON.parse(page3.cursor!)], [false, { since: '2026-11-21T09:14:31.402Z', page: null, last: null }], 'nothing pending any more');

    const fourth = square()
      .get('/v2/payments').query({ updated_at_begin_time: '2026-11-21T09:14:31.402Z', sort_field: 'UPDATED_AT', sort_order: 'ASC', limit: '2', location_id: LOCATION })
      .reply(200, {});
    const page4 = await list(creds(), { cursor: page3.cursor, limit: 2 }, ctx());
    assert.ok(fourth.isDone());
    assert.deepEqual([page4.events, page4.more, JSON.parse(page4.cursor!).since], [[], false, '2026-11-21T09:14:31.402Z']);
  });

  it('lists again the last minutes of changes, so a sale ListPayments showed late (eventually consistent) is not skipped', async () => {
    // Two contactless sales changed 20 and 10 seconds before the first poll; Square's listing shows the earlier one
    // only after that poll ("changes to payments might take several seconds to appear").
    const sale = squareApiFixture('list-payments-page-1').payments[0];
    const late = { ...sale, id: 'LateListedSaleQ2w8XcV4bN6mZY', created_at: '2026-11-21T23:59:39.000Z', updated_at: '2026-11-21T23:59:40.000Z' };
    const seen = { ...sale, id: 'SeenSaleT7yU3iO9pA1sD5fGhZY', created_at: '2026-11-21T23:59:49.000Z', updated_at: '2026-11-21T23:59:50.000Z' };
    const unlisted = new Set([late.id]);
    const asked: string[] = [];
    square().persist().get('/v2/payments').query(true).reply((request: Request) => {
      const q = Object.fromEntries(new URL(request.url).searchParams);
      asked.push(q.updated_at_begin_time!);
      const payments = [late, seen]
        .filter((p) => !unlisted.has(p.id) && Date.parse(p.updated_at) >= Date.parse(q.updated_at_begin_time!))
        .sort((a, b) => Date.parse(a.updated_at) - Date.parse(b.updated_at));
      return [200, { payments }];
    });
    const since = new Date('2026-11-21T23:50:00.000Z');
    const first = await list(creds(), { cursor: null, since, limit: 100 }, ctx());
    assert.deepEqual(first.events.map((e) => e.paymentId), [seen.id]);

    unlisted.delete(late.id);
    const later = { http: axiosTransport(), now: () => new Date('2026-11-22T00:01:00.000Z') };
    const second = await list(creds(), { cursor: first.cursor, limit: 100 }, later);
    assert.ok(second.events.some((e) => e.id === `square:payment:${late.id}:COMPLETED` && e.kind === 'payment' && e.amount.minor === 1250), JSON.stringify(asked));
    // The sale seen before comes again under the same id (the inbox keeps it once); the query starts 5 minutes back.
    assert.deepEqual(second.events.map((e) => e.id), [`square:payment:${late.id}:COMPLETED`, `square:payment:${seen.id}:COMPLETED`]);
    assert.deepEqual(asked, [since.toISOString(), '2026-11-21T23:55:00.000Z']);
  });

  it('names a payment it was waiting for that Square no longer finds (404), and stops waiting for it', async () => {
    const cursor = JSON.stringify({ since: '2026-11-21T09:14:31.402Z', page: null, last: null, waiting: [CHIP] });
    const notFound = { errors: [{ category: 'INVALID_REQUEST_ERROR', code: 'NOT_FOUND', detail: `Could not find payment with id: ${CHIP}` }] };
    const scope = square()
      .get('/v2/payments').query({ updated_at_begin_time: '2026-11-21T09:14:31.402Z', sort_field: 'UPDATED_AT', sort_order: 'ASC', limit: '2', location_id: LOCATION })
      .reply(200, {})
      .get(`/v2/payments/${CHIP}`).reply(404, notFound);
    const page = await list(creds(), { cursor, limit: 2 }, ctx());
    assert.ok(scope.isDone(), JSON.stringify(nock.pendingMocks()));
    assert.deepEqual([page.events, JSON.parse(page.cursor!).waiting], [[], undefined]);
    assert.equal(page.notes?.length, 1);
    assert.match(page.notes![0]!, new RegExp(`payment ${CHIP}, whose refunds polling was waiting for, could not be read again \\(GET /v2/payments/${CHIP} answered 404: .*NOT_FOUND.*\\): polling stops looking at it`));
  });

  it('says a polled refund of a card sale made in cash went back another way than the card, as the webhook does (refund.toCard false)', async () => {
    const page2 = squareApiFixture('list-payments-page-2');
    const [earlier, completed, pending] = page2.payments[0].refund_ids as string[];
    const inCash = squareApiFixture('get-refund-completed');
    inCash.refund.destination_type = 'CASH';
    square()
      .get('/v2/payments').query(true).reply(200, page2)
      .get(`/v2/customers/${CUSTOMER}`).reply(200, squareApiFixture('retrieve-customer'))
      .get(`/v2/refunds/${earlier}`).reply(200, squareApiFixture('get-refund-earlier'))
      .get(`/v2/refunds/${completed}`).reply(200, inCash)
      .get(`/v2/refunds/${pending}`).reply(200, squareApiFixture('get-refund-pending'));
    const [sale, refund] = (await list(creds(), { cursor: null, since: SINCE, limit: 2 }, ctx())).events;
    assert.deepEqual([refund!.kind, refund!.amount.minor, refund!.refund, refund!.metadata.refund_destination], ['refund', 1500, { cumulative: true, toCard: false }, 'CASH']);

    // Through the steps into the store: the refund counts against the sale, and its mail does not name the card.
    const s = await tempStore();
    try {
      const upsert = async (e: object) => (await upsertStep([await matchStep(tokenizeStep(JSON.parse(JSON.stringify(e)), testKeys()), s.crm)], s.crm))[0]!;
      await upsert(sale!);
      const upserted = await upsert(refund!);
      const state = (await paymentState(s.db, 'square', CHIP))!;
      assert.deepEqual([state.grossMinor, state.refundedMinor, state.netMinor], [4599, 1500, 3099]);
      const settings = parseMessageSettings({ kind: 'refund', shopName: 'Corner Cafe', locationNames: 'L7K3PWQ9ZR2VD=Main Street' });
      const mail = await messageStep(upserted, { db: s.db, settings, now: () => new Date('2026-11-22T00:00:00Z') });
      assert.equal(mail.message?.text, 'Hi Amelia, $15.00 of your $45.99 payment at Corner Cafe (Main Street) has been refunded.');
    } finally {
      await s.remove();
    }
  });

  it('derives the same ids when the same payment is listed again, so the inbox drops the repeat', async () => {
    const run = async () => {
      secondPage(SINCE.toISOString());
      const cursor = JSON.stringify({ since: SINCE.toISOString(), page: PAGE_1_CURSOR, last: null });
      return (await list(creds(), { cursor, limit: 2 }, ctx())).events.map((e) => e.id);
    };
    assert.deepEqual(await run(), await run());
  });

  it('asks only for the configured location, and caps the page at Square\'s 100', async () => {
    const scope = square()
      .get('/v2/payments').query({ sort_field: 'UPDATED_AT', sort_order: 'ASC', limit: '100', location_id: 'LQ2M8XW4RT6VB' })
      .reply(200, { payments: [] });
    const out = await list(creds({ locationId: 'LQ2M8XW4RT6VB' }), { cursor: null, limit: 500 }, ctx());
    assert.ok(scope.isDone());
    assert.deepEqual(out.events, []);
  });

  it('names the access token when Square refuses it, or when there is none', async () => {
    square().get('/v2/payments').query(true).reply(401, squareApiFixture('error-unauthorized'));
    await assert.rejects(list(creds(), { cursor: null, since: SINCE, limit: 10 }, ctx()), (e) => e instanceof InputError && e.field === 'accessToken' && /401 UNAUTHORIZED/.test(e.message));
    await assert.rejects(list(creds({ accessToken: '' }), { cursor: null, since: SINCE, limit: 10 }, ctx()), (e) => e instanceof InputError && e.field === 'accessToken');
  });

  it('refuses a cursor it did not write, and tells how to recover from one Square no longer knows', async () => {
    await assert.rejects(list(creds(), { cursor: 'not-json', limit: 10 }, ctx()), (e) => e instanceof InputError && e.field === 'cursor');
    square().get('/v2/payments').query(true).reply(400, { errors: [{ category: 'INVALID_REQUEST_ERROR', code: 'INVALID_CURSOR', detail: 'The cursor is invalid.', field: 'cursor' }] });
    const stale = JSON.stringify({ since: SINCE.toISOString(), page: 'expired', last: null });
    await assert.rejects(list(creds(), { cursor: stale, limit: 10 }, ctx()), /clear the stored polling cursor/);
  });
});
