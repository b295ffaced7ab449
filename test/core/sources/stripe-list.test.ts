import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { InputError } from '../../../nodes/core/errors';
import { axiosTransport } from '../../../nodes/core/http/axios-transport';
import { pollCredentials } from '../../../nodes/core/pipeline/poll-source';
import { parseSourceCredentials } from '../../../nodes/core/sources/source-credentials';
import { StripeUnavailableError } from '../../../nodes/core/sources/stripe-list';
import type { StripeCredentials } from '../../../nodes/core/sources/stripe-credentials';
import { STRIPE_HANDLED_EVENT_TYPES, stripeTerminalSource } from '../../../nodes/core/sources/stripe-terminal';
import { chargeObject, paymentIntentObject, signedDelivery, stripeEvent } from '../../../sandbox/simulator/stripe-terminal-events';
import { receiveStripe } from '../../support/stripe-delivery';
import { TEST_WEBHOOK_SECRET } from '../../support/temp-store';

const STRIPE = 'https://api.stripe.com';
const KEY = 'rk_test_51PollingKeyForTerminalCrm';
const SINCE = new Date('2026-11-20T00:00:00.000Z');
const T0 = Math.floor(SINCE.getTime() / 1000);

/** Six card-present sales a minute apart, e1 (oldest) … e6 (newest). */
const EVENTS = [1, 2, 3, 4, 5, 6].map((n) =>
  stripeEvent('charge.succeeded', chargeObject({ amount: n * 100, created: T0 + n * 60 }), { id: `evt_1Poll${n}AAAAAAAAAAAAAAAAAA`, created: T0 + n * 60 }),
);
const e = (n: number) => EVENTS[n - 1]!;

/** GET /v1/events as Stripe answers it: a list object, newest first. */
const listOf = (events: object[], hasMore: boolean) => ({ object: 'list', url: '/v1/events', has_more: hasMore, data: events });
const TYPES = Object.fromEntries(STRIPE_HANDLED_EVENT_TYPES.map((t, i) => [`types[${i}]`, t]));

