import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { newCustomerId } from '../../nodes/core/crm/upsert-payments';
import { readLocalCustomerFields } from '../../nodes/core/crm/customer-fields';
import { normalizeStripeEvent } from '../../nodes/core/sources/stripe-terminal';
import registerCrmAccount from '../../nodes/node-red/crm-account';
import registerUpsert from '../../nodes/node-red/terminal-crm-upsert';
import registerStore from '../../nodes/node-red/terminal-crm-store';
import registerLoyalty from '../../nodes/node-red/terminal-loyalty-enroll';
import registerMatch from '../../nodes/node-red/terminal-match-customer';
import registerSegment from '../../nodes/node-red/terminal-segment';
import registerTokenize from '../../nodes/node-red/terminal-tokenize';
import type { NodeMessage } from '../../nodes/node-red/shared/red-api';
import { chargeObject, stripeEvent } from '../../sandbox/simulator/stripe-terminal-events';
import { HubSpotMock } from '../core/crm/saas/mocks/hubspot-mock';
import type { Nock } from '../core/crm/saas/mocks/salesforce-mock';
import { tempStore, TEST_TOKEN_KEYS } from '../support/temp-store';
import { fakeRed, type FakeNode } from './support/fake-red';

const PAT = 'pat-na1-11111111-2222-3333-4444-555555555555';
const CONTACT_PROPERTIES = [
  'email', 'terminal_crm_id',
  'terminal_crm_segment', 'terminal_crm_rfm', 'terminal_crm_p_alive', 'terminal_crm_expected_value', 'terminal_crm_high_value', 'terminal_crm_at_risk',
  'loyalty_tier', 'loyalty_points', 'loyalty_member_since',
];

