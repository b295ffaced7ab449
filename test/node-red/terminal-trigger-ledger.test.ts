import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type nockApi from 'nock' with { 'resolution-mode': 'import' };
import type { PaymentEvent } from '../../nodes/core/contracts/payment-event';
import { paymentState } from '../../nodes/core/ledger/read-payments';
import registerCloverAccount from '../../nodes/node-red/clover-account';
import registerStore from '../../nodes/node-red/terminal-crm-store';
import registerTrigger from '../../nodes/node-red/terminal-trigger';
import { AUTH, CLOVER, EXPAND, MID, notification, referencePayment, TOKEN } from '../core/sources/clover-reference';
import { recordPaymentEvents } from '../core/ledger/support/record-payment-events';
import { nockOffline } from '../support/nock-offline';
import { tempStore, TEST_TOKEN_KEYS } from '../support/temp-store';
import { fakeRed, serveFakeRed } from './support/fake-red';

// nock 15 ships only as an ES module; Node 24 loads it with require(), which this CommonJS build uses.
const nock = (require('nock') as { default: typeof nockApi }).default;

/**
 * The trigger hands its store to the source (ReceiveOptions.store), so what a processor's read leaves untold is read
 * from the ledger: a Clover payment read VOIDED that names no amount voids the sale the store holds.
 */
describe('terminal payment trigger with a store: the source reads its ledger', () => {
  nockOffline();
  let red: ReturnType<typeof fakeRed>;
  const served = serveFakeRed(() => red.server);

  beforeEach(() => {
    nock.enableNetConnect('127.0.0.1');
    red = fakeRed();
    registerCloverAccount(red.RED);
    registerStore(red.RED);
    registerTrigger(red.RED);
    red.create('clover-account', { id: 'acct' }, { authCode: AUTH, apiToken: TOKEN });
  });

  const deliver = async (path: string, payment: { id: string }) => {
    const api = nock(CLOVER, { reqheaders: { authorization: `Bearer ${TOKEN}` } }).get(`/v3/merchants/${MID}/payments/${payment.id}`).query({ expand: EXPAND }).reply(200, payment);
    const n = notification(payment.id);
    const res = await fetch(`${served.base()}${path}`, { method: 'POST', body: n.rawBody, headers: n.headers as Record<string, string> });
    const text = await res.text();
    assert.equal(res.status, 200, text);
    assert.ok(api.isDone());
    return JSON.parse(text) as { ignored?: string[] };
  };

  it('a Clover void naming no amount of a sale the store holds is passed on at the ledger\'s amount, of one it does not yet at 0; with no store, it is not', { timeout: 20_000 }, async () => {
    const s = await tempStore();
    try {
      red.create('terminal-crm-store', { id: 'store', storeUrl: s.url }, { tokenKeys: TEST_TOKEN_KEYS });
      const withStore = red.create('terminal-trigger', { id: 'kept', source: 'clover', cloverAccount: 'acct', store: 'store', path: '/clover' });
      const bare = red.create('terminal-trigger', { id: 'bare', source: 'clover', cloverAccount: 'acct', path: '/clover-bare' });
      await deliver('/clover', referencePayment());
      await recordPaymentEvents(s.db, withStore.sent.map((m) => m.payload as PaymentEvent));
      const voided: Record<string, unknown> = { ...referencePayment({ result: 'VOIDED', modifiedTime: 1718271000950 }) };
      delete voided.amount;
      delete voided.tipAmount;
      await deliver('/clover', voided as { id: string });
      const last = withStore.sent.at(-1)!.payload as PaymentEvent;
      assert.deepEqual([last.id, last.kind, last.sale, last.amount], ['clover:XJ4D2K9W1MQ7A:void', 'failure', { voided: true }, { minor: 2450, currency: 'EUR' }]);
      await recordPaymentEvents(s.db, [last]);
      const state = (await paymentState(s.db, 'clover', 'XJ4D2K9W1MQ7A'))!;
      assert.deepEqual([state.refundedMinor, state.netMinor, state.status], [2450, 0, 'failed']);
      // One of a sale the store has not recorded (yet) is passed on at 0, its amount the sale's when that arrives.
      await deliver('/clover', { ...voided, id: 'NOTYETSOLD001' } as { id: string });
      const early = withStore.sent.at(-1)!.payload as PaymentEvent;
      assert.deepEqual([early.id, early.sale, early.amount, early.metadata.voidAmountFrom], ['clover:NOTYETSOLD001:void', { voided: true }, { minor: 0, currency: 'EUR' }, 'sale']);
      const answer = await deliver('/clover-bare', voided as { id: string });
      assert.equal(bare.sent.length, 0);
      assert.match(answer.ignored?.join('; ') ?? '', /payment XJ4D2K9W1MQ7A names no amount, and no store was given/);
    } finally {
      await s.remove();
    }
  });
});
