import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { axiosTransport } from '../../../nodes/core/http/axios-transport';
import { adyenTerminalPush } from '../../../nodes/core/terminal-push/adyen-terminal-push';
import { attributionFrom } from '../../../nodes/core/terminal-push/push-metadata';
import { PushAuthError, PushTransientError, type PushOutcome, type SaleRequest } from '../../../nodes/core/terminal-push/terminal-push';
import { recordInto, useNock, type Seen } from './nock-harness';
import { ADYEN_UNAUTHORIZED, adyenNoResponseFromPoi, adyenPaymentResponse } from './vendor-fixtures';

const ADYEN = 'https://terminal-api-test.adyen.com';
const POI = 'S1F2-000158123456';
const API_KEY = 'AQEyhmfxLI3MaBFLw0m/n3Q5qf3VaY9UCJ14XWZE03G/k2NFikzVGEiYj+4vtN01BchqAcwQwV1bDb7kfNy1WIxIIkxgBw==-test';
const SERVICE_ID = 'Svc0000001';
const STAMP = new Date('2026-12-02T09:00:00.000Z');

const push = (timeoutMs = 5_000, serviceIds: string[] = [SERVICE_ID]) => {
  let n = 0;
  return adyenTerminalPush(axiosTransport(), { apiKey: API_KEY, baseUrl: ADYEN, saleId: 'terminal-crm', timeoutMs }, { clock: () => STAMP, serviceId: () => serviceIds[n++ % serviceIds.length]! });
};
const sale = (over: Partial<SaleRequest> = {}): SaleRequest => ({
  amount: { minor: 1050, currency: 'EUR' },
  readerId: POI,
  customerId: 'cus_4fHq9kQ2mZx7TtWbL1cN0a',
  crmRecordId: 'deal-9001',
  reference: 'deal-1',
  ...over,
});
const expectOutcome = <K extends PushOutcome['outcome']>(o: PushOutcome, kind: K): Extract<PushOutcome, { outcome: K }> => {
  assert.equal(o.outcome, kind, `expected ${kind}, got ${JSON.stringify(o)}`);
  return o as Extract<PushOutcome, { outcome: K }>;
};
const answer = (over: Partial<Parameters<typeof adyenPaymentResponse>[0]> & Pick<Parameters<typeof adyenPaymentResponse>[0], 'result'>) =>
  adyenPaymentResponse({ serviceId: SERVICE_ID, poiId: POI, reference: 'deal-1', authorizedAmount: 10.5, currency: 'EUR', ...over });

