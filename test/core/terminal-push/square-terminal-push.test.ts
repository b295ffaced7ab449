import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { axiosTransport } from '../../../nodes/core/http/axios-transport';
import { attributionFrom } from '../../../nodes/core/terminal-push/push-metadata';
import { squareTerminalPush } from '../../../nodes/core/terminal-push/square-terminal-push';
import { PushAuthError, PushTransientError, type PushOutcome, type SaleRequest } from '../../../nodes/core/terminal-push/terminal-push';
import { recordInto, useNock, type Seen } from './nock-harness';
import { SQUARE_ERRORS, squareCheckout } from './vendor-fixtures';

const SQUARE = 'https://connect.squareupsandbox.com';
const DEVICE = '9fa747a2-25ff-48ee-b078-04381f7c828f';
const TOKEN = 'EAAAl-test-token';
const NOW = Date.parse('2026-12-02T09:00:01.000Z');

const push = () => squareTerminalPush(axiosTransport(), { accessToken: TOKEN, baseUrl: SQUARE, apiVersion: '2026-09-16', timeoutMs: 5_000 }, () => NOW);
const sale = (over: Partial<SaleRequest> = {}): SaleRequest => ({
  amount: { minor: 1250, currency: 'USD' },
  readerId: DEVICE,
  customerId: 'cus_4fHq9kQ2mZx7TtWbL1cN0a',
  crmRecordId: 'deal-9001',
  reference: 'deal-1',
  description: 'Cut and colour',
  ...over,
});
const expectOutcome = <K extends PushOutcome['outcome']>(o: PushOutcome, kind: K): Extract<PushOutcome, { outcome: K }> => {
  assert.equal(o.outcome, kind, `expected ${kind}, got ${JSON.stringify(o)}`);
  return o as Extract<PushOutcome, { outcome: K }>;
};
const ref = { readerId: DEVICE, reference: 'deal-1', paymentId: '08YceKh7B3ZqO' };

