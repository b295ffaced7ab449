import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import registerAccount from '../../nodes/node-red/crm-account';
import registerStore from '../../nodes/node-red/terminal-crm-store';
import registerUpsert from '../../nodes/node-red/terminal-crm-upsert';
import { normalizeStripeEvent } from '../../nodes/core/sources/stripe-terminal';
import type { PaymentMessage } from '../../nodes/core/contracts/payment-message';
import { matchStep, tokenizeStep } from '../../nodes/core/steps/steps';
import { chargeObject, stripeEvent } from '../../sandbox/simulator/stripe-terminal-events';
import { HubSpotMock } from '../core/crm/saas/mocks/hubspot-mock';
import { ZohoMock } from '../core/crm/saas/mocks/zoho-mock';
import { tempStore, TEST_TOKEN_KEYS, testKeys } from '../support/temp-store';
import { fakeRed } from './support/fake-red';

const PAT = 'pat-na1-11111111-2222-3333-4444-555555555555';

describe('Node-RED: terminal crm upsert with a SaaS CRM (in a stand-in for Node-RED)', () => {
  let s: Awaited<ReturnType<typeof tempStore>>;
  let red: ReturnType<typeof fakeRed>;
  let nock: typeof import('nock', { with: { 'resolution-mode': 'import' } }).default;
  before(async () => {
    nock = (await import('nock')).default;
    nock.disableNetConnect();
    s = await tempStore();
    red = fakeRed();
    for (const register of [registerStore, registerAccount, registerUpsert]) register(red.RED);
    red.create('terminal-crm-store', { id: 'store', storeUrl: s.url, defaultRegion: 'us' }, { tokenKeys: TEST_TOKEN_KEYS });
    red.create('crm-account', { id: 'hs', crm: 'hubspot' }, { accessToken: PAT });
    red.create('crm-account', { id: 'zoho', crm: 'zoho', dataCenter: 'eu' }, { clientId: '1000.C', clientSecret: 's', refreshToken: '1000.r' });
  });
  afterEach(() => nock.cleanAll());
  after(async () => {
    nock.enableNetConnect();
    await s.remove();
  });

  const matched = async (email: string, postalCode?: string) =>
    JSON.parse(JSON.stringify(await matchStep(tokenizeStep(normalizeStripeEvent(stripeEvent('charge.succeeded', chargeObject({ amount: 990, email, postalCode }))), testKeys()), s.crm)));

  it('sends an array as one batch to HubSpot, says per payment what HubSpot answered, and counts it in the status', async () => {
    const mock = await HubSpotMock.start({ privateAppToken: PAT });
    const upsert = red.create('terminal-crm-upsert', { id: 'u', store: 'store', crm: 'hubspot', account: 'hs', waitSeconds: '5' });
    const r = await upsert.receive([await matched('nr-1@example.com'), await matched('nr-2@example.com')]);
    assert.equal(r.error, undefined);
    const out = r.sent!.payload as PaymentMessage[];
    for (const m of out) {
      const deal = mock.recordBy('deals', 'terminal_crm_payment_key', `stripe:${m.paymentId}`);
      assert.deepEqual([m.crm!.sync!.status, m.crm!.sync!.status === 'synced' && m.crm!.sync!.crmId], ['synced', deal[0]!.id]);
    }
    assert.equal(mock.callsTo('/crm/v3/objects/contacts/batch/upsert').length, 1);
    assert.equal(upsert.lastStatus(), 'hubspot: 2 synced');
    assert.equal(upsert.statuses.at(-1)?.fill, 'green');
  });

  it("puts what was fitted to the CRM's lengths on the payment's own crm.sync.notes, and none on a payment with nothing fitted", async () => {
    const zoho = new ZohoMock({ clientId: '1000.C', clientSecret: 's', refreshToken: '1000.r', apiDomain: 'https://www.zohoapis.eu', accountsUrl: 'https://accounts.zoho.eu' }).start();
    const upsert = red.create('terminal-crm-upsert', { id: 'uz', store: 'store', crm: 'zoho', account: 'zoho', waitSeconds: '5' });
    const r = await upsert.receive([await matched('nr-zip@example.com', 'Z'.repeat(35)), await matched('nr-short@example.com')]);
    assert.equal(r.error, undefined);
    const [long, short] = (r.sent!.payload as PaymentMessage[]).map((m) => m.crm!);
    assert.deepEqual([long!.sync!.status, long!.sync!.notes], [
      'synced',
      [`${long!.customerId}: Mailing_Zip left out: 35 characters, over the 30 Zoho takes, and cutting it would make it wrong; correct it in Zoho by hand`],
    ]);
    assert.equal(zoho.where('Contacts', 'Terminal_CRM_Id', long!.customerId)[0]!.Mailing_Zip, undefined);
    assert.deepEqual([short!.sync!.status, 'notes' in short!.sync!], ['synced', false]);
  });

  it('refuses an account of another CRM than the one chosen, before writing anything', async () => {
    const upsert = red.create('terminal-crm-upsert', { id: 'u2', store: 'store', crm: 'hubspot', account: 'zoho' });
    const before = (await s.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM transactions'))!.n;
    const r = await upsert.receive(await matched('nr-3@example.com'));
    assert.match(r.error!.message, /^CRM account: the selected account is for zoho, not hubspot\. Fix: pick a hubspot account, or choose zoho as the CRM/);
    assert.equal((await s.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM transactions'))!.n, before);
  });

  it('refuses a wait outside 0–120 seconds, naming the field', async () => {
    const upsert = red.create('terminal-crm-upsert', { id: 'u3', store: 'store', crm: 'hubspot', account: 'hs', waitSeconds: '900' });
    const r = await upsert.receive(await matched('nr-4@example.com'));
    assert.match(r.error!.message, /^Wait for CRM: 900 is not a wait\. Fix: give seconds from 0 to 120/);
  });
});