describe('Stripe source: polling the Events API', () => {
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

  const creds = (raw: object = { secretKey: KEY }) => pollCredentials(stripeTerminalSource, raw) as StripeCredentials;
  const ctx = () => ({ http: axiosTransport(), now: () => new Date('2026-11-21T00:00:00.000Z') });
  const stripe = () => nock(STRIPE).matchHeader('authorization', `Bearer ${KEY}`);
  const list = stripeTerminalSource.list!;

  it('on the first poll walks down to the oldest event since "since" and starts there, oldest first', async () => {
    const scope = stripe()
      .get('/v1/events').query({ ...TYPES, limit: '2', 'created[gte]': String(T0) }).reply(200, listOf([e(6), e(5)], true))
      .get('/v1/events').query({ ...TYPES, limit: '2', 'created[gte]': String(T0), starting_after: e(5).id }).reply(200, listOf([e(4), e(3)], true))
      .get('/v1/events').query({ ...TYPES, limit: '2', 'created[gte]': String(T0), starting_after: e(3).id }).reply(200, listOf([e(2), e(1)], false));
    const page = await list(creds(), { cursor: null, since: SINCE, limit: 2 }, ctx());
    assert.ok(scope.isDone(), JSON.stringify(nock.pendingMocks()));
    assert.deepEqual(page.events.map((x) => [x.id, x.amount.minor]), [[`stripe:${e(1).id}`, 100], [`stripe:${e(2).id}`, 200]]);
    assert.deepEqual([page.cursor, page.more], [e(2).id, true]);
  });

  it('then pages forward with ending_before until has_more is false, and an empty page keeps the cursor', async () => {
    const scope = stripe()
      .get('/v1/events').query({ ...TYPES, limit: '2', ending_before: e(2).id }).reply(200, listOf([e(4), e(3)], true))
      .get('/v1/events').query({ ...TYPES, limit: '2', ending_before: e(4).id }).reply(200, listOf([e(6), e(5)], false))
      .get('/v1/events').query({ ...TYPES, limit: '2', ending_before: e(6).id }).reply(200, listOf([], false));
    const second = await list(creds(), { cursor: e(2).id, since: SINCE, limit: 2 }, ctx());
    assert.deepEqual([second.events.map((x) => x.id), second.cursor, second.more], [[`stripe:${e(3).id}`, `stripe:${e(4).id}`], e(4).id, true]);
    const third = await list(creds(), { cursor: second.cursor, limit: 2 }, ctx());
    assert.deepEqual([third.events.map((x) => x.id), third.cursor, third.more], [[`stripe:${e(5).id}`, `stripe:${e(6).id}`], e(6).id, false]);
    const fourth = await list(creds(), { cursor: third.cursor, limit: 2 }, ctx());
    assert.deepEqual([fourth.events, fourth.cursor, fourth.more], [[], e(6).id, false]);
    assert.ok(scope.isDone(), JSON.stringify(nock.pendingMocks()));
  });

  it('keeps the first poll\'s "since" while no event has turned up, so a later poll does not skip the time between', async () => {
    const scope = stripe()
      .get('/v1/events').query({ ...TYPES, limit: '10', 'created[gte]': String(T0) }).reply(200, listOf([], false))
      .get('/v1/events').query({ ...TYPES, limit: '10', 'created[gte]': String(T0) }).reply(200, listOf([e(1)], false));
    const empty = await list(creds(), { cursor: null, since: SINCE, limit: 10 }, ctx());
    assert.deepEqual([empty.events, empty.cursor, empty.more], [[], `since:${T0}`, false]);
    // A day later the face's own "since" has moved on; the stored one still rules.
    const later = await list(creds(), { cursor: empty.cursor, since: new Date(SINCE.getTime() + 86_400_000), limit: 10 }, ctx());
    assert.deepEqual([later.events.map((x) => x.id), later.cursor], [[`stripe:${e(1).id}`], e(1).id]);
    assert.ok(scope.isDone(), JSON.stringify(nock.pendingMocks()));
  });

  it('gives a polled event the id and content the same event has when its webhook arrives', async () => {
    const event = e(3);
    stripe().get('/v1/events').query(true).reply(200, listOf([event], false));
    const [polled] = (await list(creds(), { cursor: e(2).id, limit: 10 }, ctx())).events;
    const webhook = await receiveStripe(signedDelivery(event, TEST_WEBHOOK_SECRET), [TEST_WEBHOOK_SECRET]);
    assert.deepEqual(polled, webhook.events[0]);
  });

  it('passes over online payments and moves the cursor past them all the same', async () => {
    const online = stripeEvent('payment_intent.succeeded', { ...paymentIntentObject({ amount: 999 }), payment_method_types: ['card'] }, { id: 'evt_1PollOnlineAAAAAAAAAAAAAA' });
    stripe().get('/v1/events').query(true).reply(200, listOf([online, e(3)], false));
    const page = await list(creds(), { cursor: e(2).id, limit: 10 }, ctx());
    assert.deepEqual([page.events.map((x) => x.id), page.cursor], [[`stripe:${e(3).id}`], online.id]);
  });

  it('polls with an API key alone; the webhook still needs its signing secret', () => {
    assert.deepEqual(creds({ secretKey: ` ${KEY} ` }), { signingSecret: [], secretKey: KEY });
    assert.throws(() => creds({ signingSecret: 'whsec_x' }), (err) => err instanceof InputError && err.field === 'secretKey' && /STRIPE_SECRET_KEY/.test(err.message));
    assert.throws(() => parseSourceCredentials(stripeTerminalSource, { secretKey: KEY }), (err) => err instanceof InputError && err.field === 'signingSecret');
  });

  it('names the key when Stripe refuses it, and retries later when Stripe is busy', async () => {
    stripe().get('/v1/events').query(true).reply(401, { error: { type: 'invalid_request_error', message: 'Invalid API Key provided: rk_test_***Crm' } });
    await assert.rejects(list(creds(), { cursor: e(1).id, limit: 10 }, ctx()), (err) => err instanceof InputError && err.field === 'secretKey' && /Invalid API Key/.test(err.message));
    stripe().get('/v1/events').query(true).reply(403, { error: { type: 'invalid_request_error', code: 'secret_key_required', message: 'The provided key does not have the required permissions for this endpoint' } });
    await assert.rejects(list(creds(), { cursor: e(1).id, limit: 10 }, ctx()), (err) => err instanceof InputError && err.field === 'secretKey' && /read access to Events/.test(err.message));
    stripe().get('/v1/events').query(true).reply(429, { error: { type: 'invalid_request_error', code: 'rate_limit', message: 'Too many requests' } });
    await assert.rejects(list(creds(), { cursor: e(1).id, limit: 10 }, ctx()), (err) => err instanceof StripeUnavailableError && /429/.test(err.message));
  });

  it('stops, as unavailable, when the walk down gets the same page again and again instead of polling forever', async () => {
    // A cache between the pack and Stripe that ignores starting_after answers every request with the newest page.
    const scope = stripe().get('/v1/events').query(true).times(2).reply(200, listOf([e(6), e(5)], true));
    await assert.rejects(
      list(creds(), { cursor: null, since: SINCE, limit: 2 }, ctx()),
      (err) => err instanceof StripeUnavailableError && err.message.includes(`after ${e(5).id} ending with that same event again`),
    );
    assert.ok(scope.isDone(), 'two requests, then the walk stops');
  });

  it('refuses a cursor it did not write, and says how to recover from one Stripe no longer keeps', async () => {
    await assert.rejects(list(creds(), { cursor: '{"since":"x"}', limit: 10 }, ctx()), (err) => err instanceof InputError && err.field === 'cursor');
    stripe().get('/v1/events').query(true).reply(400, {
      error: { type: 'invalid_request_error', code: 'resource_missing', param: 'ending_before', message: `No such event: '${e(1).id}'` },
    });
    await assert.rejects(list(creds(), { cursor: e(1).id, limit: 10 }, ctx()), (err) => err instanceof InputError && err.field === 'cursor' && /30 days/.test(err.message) && /clear the stored cursor/.test(err.message));
  });
});
