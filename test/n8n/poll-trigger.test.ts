import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { NodeOperationError } from 'n8n-workflow';
import { CursorStore } from '../../nodes/core/cursors/cursor-store';
import { STRIPE_HANDLED_EVENT_TYPES } from '../../nodes/core/sources/stripe-terminal';
import { chargeObject, signedDelivery, stripeEvent } from '../../sandbox/simulator/stripe-terminal-events';
import { squareApiFixture } from '../core/sources/square-fixtures';
import { tempStore, TEST_TOKEN_KEYS, TEST_WEBHOOK_SECRET } from '../support/temp-store';
import { pollHarness } from './support/poll-contexts';
import { MAIN_LOCATION, ONE_LOCATION, serveSquareLocations } from '../core/sources/square-locations-mock';
import { triggerHarness } from './support/trigger-contexts';

const KEY = 'rk_test_51N8nPollingKey';
const T0 = Math.floor(Date.now() / 1000) - 3600;
const sale = (n: number) =>
  stripeEvent('charge.succeeded', chargeObject({ amount: n * 1000, email: `buyer${n}@example.com`, created: T0 + n }), { id: `evt_1N8nPoll${n}AAAAAAAAAAAAAAA`, created: T0 + n });
const TYPES = Object.fromEntries(STRIPE_HANDLED_EVENT_TYPES.map((t, i) => [`types[${i}]`, t]));
const listOf = (events: object[], hasMore = false) => ({ object: 'list', url: '/v1/events', has_more: hasMore, data: events });