describe('Adyen Terminal API push', { timeout: 20_000 }, () => {
  const nock = useNock();

  it('sends a SaleToPOIRequest with the metadata in SaleToAcquirerData and the amount in decimal units', async () => {
    const seen: Seen[] = [];
    nock()(ADYEN).post('/sync').reply(recordInto(seen, 200, answer({ result: 'Success' })));

    const out = expectOutcome(await push().pushSale(sale()), 'sent');

    const req = seen[0]!;
    assert.equal(req.headers['x-api-key'], API_KEY);
    const body = JSON.parse(req.body);
    const acquirerData = body.SaleToPOIRequest.PaymentRequest.SaleData.SaleToAcquirerData;
    assert.deepEqual(body, {
      SaleToPOIRequest: {
        MessageHeader: {
          ProtocolVersion: '3.0', MessageClass: 'Service', MessageCategory: 'Payment', MessageType: 'Request',
          SaleID: 'terminal-crm', ServiceID: SERVICE_ID, POIID: POI,
        },
        PaymentRequest: {
          SaleData: { SaleTransactionID: { TransactionID: 'deal-1', TimeStamp: '2026-12-02T09:00:00.000Z' }, SaleToAcquirerData: acquirerData },
          PaymentTransaction: { AmountsReq: { Currency: 'EUR', RequestedAmount: 10.5 } },
        },
      },
    });
    assert.deepEqual(JSON.parse(Buffer.from(acquirerData, 'base64').toString('utf8')), {
      metadata: { tcrm_customer_id: 'cus_4fHq9kQ2mZx7TtWbL1cN0a', tcrm_record_id: 'deal-9001', tcrm_reference: 'deal-1', reader_id: POI },
    });
    for (const key of Object.keys(out.metadata)) assert.ok(key.length <= 20, `Adyen metadata key "${key}" fits 20 characters`);

    assert.equal(out.approved, true, 'the /sync answer is the final result');
    assert.equal(out.paymentId, '8515565295894301');
    assert.equal(out.serviceId, SERVICE_ID);
    assert.deepEqual(out.approvedAmount, { minor: 1050, currency: 'EUR' });
    // Adyen's webhook carries metadata as additionalData "metadata.<key>": the trigger reads the customer back.
    assert.deepEqual(attributionFrom({ metadata: { 'metadata.tcrm_customer_id': 'cus_4fHq9kQ2mZx7TtWbL1cN0a', 'metadata.tcrm_record_id': 'deal-9001' } }), { customerId: 'cus_4fHq9kQ2mZx7TtWbL1cN0a', crmRecordId: 'deal-9001' });
    const text = JSON.stringify(out);
    for (const cardDetail of ['541333', '3511', '2028', 'cardBin', 'expiry']) assert.ok(!text.includes(cardDetail), `no ${cardDetail} in the outcome`);
  });

  it('writes JPY as whole yen and KWD with three decimals, from the digits', async () => {
    const seen: Seen[] = [];
    nock()(ADYEN)
      .post('/sync').reply(recordInto(seen, 200, answer({ result: 'Success', authorizedAmount: 1500, currency: 'JPY' })))
      .post('/sync').reply(recordInto(seen, 200, answer({ result: 'Success', authorizedAmount: 12.345, currency: 'KWD' })));
    const jpy = expectOutcome(await push().pushSale(sale({ amount: { minor: 1500, currency: 'JPY' } })), 'sent');
    const kwd = expectOutcome(await push().pushSale(sale({ amount: { minor: 12345, currency: 'KWD' } })), 'sent');
    assert.match(seen[0]!.body, /"AmountsReq":\{"Currency":"JPY","RequestedAmount":1500\}/);
    assert.match(seen[1]!.body, /"AmountsReq":\{"Currency":"KWD","RequestedAmount":12\.345\}/);
    assert.deepEqual(jpy.approvedAmount, { minor: 1500, currency: 'JPY' });
    assert.deepEqual(kwd.approvedAmount, { minor: 12345, currency: 'KWD' });
  });

  it("refuses an amount Adyen's currency table cannot take (IDR has no decimals at Adyen) before calling it", async () => {
    const out = expectOutcome(await push().pushSale(sale({ amount: { minor: 1050, currency: 'IDR' } })), 'rejected');
    assert.equal(out.field, 'amount');
  });

  it("refuses a CRM id longer than Adyen's 80-character metadata value", async () => {
    const out = expectOutcome(await push().pushSale(sale({ crmRecordId: 'r'.repeat(81) })), 'rejected');
    assert.equal(out.field, 'crmRecordId');
  });

  it('maps the ErrorConditions: Refusal, Busy, Cancel, Aborted, DeviceOut, LoggedOut', async () => {
    const cases: Array<{ condition: string; additional?: string; outcome: PushOutcome['outcome']; by?: string }> = [
      { condition: 'Refusal', additional: 'message=NOT_ENOUGH_BALANCE&refusalReason=210%20Not%20enough%20balance&cardBin=541333', outcome: 'declined' },
      { condition: 'Busy', outcome: 'busy' },
      { condition: 'Cancel', additional: 'message=CANCELLED', outcome: 'cancelled', by: 'customer' },
      { condition: 'Aborted', outcome: 'cancelled', by: 'cashier' },
      { condition: 'DeviceOut', outcome: 'offline' },
      { condition: 'LoggedOut', outcome: 'offline' },
    ];
    for (const c of cases) {
      nock()(ADYEN).post('/sync').reply(200, answer({ result: 'Failure', errorCondition: c.condition, additionalResponse: c.additional ?? `message=${c.condition}` }));
      const out = await push().pushSale(sale());
      assert.equal(out.outcome, c.outcome, `${c.condition}: ${JSON.stringify(out)}`);
      assert.equal(out.vendorCode, c.condition);
      if (c.by) assert.equal((out as { by: string }).by, c.by);
    }
    nock()(ADYEN).post('/sync').reply(200, answer({ result: 'Failure', errorCondition: 'Refusal', additionalResponse: cases[0]!.additional }));
    const declined = expectOutcome(await push().pushSale(sale()), 'declined');
    assert.equal(declined.declineReason, '210 Not enough balance');
    assert.ok(!JSON.stringify(declined).includes('541333'));
  });

  it('names the field of a MessageFormat error', async () => {
    nock()(ADYEN).post('/sync').reply(200, answer({
      result: 'Failure', errorCondition: 'MessageFormat',
      // Adyen, "Handle responses" → Invalid message format example.
      additionalResponse: 'errors=At%20SaleToPOIRequest.PaymentRequest.PaymentTransaction.AmountsReq%2c%20field%20Currency%3a%20Missing',
    }));
    const out = expectOutcome(await push().pushSale(sale()), 'rejected');
    assert.equal(out.field, 'amount.currency');
    assert.equal(out.vendorMessage, 'At SaleToPOIRequest.PaymentRequest.PaymentTransaction.AmountsReq, field Currency: Missing');
  });

  it('reports a terminal that did not answer the cloud as offline, possibly showing the sale', async () => {
    nock()(ADYEN).post('/sync').reply(200, adyenNoResponseFromPoi(POI, SERVICE_ID));
    const out = expectOutcome(await push().pushSale(sale()), 'offline');
    assert.equal(out.mayBeOnReader, true);
    assert.equal(out.vendorCode, 'Reject');
    assert.match(out.message, /Did not receive a response from the POI/);
  });

  it('throws an auth error for a refused API key', async () => {
    nock()(ADYEN).post('/sync').reply(401, ADYEN_UNAUTHORIZED);
    await assert.rejects(push().pushSale(sale()), (e) => e instanceof PushAuthError && e.field === 'apiKey');
  });

  it('throws a transient error with an unknown outcome when the answer never comes', async () => {
    nock()(ADYEN).post('/sync').delay(1_000).reply(200, answer({ result: 'Success' }));
    await assert.rejects(push(200).pushSale(sale()), (e) => e instanceof PushTransientError && e.outcomeUnknown);
  });

  it('cancels a payment still waiting on the terminal, from another flow, with an AbortRequest naming its ServiceID', async () => {
    const seen: Seen[] = [];
    nock()(ADYEN)
      .post('/sync', (b: { SaleToPOIRequest?: { MessageHeader?: { MessageCategory?: string } } }) => b.SaleToPOIRequest?.MessageHeader?.MessageCategory === 'Payment')
      .delay(300)
      .reply(200, answer({ result: 'Failure', errorCondition: 'Aborted', additionalResponse: 'message=Aborted' }))
      .post('/sync', (b: { SaleToPOIRequest?: { MessageHeader?: { MessageCategory?: string } } }) => b.SaleToPOIRequest?.MessageHeader?.MessageCategory === 'Abort')
      .reply(recordInto(seen, 200));

    // The cancel comes from another adapter instance, as it does from a second flow execution.
    const pushing = push(5_000, ['PayService']).pushSale(sale());
    await new Promise((r) => setTimeout(r, 50));
    const terminal = push(5_000, ['AbortSvc01']);
    const cancelled = expectOutcome(await terminal.cancel!({ readerId: POI, reference: 'deal-1' }), 'cancelled');
    const pushed = expectOutcome(await pushing, 'cancelled');

    assert.deepEqual(JSON.parse(seen[0]!.body), {
      SaleToPOIRequest: {
        MessageHeader: { ProtocolVersion: '3.0', MessageClass: 'Service', MessageCategory: 'Abort', MessageType: 'Request', SaleID: 'terminal-crm', ServiceID: 'AbortSvc01', POIID: POI },
        AbortRequest: { AbortReason: 'MerchantAbort', MessageReference: { MessageCategory: 'Payment', SaleID: 'terminal-crm', ServiceID: 'PayService', POIID: POI } },
      },
    });
    assert.equal(cancelled.by, 'cashier');
    assert.equal(pushed.by, 'cashier');
    // Nothing is in flight any more: a second cancel has no payment to name.
    const nothing = expectOutcome(await terminal.cancel!({ readerId: POI, reference: 'deal-1' }), 'rejected');
    assert.equal(nothing.field, 'serviceId');
  });
});
