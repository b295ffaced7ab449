import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { PaymentEvent } from '../../nodes/core/contracts/payment-event';
import { CursorStore } from '../../nodes/core/cursors/cursor-store';
import { SqlInbox } from '../../nodes/core/inbox/inbox';
import { receiveWebhook } from '../../nodes/core/pipeline/receive-webhook';
import { STRIPE_HANDLED_EVENT_TYPES } from '../../nodes/core/sources/stripe-terminal';
import { keyProviderFromSpec } from '../../nodes/core/tokenize/key-provider';
import registerSquareAccount from '../../nodes/node-red/square-account';
import registerStripeAccount from '../../nodes/node-red/stripe-terminal-account';
import registerStore from '../../nodes/node-red/terminal-crm-store';
import registerPoll from '../../nodes/node-red/terminal-poll';
import type { NodeMessage } from '../../nodes/node-red/shared/red-api';
import { chargeObject, signedDelivery, stripeEvent } from '../../sandbox/simulator/stripe-terminal-events';
import { squareApiFixture } from '../core/sources/square-fixtures';
import { MAIN_LOCATION, ONE_LOCATION, serveSquareLocations } from '../core/sources/square-locations-mock';
import { stripeRequest } from '../support/stripe-delivery';
import { tempStore, TEST_TOKEN_KEYS, TEST_WEBHOOK_SECRET } from '../support/temp-store';
import { fakeRed, type FakeNode } from './support/fake-red';

const SQUARE = 'https://connect.squareupsandbox.com';
const TOKEN = 'EAAAl-node-red-token';
const CONTACTLESS = 'Hm3QxT8vWk2NcR5pLz7YbGd4sJfZY';

/** Page 1 of ListPayments as the only page: a contactless sale (completed) and an authorization still APPROVED. */
function onlyPage() {
  const page = squareApiFixture('list-payments-page-1');
  delete page.cursor;
  return page;
}

