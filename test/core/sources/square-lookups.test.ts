import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { axiosTransport } from '../../../nodes/core/http/axios-transport';
import { receiveWebhook } from '../../../nodes/core/pipeline/receive-webhook';
import { squareSource } from '../../../nodes/core/sources/square';
import { SquareUnavailableError } from '../../../nodes/core/sources/square-api';
import { deliveryOf, KEY, squareApiFixture, squareFixture } from './square-fixtures';

const SQUARE = 'https://connect.squareup.com';
const TOKEN = 'EAAAl-test-access-token';
const CREDS = { signatureKey: KEY, accessToken: TOKEN };
const CUSTOMER = 'JDKYHBWT1D4F8MFH63DBMEN8Y4';
const CHIP_PAYMENT = 'bP9mKz4TqXw2LrV7nJc8sHdY3fAZY';

describe('Square source: what a webhook only names, fetched with an access token', () => {
  // nock 15 is an ES module; this file compiles to CommonJS.
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

  const http = () => axiosTransport();
  const square = () => nock(SQUARE).matchHeader('authorization', `Bearer ${TOKEN}`).matchHeader('square-version', '2026-09-16');
  const receive = (event: object, credentials: object = CREDS) => receiveWebhook(squareSource, deliveryOf(event), { credentials, http: http() });

  it('completes the buyer from the Customer Directory: name and phone from the profile, the payment\'s own email first', async () => {
    const scope = square().get(`/v2/customers/${CUSTOMER}`).reply(200, squareApiFixture('retrieve-customer'));
    const out = await receive(squareFixture('payment-created-emv'));
    assert.ok(scope.isDone());
    assert.deepEqual(out.events[0]!.customerHints, {
      processorCustomerId: CUSTOMER, email: 'amelia.earhart@example.com', phone: '+1-212-555-4240', name: 'Amelia Earhart', postalCode: '10003',
    });
    assert.equal(out.events[0]!.metadata.square_lookup, undefined);
  });

  it('sends the pinned Square-Version and the sandbox base URL when the credential says so', async () => {
    const scope = nock('https://connect.squareupsandbox.com').matchHeader('square-version', '2025-10-16').get(`/v2/customers/${CUSTOMER}`).reply(200, squareApiFixture('retrieve-customer'));
    const out = await receive(squareFixture('payment-created-emv'), { ...CREDS, baseUrl: 'https://connect.squareupsandbox.com/', apiVersion: '2025-10-16' });
    assert.ok(scope.isDone());
    assert.equal(out.events[0]!.customerHints.phone, '+1-212-555-4240');
  });

  it('keeps the payment when the customer is gone or the token is refused, and says why in the metadata', async () => {
    square().get(`/v2/customers/${CUSTOMER}`).reply(404, squareApiFixture('error-customer-not-found'));
    const gone = await receive(squareFixture('payment-created-emv'));
    assert.equal(gone.status, 200);
    assert.deepEqual(gone.events[0]!.customerHints, { processorCustomerId: CUSTOMER, email: 'amelia.earhart@example.com', name: 'AMELIA EARHART' });
    assert.equal(gone.events[0]!.metadata.square_lookup, `GET /v2/customers/${CUSTOMER} answered 404: NOT_FOUND: Customer with ID \`${CUSTOMER}\` not found.`);

    square().get(`/v2/customers/${CUSTOMER}`).reply(401, squareApiFixture('error-unauthorized'));
    const refused = await receive(squareFixture('payment-created-emv'));
    assert.equal(refused.events.length, 1);
    assert.match(refused.events[0]!.metadata.square_lookup ?? '', /answered 401: UNAUTHORIZED: This request could not be authorized\. \(the access token is wrong, expired or revoked\)$/);
  });

  it('lets Square deliver again later when Square itself is unavailable, instead of recording the sale without its buyer', async () => {
    square().get(`/v2/customers/${CUSTOMER}`).reply(503, squareApiFixture('error-service-unavailable'));
    await assert.rejects(receive(squareFixture('payment-created-emv')), (e) => e instanceof SquareUnavailableError && /answered 503 .*SERVICE_UNAVAILABLE/.test(e.message));
  });

  it('asks nothing without a token, or without HTTP from the face', async () => {
    const noToken = await receive(squareFixture('payment-created-emv'), { signatureKey: KEY });
    assert.equal(noToken.events[0]!.customerHints.phone, undefined);
    const noHttp = await receiveWebhook(squareSource, deliveryOf(squareFixture('payment-created-emv')), { credentials: CREDS });
    assert.equal(noHttp.events[0]!.customerHints.phone, undefined);
    assert.deepEqual(nock.pendingMocks(), []);
  });

  it('makes a refund\'s refundedTotal the payment\'s COMPLETED refunds so far, not counting a PENDING one', async () => {
    const payment = squareApiFixture('get-payment');
    const [earlier, , pending] = payment.payment.refund_ids as string[];
    const scope = square()
      .get(`/v2/payments/${CHIP_PAYMENT}`).reply(200, payment)
      .get(`/v2/refunds/${earlier}`).reply(200, squareApiFixture('get-refund-earlier'))
      .get(`/v2/refunds/${pending}`).reply(200, squareApiFixture('get-refund-pending'))
      .get(`/v2/customers/${CUSTOMER}`).reply(200, squareApiFixture('retrieve-customer'));
    const out = await receive(squareFixture('refund-updated-completed'));
    assert.ok(scope.isDone(), JSON.stringify(nock.pendingMocks()));
    const e = out.events[0]!;
    assert.deepEqual(
      { amount: e.amount, refundedTotal: e.refundedTotal, refund: e.refund, status: e.status, scope: e.metadata.refund_scope, entry: e.card?.entryMode, last4: e.card?.last4, terminal: e.terminal, name: e.customerHints.name },
      {
        // The exact total: the ledger takes it as the payment's running total.
        amount: { minor: 1000, currency: 'USD' }, refundedTotal: { minor: 1500, currency: 'USD' }, refund: { id: e.metadata.refund_id, cumulative: true },
        status: 'partially_refunded', scope: 'partial', entry: 'chip', last4: '9029',
        terminal: { readerId: 'dbb5d83a-7838-11ea-bc55-0242ac130003', locationId: 'L7K3PWQ9ZR2VD' }, name: 'Amelia Earhart',
      },
    );
  });

  it('marks the refund that completes the payment as refunded', async () => {
    const payment = squareApiFixture('get-payment');
    const refund = squareFixture('refund-updated-completed');
    refund.data.object.refund.amount_money.amount = 4099; // with the 5.00 refunded before: the whole 45.99
    payment.payment.refund_ids = payment.payment.refund_ids.slice(0, 2);
    delete payment.payment.customer_id;
    square()
      .get(`/v2/payments/${CHIP_PAYMENT}`).reply(200, payment)
      .get(`/v2/refunds/${payment.payment.refund_ids[0]}`).reply(200, squareApiFixture('get-refund-earlier'));
    const e = (await receive(refund)).events[0]!;
    assert.deepEqual([e.refundedTotal, e.status, e.metadata.refund_scope], [{ minor: 4599, currency: 'USD' }, 'refunded', 'full']);
  });

  it('ignores the refund of a payment that was not card-present', async () => {
    const payment = squareApiFixture('get-payment');
    payment.payment.card_details.entry_method = 'ON_FILE';
    square().get(`/v2/payments/${CHIP_PAYMENT}`).reply(200, payment);
    const out = await receive(squareFixture('refund-updated-completed'));
    assert.equal(out.status, 200);
    assert.deepEqual(out.events, []);
    assert.match(out.report.ignored[0]!, /the refunded payment is not card-present: a card on file was charged/);
  });

  it('counts a card sale refunded in cash or to a gift card (a cross-tender refund), saying the money did not go back to the card', async () => {
    for (const destination of ['CASH', 'SQUARE_ACCOUNT']) {
      const payment = squareApiFixture('get-payment');
      payment.payment.refund_ids = payment.payment.refund_ids.slice(0, 2);
      delete payment.payment.customer_id;
      const refund = squareFixture('refund-updated-completed');
      refund.data.object.refund.destination_type = destination;
      const scope = square()
        .get(`/v2/payments/${CHIP_PAYMENT}`).reply(200, payment)
        .get(`/v2/refunds/${payment.payment.refund_ids[0]}`).reply(200, squareApiFixture('get-refund-earlier'));
      const out = await receive(refund);
      assert.ok(scope.isDone(), JSON.stringify(nock.pendingMocks()));
      const e = out.events[0]!;
      assert.deepEqual(
        [e.kind, e.paymentId, e.amount.minor, e.refundedTotal?.minor, e.refund, e.metadata.refund_destination, e.card?.last4],
        ['refund', CHIP_PAYMENT, 1000, 1500, { id: e.metadata.refund_id, cumulative: true, toCard: false }, destination, '9029'],
        destination,
      );
    }
  });

  it('ignores a refund in cash when the payment cannot be read to tell a card sale from a cash sale', async () => {
    const refund = squareFixture('refund-updated-completed');
    refund.data.object.refund.destination_type = 'CASH';
    square().get(`/v2/payments/${CHIP_PAYMENT}`).reply(403, { errors: [{ category: 'AUTHENTICATION_ERROR', code: 'INSUFFICIENT_SCOPES', detail: 'The merchant has not given your application sufficient permissions to do that.' }] });
    const out = await receive(refund);
    assert.deepEqual([out.status, out.events], [200, []]);
    assert.match(out.report.ignored[0]!, /the refund went to CASH, and its payment could not be read to tell a card sale from a cash one: GET \/v2\/payments\/\S+ answered 403/);
    // A cash sale refunded in cash: the payment read shows no card.
    const cashSale = squareApiFixture('get-payment');
    cashSale.payment.source_type = 'CASH';
    delete cashSale.payment.card_details;
    square().get(`/v2/payments/${CHIP_PAYMENT}`).reply(200, cashSale);
    const cash = await receive(refund);
    assert.deepEqual(cash.events, []);
    assert.match(cash.report.ignored[0]!, /the refunded payment is not card-present/);
  });

  it('falls back to the refund\'s own amount when the payment cannot be read', async () => {
    square().get(`/v2/payments/${CHIP_PAYMENT}`).reply(403, { errors: [{ category: 'AUTHENTICATION_ERROR', code: 'INSUFFICIENT_SCOPES', detail: 'The merchant has not given your application sufficient permissions to do that. The application requires the following scopes: PAYMENTS_READ' }] });
    const e = (await receive(squareFixture('refund-updated-completed'))).events[0]!;
    assert.deepEqual(e.refundedTotal, { minor: 1000, currency: 'USD' });
    // Not a running total then: the refund counts by its own id and amount.
    assert.deepEqual(e.refund, { id: e.metadata.refund_id, cumulative: false });
    assert.match(e.metadata.square_lookup ?? '', /^GET \/v2\/payments\/bP9m\S+ answered 403: INSUFFICIENT_SCOPES: .*\(the access token lacks a permission\)$/);
  });

  it('gives a dispute the disputed sale\'s card and buyer', async () => {
    square()
      .get(`/v2/payments/${CHIP_PAYMENT}`).reply(200, squareApiFixture('get-payment'))
      .get(`/v2/customers/${CUSTOMER}`).reply(200, squareApiFixture('retrieve-customer'));
    const e = (await receive(squareFixture('dispute-created'))).events[0]!;
    assert.deepEqual([e.kind, e.status, e.card?.identity, e.customerHints.email], [
      'dispute', 'disputed', { kind: 'fingerprint', value: 'sq-1-Tvruf3vPQxlvI6n0IcKYfBukrcv6IqWr8UyBdViWXU2yzGn5VMJvrsHMKpINMhPmVg' }, 'amelia.earhart@example.com',
    ]);
  });
});
