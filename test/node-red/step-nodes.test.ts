import { shortText } from '../../nodes/node-red/shared/short-text';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import registerUpsert from '../../nodes/node-red/terminal-crm-upsert';
import registerStore from '../../nodes/node-red/terminal-crm-store';
import registerMatch from '../../nodes/node-red/terminal-match-customer';
import registerTokenize from '../../nodes/node-red/terminal-tokenize';
import registerMessage from '../../nodes/node-red/terminal-message';
import { normalizeStripeEvent } from '../../nodes/core/sources/stripe-terminal';
import { chargeObject, stripeEvent } from '../../sandbox/simulator/stripe-terminal-events';
import { tempStore, TEST_TOKEN_KEYS } from '../support/temp-store';
import { fakeRed } from './support/fake-red';

describe('step nodes (in a stand-in for Node-RED)', () => {
  let s: Awaited<ReturnType<typeof tempStore>>;
  let red: ReturnType<typeof fakeRed>;
  before(async () => {
    s = await tempStore();
    red = fakeRed();
    for (const register of [registerStore, registerTokenize, registerMatch, registerUpsert, registerMessage]) register(red.RED);
    red.create('terminal-crm-store', { id: 'store', storeUrl: s.url, defaultRegion: 'us' }, { tokenKeys: TEST_TOKEN_KEYS });
  });
  after(async () => s.remove());

  it('passes msg.payload through tokenize → match → upsert and keeps the other msg properties', async () => {
    const tokenize = red.create('terminal-tokenize', { id: 't', store: 'store' });
    const match = red.create('terminal-match-customer', { id: 'm', store: 'store' });
    const upsert = red.create('terminal-crm-upsert', { id: 'u', store: 'store', crm: 'local' });
    const event = normalizeStripeEvent(stripeEvent('charge.succeeded', chargeObject({ amount: 800, email: 'x@example.com' })));

    const t = await tokenize.receive(event, { topic: 'till 3', _msgid: 'm1' });
    assert.equal(t.error, undefined);
    assert.deepEqual([t.sent!.topic, t.sent!._msgid], ['till 3', 'm1']);
    assert.match(tokenize.lastStatus()!, /^tokenized stripe:evt_\S+ \(key k1\)$/);
    const m = await match.receive(t.sent!.payload);
    assert.equal(match.lastStatus(), 'create: new customer');
    const u = await upsert.receive(m.sent!.payload);
    const crm = (u.sent!.payload as { crm: { outcome: string; customerId: string } }).crm;
    assert.equal(crm.outcome, 'recorded');
    assert.equal(upsert.lastStatus(), shortText(`recorded ${event.id} → ${crm.customerId}`));
    assert.equal((await s.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM transactions WHERE event_id = ?', [event.id]))!.n, 1);
  });

  it('hands errors to done() so a Catch node gets them, with the fix in the message and a red status', async () => {
    const orphan = red.create('terminal-tokenize', { id: 'o', store: '' });
    const noStore = await orphan.receive({});
    assert.equal(noStore.sent, undefined);
    assert.match(noStore.error!.message, /^Store: none is selected.*Fix: open this node/);
    assert.deepEqual(orphan.statuses.at(-1)?.fill, 'red');

    const tokenize = red.create('terminal-tokenize', { id: 't2', store: 'store' });
    const notAPayment = await tokenize.receive({ hello: 'world' });
    assert.match(notAPayment.error!.message, /not a valid PaymentEvent.*Fix: /);
  });

  it('refuses a CRM it does not know, and a SaaS CRM without its CRM account', async () => {
    const upsert = red.create('terminal-crm-upsert', { id: 'u2', store: 'store', crm: 'sugarcrm' });
    const r = await upsert.receive({});
    assert.match(r.error!.message, /^CRM: "sugarcrm" is not a CRM this step can write to/);
    const noAccount = red.create('terminal-crm-upsert', { id: 'u3', store: 'store', crm: 'salesforce' });
    assert.match((await noAccount.receive({})).error!.message, /^CRM account: none is selected/);
  });

  it('terminal message: a wrong setting is named as its dialog labels it (Quiet hours, Alert at, Recent payments), not by its settings path', async () => {
    const event = normalizeStripeEvent(stripeEvent('charge.succeeded', chargeObject({ amount: 1250, email: 'msg@example.com' })));
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ kind: 'thank-you', quietStart: '25:00', quietEnd: '08:00' }, /^Quiet hours \(from\): "25:00" is not a time of day/],
      [{ kind: 'thank-you', quietStart: '21:00', quietEnd: '8am' }, /^Quiet hours \(until\): "8am" is not a time of day/],
      [{ kind: 'failed-payments', windowMinutes: 20000 }, /^Alert at \(minutes\): /],
      [{ kind: 'high-value-alert', recentPayments: 60 }, /^Recent payments: 60 is not a count from 0 to 50/],
      [{ kind: 'high-value-alert', to: 'sales at shop' }, /^Alert to: "sales at shop" is not an email address/],
    ];
    for (const [settings, expected] of cases) {
      const node = red.create('terminal-message', { id: `m-${Object.values(settings).join('-')}`, store: 'store', mode: 'compose', ...settings });
      const { error } = await node.receive(event);
      assert.match(String(error?.message), expected);
    }
  });
});