describe('Node-RED: terminal segment and terminal loyalty enroll with a HubSpot crm-account', () => {
  let nock: Nock;
  let s: Awaited<ReturnType<typeof tempStore>>;
  let red: ReturnType<typeof fakeRed>;
  let chain: FakeNode[];
  before(async () => {
    nock = (await import('nock')).default;
    nock.disableNetConnect();
    s = await tempStore();
    red = fakeRed();
    for (const register of [registerStore, registerCrmAccount, registerTokenize, registerMatch, registerUpsert, registerSegment, registerLoyalty]) register(red.RED);
    red.create('terminal-crm-store', { id: 'store', storeUrl: s.url, defaultRegion: 'us' }, { tokenKeys: TEST_TOKEN_KEYS });
    red.create('crm-account', { id: 'hs', crm: 'hubspot' }, { accessToken: PAT });
    red.create('crm-account', { id: 'sf', crm: 'salesforce', loginUrl: 'https://login.salesforce.com' }, { clientId: 'x', clientSecret: 'y' });
    chain = [
      red.create('terminal-tokenize', { id: 't', store: 'store' }),
      red.create('terminal-match-customer', { id: 'm', store: 'store' }),
      red.create('terminal-crm-upsert', { id: 'u', store: 'store', crm: 'local' }),
    ];
  });
  afterEach(() => nock.cleanAll());
  after(async () => {
    nock.enableNetConnect();
    nock.restore();
    await s.remove();
  });

  const recorded = async (event: object): Promise<unknown> => {
    let payload: unknown = normalizeStripeEvent(event);
    for (const n of chain) {
      const r = await n.receive(payload);
      assert.equal(r.error, undefined, r.error?.message);
      payload = r.sent!.payload;
    }
    return payload;
  };

  it('sends the fields at once through the account: the message says synced, the contact holds them, the status says so', async () => {
    const mock = await HubSpotMock.start({ privateAppToken: PAT, properties: { contacts: CONTACT_PROPERTIES } });
    const event = stripeEvent('charge.succeeded', chargeObject({ amount: 80_000, email: 'nr-vip@example.com', card: { fingerprint: 'fp_nr_vip' } }));
    const contact = mock.seed('contacts', { terminal_crm_id: newCustomerId(normalizeStripeEvent(event)), email: 'nr-vip@example.com' });
    const segment = red.create('terminal-segment', { id: 'seg', store: 'store', mode: 'payment', currency: 'USD', highValuePayment: '500', crm: 'hubspot', crmAccount: 'hs', waitForCrm: '5' });
    const loyalty = red.create('terminal-loyalty-enroll', {
      id: 'loy', store: 'store', mode: 'payment', define: 'json', crm: 'hubspot', crmAccount: 'hs', waitForCrm: 5,
      programJson: '{"id": "nr-club", "currency": "USD", "tiers": [{"name": "Gold", "minSpendMinor": 0}]}',
    });

    const seg = await segment.receive(await recorded(event));
    assert.equal(seg.error, undefined, seg.error?.message);
    const out = (seg.sent!.payload as { segment: { customerId: string; crmSync: { status: string; crmId?: string } } }).segment;
    assert.deepEqual([out.crmSync.status, out.crmSync.crmId], ['synced', contact.id]);
    assert.equal(segment.lastStatus(), 'New · high value → hubspot synced');

    const loy = await loyalty.receive(seg.sent!.payload);
    assert.equal(loy.error, undefined, loy.error?.message);
    const [first] = loy.sent as unknown as [NodeMessage];
    assert.equal((first.payload as { loyalty: { crmSync: { status: string } } }).loyalty.crmSync.status, 'synced');

    const props = mock.recordBy('contacts', 'terminal_crm_id', out.customerId)[0]!.properties;
    assert.deepEqual([props.terminal_crm_segment, props.terminal_crm_high_value, props.loyalty_tier, props.loyalty_points], ['New', 'true', 'Gold', '800']);
    const local = await readLocalCustomerFields(s.db, out.customerId);
    assert.deepEqual([local.terminal_crm_segment, local.loyalty_tier], ['New', 'Gold']);
  });

  it('with Wait for CRM 0 only queues: the message says queued, HubSpot hears nothing', async () => {
    const mock = await HubSpotMock.start({ privateAppToken: PAT, properties: { contacts: CONTACT_PROPERTIES } });
    const segment = red.create('terminal-segment', { id: 'seg0', store: 'store', mode: 'payment', crm: 'hubspot', crmAccount: 'hs', waitForCrm: '0' });
    const r = await segment.receive(await recorded(stripeEvent('charge.succeeded', chargeObject({ amount: 1_200, email: 'nr-later@example.com', card: { fingerprint: 'fp_later' } }))));
    const sync = (r.sent!.payload as { segment: { customerId: string; crmSync: { status: string } } }).segment;
    assert.equal(sync.crmSync.status, 'queued');
    assert.equal(mock.calls.length, 0);
    const rows = await s.db.all<{ crm: string; kind: string; state: string }>('SELECT crm, kind, state FROM outbox WHERE external_id = ?', [sync.customerId]);
    assert.deepEqual(rows.map((x) => [x.crm, x.kind, x.state]), [['hubspot', 'fields', 'pending']]);
  });

  it('Wait for CRM is read where the dialog shows it: a payment refuses 90 s, Recompute all and Review program (which only queue) do not read it', async () => {
    const segment = red.create('terminal-segment', { id: 'seg90', store: 'store', mode: 'payment', crm: 'hubspot', crmAccount: 'hs', waitForCrm: '90' });
    const r = await segment.receive(await recorded(stripeEvent('charge.succeeded', chargeObject({ amount: 700, email: 'nr-wait@example.com', card: { fingerprint: 'fp_wait' } }))));
    assert.match(r.error!.message, /^Wait for CRM: 90 is not between 0 and 60 seconds/);
    const recompute = red.create('terminal-segment', { id: 'segr90', store: 'store', mode: 'recompute', crm: 'hubspot', crmAccount: 'hs', waitForCrm: '90' });
    const review = red.create('terminal-loyalty-enroll', { id: 'loyr90', store: 'store', mode: 'review', define: 'json', programJson: '{"currency": "USD"}', crm: 'hubspot', crmAccount: 'hs', waitForCrm: '90' });
    for (const node of [recompute, review]) {
      const b = await node.receive({});
      assert.equal(b.error, undefined, b.error?.message);
    }
  });

  it('an account of another CRM, or none, goes to done(err) naming the box to fix, before anything is written', async () => {
    const wrong = red.create('terminal-segment', { id: 'segw', store: 'store', mode: 'payment', crm: 'hubspot', crmAccount: 'sf' });
    const r = await wrong.receive(await recorded(stripeEvent('charge.succeeded', chargeObject({ amount: 900, email: 'nr-wrong@example.com', card: { fingerprint: 'fp_wrong' } }))));
    assert.match(r.error!.message, /^CRM account: is a salesforce account, but the fields go to hubspot\. Fix: pick a hubspot account/);
    const none = red.create('terminal-loyalty-enroll', { id: 'loyn', store: 'store', mode: 'payment', define: 'json', programJson: '{"currency": "USD"}', crm: 'zoho' });
    const n = await none.receive(await recorded(stripeEvent('charge.succeeded', chargeObject({ amount: 900, email: 'nr-none@example.com', card: { fingerprint: 'fp_none' } }))));
    assert.match(n.error!.message, /^CRM account: none is selected/);
    assert.equal(await s.db.get("SELECT 1 AS x FROM outbox WHERE crm = 'zoho'"), undefined);
  });
});