describe('n8n: Terminal Payment Poll Trigger (n8n-core PollContext)', () => {
  let nock: typeof import('nock', { with: { 'resolution-mode': 'import' } }).default;
  let s: Awaited<ReturnType<typeof tempStore>>;
  before(async () => {
    nock = (await import('nock')).default;
  });
  after(() => nock.restore());
  beforeEach(async () => {
    nock.disableNetConnect();
    s = await tempStore();
  });
  afterEach(async () => {
    nock.cleanAll();
    nock.enableNetConnect();
    await s.remove();
  });

  const storeCredential = () => ({ storeUrl: s.url, tokenKeys: TEST_TOKEN_KEYS, defaultRegion: 'US' });
  const stripePoller = () => pollHarness({ source: 'stripe' }, { stripeTerminalApi: { secretKey: KEY, signingSecret: '' }, terminalCrmStore: storeCredential() });
  const stripe = () => nock('https://api.stripe.com').matchHeader('authorization', `Bearer ${KEY}`);
  const ids = (out: Awaited<ReturnType<ReturnType<typeof pollHarness>['poll']>>) => (out?.[0] ?? []).map((i) => i.json.id);

  it('is a polling trigger offering only the sources that can be listed, each with its own credential', () => {
    const { description } = stripePoller().nodeType;
    assert.equal(description.polling, true);
    const sources = description.properties.find((p) => p.name === 'source')!.options!.map((o) => (o as { value: string }).value);
    assert.deepEqual(sources.sort(), ['clover', 'square', 'stripe', 'sumup', 'zettle']);
    assert.deepEqual(
      description.credentials!.map((c) => [c.name, c.displayOptions?.show?.source]),
      [
        ['stripeTerminalApi', ['stripe']],
        ['terminalSquareApi', ['square']],
        ['terminalZettleApi', ['zettle']],
        ['terminalCloverApi', ['clover']],
        ['terminalSumUpApi', ['sumup']],
        ['terminalCrmStore', undefined],
      ],
    );
  });

  it('emits each new Stripe event once, with a secret key and no webhook secret; the next poll carries on from the cursor', async () => {
    const poller = stripePoller();
    const first = stripe()
      .get('/v1/events').query((q) => Math.abs(Number(q['created[gte]']) - (Date.now() / 1000 - 24 * 3600)) < 60 && q.limit === '100' && q['types[0]'] === TYPES['types[0]'])
      .reply(200, listOf([sale(2), sale(1)]));
    assert.deepEqual(ids(await poller.poll()), [`stripe:${sale(1).id}`, `stripe:${sale(2).id}`]);
    assert.ok(first.isDone(), JSON.stringify(nock.pendingMocks()));
    assert.equal(await new CursorStore(s.db).get('poll:stripe'), sale(2).id);

    stripe().get('/v1/events').query({ ...TYPES, limit: '100', ending_before: sale(2).id }).reply(200, listOf([]));
    assert.equal(await poller.poll(), null, 'nothing new: no execution');
    stripe().get('/v1/events').query({ ...TYPES, limit: '100', ending_before: sale(2).id }).reply(200, listOf([sale(3)]));
    const third = (await poller.poll())![0]!;
    assert.deepEqual([third.map((i) => i.json.id), third[0]!.json.amount], [[`stripe:${sale(3).id}`], { minor: 3000, currency: 'USD' }]);
  });

  it('passes on no payment the Terminal Payment Trigger already received into the same store', async () => {
    const webhook = triggerHarness({ source: 'stripe', events: [...STRIPE_HANDLED_EVENT_TYPES] }, { signingSecret: TEST_WEBHOOK_SECRET, secretKey: '' }, storeCredential());
    const d = signedDelivery(sale(1), TEST_WEBHOOK_SECRET);
    assert.equal((await webhook.deliver(d.body, d.headers)).result.workflowData![0]!.length, 1);

    stripe().get('/v1/events').query(true).reply(200, listOf([sale(2), sale(1)]));
    assert.deepEqual(ids(await stripePoller().poll()), [`stripe:${sale(2).id}`]);
    const kept = await s.db.all<{ event_id: string }>('SELECT event_id FROM inbox_events ORDER BY received_at, event_id');
    assert.deepEqual(kept.map((r) => r.event_id), [`stripe:${sale(1).id}`, `stripe:${sale(2).id}`]);
  });

  it('polls Square with its own credential, one page per poll when asked', async () => {
    const page1 = squareApiFixture('list-payments-page-1');
    // No Location IDs in the credential: the seller's one location is looked up, then listed by its id.
    const square = serveSquareLocations(nock('https://connect.squareupsandbox.com').matchHeader('authorization', 'Bearer EAAAl-sandbox-token'), ONE_LOCATION)
      .get('/v2/payments').query((q) => q.sort_field === 'UPDATED_AT' && q.limit === '2' && q.location_id === MAIN_LOCATION)
      .reply(200, page1);
    const poller = pollHarness(
      { source: 'square', options: { pageSize: 2, maxPages: 1, cursorName: 'poll:square:cafe' } },
      { terminalSquareApi: { signatureKey: 'whsk_unused', accessToken: 'EAAAl-sandbox-token', baseUrl: 'https://connect.squareupsandbox.com' }, terminalCrmStore: storeCredential() },
    );
    const out = await poller.poll();
    assert.ok(square.isDone(), JSON.stringify(nock.pendingMocks()));
    assert.deepEqual(ids(out), [`square:payment:${page1.payments[0].id}:COMPLETED`]);
    assert.equal(out![0]![0]!.json.livemode, false);
    const { locations } = JSON.parse((await new CursorStore(s.db).get('poll:square:cafe'))!);
    assert.deepEqual([JSON.parse(locations.cursors[MAIN_LOCATION]).page, locations.found], [page1.cursor, [MAIN_LOCATION]], 'the round goes on at the next poll, without a lookup');
  });

  it('lists only the locations the credential\'s Location IDs name', async () => {
    const square = nock('https://connect.squareupsandbox.com')
      .get('/v2/payments').query((q) => q.location_id === 'LQ2M8XW4RT6VB').reply(200, {})
      .get('/v2/payments').query((q) => q.location_id === MAIN_LOCATION).reply(200, {});
    const poller = pollHarness(
      { source: 'square' },
      { terminalSquareApi: { signatureKey: 'whsk_unused', accessToken: 'EAAAl-sandbox-token', baseUrl: 'https://connect.squareupsandbox.com', locationId: `LQ2M8XW4RT6VB, ${MAIN_LOCATION}` }, terminalCrmStore: storeCredential() },
    );
    assert.equal(await poller.poll(), null);
    assert.ok(square.isDone(), JSON.stringify(nock.pendingMocks()));
  });

  it('fetches a test event in the editor without keeping it, so the active workflow still gets it', async () => {
    stripe().get('/v1/events').query(true).reply(200, listOf([sale(1)]));
    assert.deepEqual(ids(await stripePoller().poll('manual')), [`stripe:${sale(1).id}`]);
    assert.equal(await new CursorStore(s.db).get('poll:stripe'), null);
    assert.equal((await s.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM inbox_events'))!.n, 0);
  });

  it('reports a token Square refuses as a node error naming the credential\'s field as n8n lists it, on a poll and on a test fetch', async () => {
    const refused = { errors: [{ category: 'AUTHENTICATION_ERROR', code: 'UNAUTHORIZED', detail: 'This request could not be authorized.' }] };
    const poller = pollHarness(
      { source: 'square' },
      { terminalSquareApi: { signatureKey: 'whsk_unused', accessToken: 'EAAAl-revoked', baseUrl: 'https://connect.squareupsandbox.com' }, terminalCrmStore: storeCredential() },
    );
    const expected =
      "Terminal CRM Square API → Access Token: Square refused the access token to list the seller's locations (401 UNAUTHORIZED: This request could not be authorized.). " +
      'Fix: use an access token of this seller that may read payments (PAYMENTS_READ) and its locations (MERCHANT_PROFILE_READ); open the Terminal CRM Square API credential and fill in Access Token';
    // Every ask is refused, however often the face asks after a 401: the lookup of the seller's locations comes first.
    const square = nock('https://connect.squareupsandbox.com').get('/v2/locations').reply(401, refused).persist();
    for (const mode of ['trigger', 'manual'] as const) {
      await assert.rejects(poller.poll(mode), (e) => e instanceof NodeOperationError && e.message === expected, mode);
    }
    assert.ok(square.isDone());
  });

  it('reads Page Size and Max Pages per Poll with the core\'s readers: an expression\'s "25" is 25 payments a page, a number the poll cannot use is refused by name before any request', async () => {
    const poller = (options: Record<string, unknown>) =>
      pollHarness({ source: 'stripe', options }, { stripeTerminalApi: { secretKey: KEY, signingSecret: '' }, terminalCrmStore: storeCredential() });
    for (const [option, label, unit] of [['pageSize', 'Page Size', 'payments'], ['maxPages', 'Max Pages per Poll', 'pages']] as const) {
      for (const v of [0, -5, 2.5, 1e16, '0', 'ten']) {
        for (const mode of ['trigger', 'manual'] as const) {
          await assert.rejects(
            poller({ [option]: v }).poll(mode),
            (e) => e instanceof NodeOperationError && e.message.startsWith(`${label}: "${String(v)}" is not a whole number of ${unit} from 1 up. Fix: `),
            `${option} ${JSON.stringify(v)} (${mode})`,
          );
        }
      }
    }
    assert.equal((await s.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM inbox_events'))!.n, 0);
    assert.equal(await new CursorStore(s.db).get('poll:stripe'), null);

    const asked = stripe().get('/v1/events').query((q) => q.limit === '25').reply(200, listOf([sale(1)]));
    assert.deepEqual(ids(await poller({ pageSize: '25', maxPages: ' 2 ' }).poll()), [`stripe:${sale(1).id}`]);
    assert.ok(asked.isDone(), JSON.stringify(nock.pendingMocks()));
  });

  it('reports a credential without a secret key as a node error naming the field', async () => {
    const poller = pollHarness({ source: 'stripe' }, { stripeTerminalApi: { secretKey: '', signingSecret: 'whsec_only' }, terminalCrmStore: storeCredential() });
    await assert.rejects(poller.poll(), (e) => e instanceof NodeOperationError && /^Stripe Terminal API → Secret API Key: polling Stripe needs a secret API key\. Fix: open the Stripe Terminal API credential and fill in Secret API Key$/.test(e.message));
  });

  it('reports a Zettle credential without an API key or access token, and a Clover one with a single token and no merchant, naming the fields as the credential lists them', async () => {
    const cases: Array<[string, string, Record<string, string>, string]> = [
      [
        'zettle',
        'terminalZettleApi',
        { signingKey: 'zettle-key', apiKey: '', clientId: '', accessToken: '' },
        "Terminal CRM Zettle API → API Key and Client ID: polling Zettle needs an API key (or an access token). Fix: have the merchant create an API key with READ:PURCHASE at my.zettle.com for your self-hosted app, and paste it with the app's client ID; open the Terminal CRM Zettle API credential and fill in API Key and Client ID",
      ],
      [
        'clover',
        'terminalCloverApi',
        { authCode: 'auth', apiToken: 'clover-token', merchantId: '' },
        'Terminal CRM Clover API → Merchant ID: polling Clover needs to know whose payments to read. Fix: name the merchant, or give the API tokens as mId:token; open the Terminal CRM Clover API credential and fill in Merchant ID',
      ],
    ];
    for (const [source, credential, data, expected] of cases) {
      const poller = pollHarness({ source }, { [credential]: data, terminalCrmStore: storeCredential() });
      for (const mode of ['trigger', 'manual'] as const) {
        await assert.rejects(poller.poll(mode), (e) => e instanceof NodeOperationError && e.message === expected, `${source} ${mode}`);
      }
    }
  });
});