describe('terminal payment poll (in a stand-in for Node-RED)', () => {
  let nock: typeof import('nock', { with: { 'resolution-mode': 'import' } }).default;
  let s: Awaited<ReturnType<typeof tempStore>>;
  let red: ReturnType<typeof fakeRed>;
  const nodes: FakeNode[] = [];
  before(async () => {
    nock = (await import('nock')).default;
  });
  after(() => nock.restore());
  beforeEach(async () => {
    nock.disableNetConnect();
    s = await tempStore();
    red = fakeRed();
    registerStore(red.RED);
    registerSquareAccount(red.RED);
    registerStripeAccount(red.RED);
    registerPoll(red.RED);
    red.create('terminal-crm-store', { id: 'store', storeUrl: s.url, defaultRegion: 'us' }, { tokenKeys: TEST_TOKEN_KEYS });
    red.create('square-account', { id: 'sq', baseUrl: SQUARE }, { signatureKey: 'whsk_unused_when_polling', accessToken: TOKEN });
  });
  afterEach(async () => {
    for (const n of nodes.splice(0)) n.close();
    nock.cleanAll();
    nock.enableNetConnect();
    await s.remove();
  });

  const pollNode = (def: Record<string, unknown> = {}) => {
    const node = red.create('terminal-poll', { id: 'poll', source: 'square', squareAccount: 'sq', store: 'store', interval: 0, ...def });
    nodes.push(node);
    return node;
  };
  const square = () => nock(SQUARE).matchHeader('authorization', `Bearer ${TOKEN}`);
  /** One message in, as Node-RED delivers it: every message sent on, and what done() got. */
  const trigger = (node: FakeNode) =>
    new Promise<{ sent: NodeMessage[]; error?: Error }>((resolve) => {
      const sent: NodeMessage[] = [];
      node.input!({ payload: 'now' }, (m) => sent.push(m), (error) => resolve({ sent, error }));
    });

  it('polls when a message arrives, sends one message per new payment, and shows the last poll', async () => {
    const node = pollNode();
    assert.equal(node.lastStatus(), 'polls on input');
    // No Location IDs: the seller's locations are looked up (one here), and each is listed by its id.
    const first = serveSquareLocations(square(), ONE_LOCATION)
      .get('/v2/payments').query((q) => q.sort_field === 'UPDATED_AT' && q.sort_order === 'ASC' && q.limit === '100' && q.location_id === MAIN_LOCATION).reply(200, onlyPage());
    const { sent, error } = await trigger(node);
    assert.ifError(error);
    assert.ok(first.isDone(), JSON.stringify(nock.pendingMocks()));
    assert.deepEqual(sent.map((m) => [(m.payload as PaymentEvent).id, m.topic]), [[`square:payment:${CONTACTLESS}:COMPLETED`, 'payment.updated']]);
    assert.deepEqual((sent[0]!.payload as PaymentEvent).amount, { minor: 1250, currency: 'EUR' });
    assert.match(node.lastStatus()!, /^1 new at \d\d:\d\d:\d\d$/);
    const cursor = JSON.parse((await new CursorStore(s.db).get('poll:square'))!);
    assert.equal(JSON.parse(cursor.locations.cursors[MAIN_LOCATION]).since, '2026-11-20T20:01:10.100Z');

    // Square lists the last change seen again (its query is inclusive): same id, kept once, nothing sent.
    const again = serveSquareLocations(square(), ONE_LOCATION).get('/v2/payments').query((q) => q.updated_at_begin_time === '2026-11-20T20:01:10.100Z').reply(200, onlyPage());
    const second = await trigger(node);
    assert.ok(again.isDone(), JSON.stringify(nock.pendingMocks()));
    assert.deepEqual([second.sent, second.error], [[], undefined]);
    assert.match(node.lastStatus()!, /^nothing new at /);
    assert.equal((await s.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM inbox_events'))!.n, 1);
  });

  it('polls right after deploy and then every interval, and stops when the flow is stopped', async () => {
    serveSquareLocations(square(), ONE_LOCATION).get('/v2/payments').query(true).reply(200, onlyPage());
    const node = pollNode({ interval: 1 });
    for (let i = 0; i < 100 && node.sent.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(node.sent.map((m) => (m.payload as PaymentEvent).id), [`square:payment:${CONTACTLESS}:COMPLETED`]);
    node.close();
    // A second poll would find no Square mock left and report an error.
    await new Promise((r) => setTimeout(r, 1_300));
    assert.deepEqual([node.errors, node.sent.length], [[], 1]);
  });

  it('sends no Stripe payment that a webhook trigger on the same store received first', async () => {
    const t0 = Math.floor(Date.now() / 1000) - 600;
    const sale = (n: number) => stripeEvent('charge.succeeded', chargeObject({ amount: n * 500, created: t0 + n }), { id: `evt_1NodeRedPoll${n}AAAAAAAAAA`, created: t0 + n });
    const inbox = new SqlInbox(s.db, keyProviderFromSpec(TEST_TOKEN_KEYS));
    const webhook = await receiveWebhook('stripe', stripeRequest(signedDelivery(sale(1), TEST_WEBHOOK_SECRET)), { credentials: { signingSecret: TEST_WEBHOOK_SECRET }, inbox });
    assert.equal(webhook.events.length, 1);

    red.create('stripe-terminal-account', { id: 'st' }, { webhookSecrets: TEST_WEBHOOK_SECRET, secretKey: 'rk_test_node_red' });
    const node = pollNode({ source: 'stripe', account: 'st', squareAccount: '' });
    const types = Object.fromEntries(STRIPE_HANDLED_EVENT_TYPES.map((t, i) => [`types[${i}]`, t]));
    const stripe = nock('https://api.stripe.com')
      .matchHeader('authorization', 'Bearer rk_test_node_red')
      .get('/v1/events').query((q) => q['types[0]'] === types['types[0]'] && q.limit === '100' && q['created[gte]'] !== undefined)
      .reply(200, { object: 'list', url: '/v1/events', has_more: false, data: [sale(2), sale(1)] });
    const { sent, error } = await trigger(node);
    assert.ifError(error);
    assert.ok(stripe.isDone());
    assert.deepEqual(sent.map((m) => (m.payload as PaymentEvent).id), [`stripe:${sale(2).id}`]);
    assert.equal(await new CursorStore(s.db).get('poll:stripe'), sale(2).id);
  });

  it('hands a refused token to done() named as the Square account\'s dialog labels it, with the fix, and shows it', async () => {
    const node = pollNode();
    serveSquareLocations(nock(SQUARE), { token: 'EAAAl-another-token' });
    const { sent, error } = await trigger(node);
    assert.deepEqual(sent, []);
    assert.equal(
      String(error?.message),
      "Square account → Access token: Square refused the access token to list the seller's locations (401 UNAUTHORIZED: This request could not be authorized.). " +
        'Fix: use an access token of this seller that may read payments (PAYMENTS_READ) and its locations (MERCHANT_PROFILE_READ); open the Square account configuration, fill in Access token and deploy',
    );
    assert.match(node.lastStatus()!, /^Square account → Access token: /);

    // Named in Location IDs, the location is listed without a lookup, and the same refusal names the token alike.
    red.create('square-account', { id: 'sq-named', baseUrl: SQUARE, locationId: ` ${MAIN_LOCATION} ` }, { signatureKey: 'whsk_unused_when_polling', accessToken: TOKEN });
    square().get('/v2/payments').query((q) => q.location_id === MAIN_LOCATION).reply(401, squareApiFixture('error-unauthorized'));
    const named = await trigger(pollNode({ id: 'poll-named', squareAccount: 'sq-named' }));
    assert.match(String(named.error?.message), /^Square account → Access token: Square refused the access token to list payments \(401 UNAUTHORIZED/);
  });

  it('polls the main location and warns why when the access token may not list the locations (no MERCHANT_PROFILE_READ)', async () => {
    const node = pollNode();
    const api = serveSquareLocations(square(), { scopes: ['PAYMENTS_READ', 'CUSTOMERS_READ'] })
      .get('/v2/payments').query((q) => q.location_id === undefined && q.sort_field === 'UPDATED_AT').reply(200, onlyPage());
    const { sent, error } = await trigger(node);
    assert.ifError(error);
    assert.ok(api.isDone(), JSON.stringify(nock.pendingMocks()));
    assert.deepEqual(sent.map((m) => (m.payload as PaymentEvent).id), [`square:payment:${CONTACTLESS}:COMPLETED`]);
    assert.deepEqual(node.warnings.length, 1);
    assert.match(String(node.warnings[0]), /^poll square: Square refused to list the seller's locations \(403 INSUFFICIENT_SCOPES: .*\): only the main location's payments are listed\. Give the access token MERCHANT_PROFILE_READ, or list every location's id in "Location IDs"/);
  });

  it('names the missing account before asking anyone', async () => {
    const node = pollNode({ squareAccount: '' });
    const { error } = await trigger(node);
    assert.match(String(error?.message), /^Square account: none is selected/);
  });

  it('a Terminals choice it does not know is named, instead of polling with another account', { timeout: 10_000 }, async () => {
    const node = pollNode({ source: 'paypal' });
    const { sent, error } = await trigger(node);
    assert.deepEqual(sent, []);
    assert.match(String(error?.message), /^Terminals: "paypal" is not a processor this node knows\. Fix: open this node, pick a processor under Terminals/);
    assert.match(node.lastStatus()!, /^Terminals: "paypal"/);
  });

  it('a number it cannot use is refused naming the field, instead of polling with a default or a page of 1', { timeout: 10_000 }, async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ pageSize: '0' }, /^Page size: "0" is not a whole number of payments from 1 up\. Fix: give one such as 100/],
      [{ maxPages: '2.5' }, /^Pages per poll: "2\.5" is not a whole number of pages from 1 up/],
      [{ lookBackHours: '-2' }, /^First poll \(h back\): "-2" is not a number of hours from 0 to 8784/],
      // Further back than any processor's list reaches (1e16 hours is no date at all).
      [{ lookBackHours: '1e16' }, /^First poll \(h back\): "1e16" is not a number of hours from 0 to 8784\. Fix:/],
      [{ interval: '-1' }, /^Every \(s\): "-1" is not a number of seconds from 0 to 2147483/],
      // 30 days: past what a timer keeps, which would poll every millisecond.
      [{ interval: '2592000' }, /^Every \(s\): "2592000" is not a number of seconds from 0 to 2147483\. Fix:/],
    ];
    for (const [def, message] of cases) {
      const node = pollNode({ id: `poll-${Object.keys(def)[0]}`, ...def });
      const { sent, error } = await trigger(node);
      assert.deepEqual(sent, []);
      assert.match(String(error?.message), message);
      assert.match(node.lastStatus()!, new RegExp(message.source.split(':')[0]!));
    }
  });
});