describe('Square Terminal push', { timeout: 20_000 }, () => {
  const nock = useNock();

  it('creates a checkout on the device with the customer and CRM record in the note, keyed by the reference', async () => {
    const seen: Seen[] = [];
    nock()(SQUARE).post('/v2/terminals/checkouts').reply(recordInto(seen, 200, squareCheckout({ amount: 1250, currency: 'USD', deviceId: DEVICE, referenceId: 'deal-1' })));

    const out = expectOutcome(await push().pushSale(sale()), 'sent');

    const req = seen[0]!;
    assert.equal(req.headers.authorization, `Bearer ${TOKEN}`);
    assert.equal(req.headers['square-version'], '2026-09-16');
    const body = JSON.parse(req.body);
    assert.deepEqual(body, {
      idempotency_key: 'terminal-crm:deal-1',
      checkout: {
        amount_money: { amount: 1250, currency: 'USD' },
        reference_id: 'deal-1',
        note: 'Cut and colour [terminal_crm_customer_id=cus_4fHq9kQ2mZx7TtWbL1cN0a terminal_crm_record_id=deal-9001 terminal_crm_reference=deal-1]',
        device_options: { device_id: DEVICE },
      },
    });
    assert.equal(out.paymentId, '08YceKh7B3ZqO');
    assert.equal(out.approved, false);
    assert.equal(out.vendorCode, 'PENDING');
    // The note travels to the payment; the trigger reads the customer back from it.
    assert.deepEqual(attributionFrom({ note: body.checkout.note }), { customerId: 'cus_4fHq9kQ2mZx7TtWbL1cN0a', crmRecordId: 'deal-9001', reference: 'deal-1' });
    assert.equal(out.metadata.reference_id, 'deal-1');
  });

  it('sends ISO minor units: JPY as whole yen, KWD in fils (and reports Square refusing the currency)', async () => {
    const seen: Seen[] = [];
    nock()(SQUARE)
      .post('/v2/terminals/checkouts').reply(recordInto(seen, 200, squareCheckout({ amount: 1500, currency: 'JPY', deviceId: DEVICE })))
      .post('/v2/terminals/checkouts').reply(recordInto(seen, 400, SQUARE_ERRORS.unsupportedCurrency));
    expectOutcome(await push().pushSale(sale({ amount: { minor: 1500, currency: 'JPY' }, reference: 'deal-jpy' })), 'sent');
    const kwd = expectOutcome(await push().pushSale(sale({ amount: { minor: 12345, currency: 'KWD' }, reference: 'deal-kwd' })), 'rejected');
    assert.deepEqual(JSON.parse(seen[0]!.body).checkout.amount_money, { amount: 1500, currency: 'JPY' });
    assert.deepEqual(JSON.parse(seen[1]!.body).checkout.amount_money, { amount: 12345, currency: 'KWD' });
    assert.equal(kwd.field, 'amount.currency');
    assert.equal(kwd.vendorMessage, 'Currency KWD is not supported for this seller.');
  });

  it("passes the seller's own Square customer id as customer_id, never the pack's", async () => {
    const seen: Seen[] = [];
    nock()(SQUARE).post('/v2/terminals/checkouts').reply(recordInto(seen, 200, squareCheckout({ amount: 1250, currency: 'USD', deviceId: DEVICE, customerId: 'JDKYHBWT1D4F8MFH63DBMEN8Y4' })));
    expectOutcome(await push().pushSale(sale({ processorCustomerId: 'JDKYHBWT1D4F8MFH63DBMEN8Y4' })), 'sent');
    assert.equal(JSON.parse(seen[0]!.body).checkout.customer_id, 'JDKYHBWT1D4F8MFH63DBMEN8Y4');
  });

  it("refuses a reference longer than Square's 40-character reference_id before calling Square", async () => {
    const out = expectOutcome(await push().pushSale(sale({ reference: 'x'.repeat(41) })), 'rejected');
    assert.equal(out.field, 'reference');
    assert.match(out.message, /40/);
  });

  it('maps every checkout status: timed out (never picked up) is offline, buyer and seller cancels, completed', async () => {
    const cases: Array<{ body: ReturnType<typeof squareCheckout>; outcome: PushOutcome['outcome']; by?: string; approved?: boolean }> = [
      { body: squareCheckout({ amount: 1250, currency: 'USD', deviceId: DEVICE, status: 'CANCELED', cancelReason: 'TIMED_OUT' }), outcome: 'offline' },
      { body: squareCheckout({ amount: 1250, currency: 'USD', deviceId: DEVICE, status: 'CANCELED', cancelReason: 'BUYER_CANCELED' }), outcome: 'cancelled', by: 'customer' },
      { body: squareCheckout({ amount: 1250, currency: 'USD', deviceId: DEVICE, status: 'CANCELED', cancelReason: 'SELLER_CANCELED' }), outcome: 'cancelled', by: 'cashier' },
      { body: squareCheckout({ amount: 1250, currency: 'USD', deviceId: DEVICE, status: 'IN_PROGRESS' }), outcome: 'sent', approved: false },
      { body: squareCheckout({ amount: 1250, currency: 'USD', deviceId: DEVICE, status: 'COMPLETED', paymentIds: ['dgzrZTeIeVuOGwYgekoTHsPouaB'] }), outcome: 'sent', approved: true },
    ];
    for (const c of cases) {
      nock()(SQUARE).get('/v2/terminals/checkouts/08YceKh7B3ZqO').reply(200, c.body);
      const out = await push().status!(ref);
      assert.equal(out.outcome, c.outcome, JSON.stringify(out));
      if (c.by) assert.equal((out as { by: string }).by, c.by);
      if (c.approved !== undefined) assert.equal((out as { approved: boolean }).approved, c.approved);
    }
    nock()(SQUARE).get('/v2/terminals/checkouts/08YceKh7B3ZqO').reply(200, cases[0]!.body);
    const timedOut = expectOutcome(await push().status!(ref), 'offline');
    assert.equal(timedOut.vendorCode, 'CANCELED/TIMED_OUT');
    assert.match(timedOut.message, /off, offline or signed out/);
  });

  it('reads a replayed checkout again, so a cancelled one is not reported as sent', async () => {
    nock()(SQUARE)
      .post('/v2/terminals/checkouts').reply(200, squareCheckout({ amount: 1250, currency: 'USD', deviceId: DEVICE, createdAt: '2026-12-02T08:40:00.000Z' }))
      .get('/v2/terminals/checkouts/08YceKh7B3ZqO').reply(200, squareCheckout({ amount: 1250, currency: 'USD', deviceId: DEVICE, createdAt: '2026-12-02T08:40:00.000Z', status: 'CANCELED', cancelReason: 'BUYER_CANCELED' }));
    const out = expectOutcome(await push().pushSale(sale()), 'cancelled');
    assert.equal(out.by, 'customer');
    assert.match(out.message, /new reference/);
  });

  it('cancels a checkout', async () => {
    const seen: Seen[] = [];
    nock()(SQUARE).post('/v2/terminals/checkouts/08YceKh7B3ZqO/cancel').reply(recordInto(seen, 200, squareCheckout({ amount: 1250, currency: 'USD', deviceId: DEVICE, status: 'CANCELED', cancelReason: 'SELLER_CANCELED' })));
    const out = expectOutcome(await push().cancel!(ref), 'cancelled');
    assert.equal(out.by, 'cashier');
    assert.equal(seen[0]!.headers.authorization, `Bearer ${TOKEN}`);
  });

  it('explains a device that is not paired with this seller', async () => {
    nock()(SQUARE).post('/v2/terminals/checkouts').reply(400, SQUARE_ERRORS.deviceNotAuthorized(DEVICE));
    const out = expectOutcome(await push().pushSale(sale()), 'rejected');
    assert.equal(out.field, 'readerId');
    assert.equal(out.vendorCode, 'BAD_REQUEST');
    assert.match(out.message, /Devices API/);
  });

  it('explains a reference reused with other details', async () => {
    nock()(SQUARE).post('/v2/terminals/checkouts').reply(400, SQUARE_ERRORS.idempotencyReused);
    const out = expectOutcome(await push().pushSale(sale()), 'rejected');
    assert.equal(out.field, 'reference');
    assert.equal(out.vendorCode, 'IDEMPOTENCY_KEY_REUSED');
  });

  it('throws an auth error for a refused token and a transient one with Retry-After for a rate limit', async () => {
    nock()(SQUARE)
      .post('/v2/terminals/checkouts').reply(401, SQUARE_ERRORS.unauthorized)
      .post('/v2/terminals/checkouts').reply(429, SQUARE_ERRORS.rateLimited, { 'retry-after': '3' });
    await assert.rejects(push().pushSale(sale()), (e) => e instanceof PushAuthError && e.field === 'accessToken');
    await assert.rejects(push().pushSale(sale()), (e) => e instanceof PushTransientError && e.retryAfterMs === 3_000 && !e.outcomeUnknown);
  });

  it('names the checkout id when cancelling one Square does not know', async () => {
    nock()(SQUARE).post('/v2/terminals/checkouts/08YceKh7B3ZqO/cancel').reply(404, SQUARE_ERRORS.checkoutNotFound);
    const out = expectOutcome(await push().cancel!(ref), 'rejected');
    assert.equal(out.field, 'paymentId');
  });
});
