import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { CrmCustomer, CrmPayment } from '../../../../nodes/core/crm/saas/crm-adapter';
import { CrmAuthError, CrmConfigError, CrmRateLimitError, CrmTransientError } from '../../../../nodes/core/crm/saas/crm-errors';
import { processLock } from '../../../../nodes/core/crm/saas/pipedrive-lock';
import {
  createPipedriveAdapter,
  parsePipedriveSettings,
  pipedriveAxiosTransport,
  pipedriveSettingsFromEnv,
  type CrmLock,
  type PipedriveChangedCustomers,
  type PipedriveSettingsInput,
} from '../../../../nodes/core/crm/saas/pipedrive';
import { InputError } from '../../../../nodes/core/errors';
import { nock, PipedriveMock, type PipedriveMockOptions } from './mocks/pipedrive-mock';
import { HttpNetworkError, type HttpRequest, type HttpTransport } from '../../../../nodes/core/http/http-transport';
import { PROXY_HTML, reshaped, to } from './reshaped-transport';

// Field keys shaped like Pipedrive's (40 hex characters, Company settings → Data fields → API key).
const CUSTOMER_FIELD = '9dc80c50d78a15643bfc4ca79d76156a73a1a4d8';
const PAYMENT_FIELD = '5b1c7e3f8a2d4c6b9e0f1a2b3c4d5e6f7a8b9c0d';
const TIER_FIELD = 'f1e2d3c4b5a69788796a5b4c3d2e1f0a1b2c3d4e';
const TOKEN = 'pd-api-token-123';

let clock = Date.parse('2026-03-01T10:00:00Z');
const now = () => clock;

function setup(mockOptions: Partial<PipedriveMockOptions> = {}, settings: Partial<PipedriveSettingsInput> = {}, lock?: CrmLock, wrap?: (http: HttpTransport) => HttpTransport) {
  const mock = new PipedriveMock({ apiToken: TOKEN, customerIdField: CUSTOMER_FIELD, paymentKeyField: PAYMENT_FIELD, personFields: [TIER_FIELD], now, ...mockOptions }).start();
  const s = parsePipedriveSettings({ apiToken: TOKEN, customerIdField: CUSTOMER_FIELD, paymentKeyField: PAYMENT_FIELD, ...settings });
  const http = pipedriveAxiosTransport(s, now);
  const adapter = createPipedriveAdapter({ http: wrap ? wrap(http) : http, settings: s, now, ...(lock ? { lock } : {}) });
  return { mock, adapter, settings: s };
}

const customer = (n: number, extra: Partial<CrmCustomer['profile']> = {}): CrmCustomer => ({
  externalId: `cus_${'A'.repeat(21)}${n}`,
  profile: { givenName: `Ana${n}`, familyName: 'Lopez', email: `ana${n}@example.com`, phone: `+3461234567${n}`, ...extra },
});

const payment = (n: number, over: Partial<CrmPayment> = {}): CrmPayment => ({
  externalId: `stripe:pi_3MtwBwLkdIwHu7ix28a3tq${n}`,
  customerExternalId: customer(n).externalId,
  source: 'stripe',
  paymentId: `pi_3MtwBwLkdIwHu7ix28a3tq${n}`,
  amount: { minor: 1999, currency: 'USD' },
  refunded: { minor: 0, currency: 'USD' },
  status: 'succeeded',
  occurredAt: '2026-03-01T09:59:00Z',
  card: { brand: 'visa', last4: '4242', entryMode: 'contactless' },
  ...over,
});

beforeEach(() => {
  nock.disableNetConnect();
  clock = Date.parse('2026-03-01T10:00:00Z');
});
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

describe('Pipedrive adapter: persons', () => {
  it('upserts a batch: each customer becomes exactly one person carrying the pack id, one record per request', async () => {
    const { mock, adapter } = setup();
    assert.equal(adapter.limits.batchSize, 1);
    const batch = [customer(1), customer(2), customer(3)];
    const results = await adapter.upsertCustomers(batch);

    assert.equal(results.length, 3);
    for (const [i, c] of batch.entries()) {
      const persons = mock.personsWithCustomerId(c.externalId);
      assert.equal(persons.length, 1, `${c.externalId} exists once`);
      assert.deepEqual(results[i], { externalId: c.externalId, status: 'synced', crmId: String(persons[0]!.id) });
      assert.equal(persons[0]!.name, `Ana${i + 1} Lopez`);
      assert.deepEqual(persons[0]!.emails, [{ value: `ana${i + 1}@example.com`, primary: true, label: 'work' }]);
    }
    const creates = mock.callsTo('POST', '/api/v2/persons');
    assert.equal(creates.length, 3);
    for (const c of creates) {
      assert.ok(!Array.isArray(c.body), 'Pipedrive has no batch endpoint: one person per request');
      assert.equal(c.headers['x-api-token'], TOKEN);
      assert.equal(c.query.api_token, undefined, 'the token never travels in the URL');
    }
  });

  it('re-sending the same batch changes nothing: no new person, same ids and values (also from a fresh process)', async () => {
    const { mock, adapter, settings } = setup();
    const batch = [customer(1), customer(2)];
    const first = await adapter.upsertCustomers(batch);
    const snapshot = JSON.stringify([...mock.persons.values()].map(({ update_time: _u, ...p }) => p));
    const again = await adapter.upsertCustomers(batch);
    assert.deepEqual(again, first);

    // A new process has no memory of the ids: it finds the persons by the pack id and patches them.
    const fresh = createPipedriveAdapter({ http: pipedriveAxiosTransport(settings, now), settings, now });
    assert.deepEqual(await fresh.upsertCustomers(batch), first);
    assert.equal(mock.persons.size, 2);
    assert.equal(JSON.stringify([...mock.persons.values()].map(({ update_time: _u, ...p }) => p)), snapshot);
    assert.equal(mock.callsTo('POST', '/api/v2/persons').length, 2, 'only the first pass created');
    const search = mock.callsTo('GET', '/api/v2/persons/search').at(-1)!;
    assert.deepEqual(
      { term: search.query.term, fields: search.query.fields, exact_match: search.query.exact_match },
      { term: batch[1]!.externalId, fields: 'custom_fields', exact_match: 'true' },
    );
  });

  it('two payments of one new customer at once make one person, even while search cannot see it yet', async () => {
    const keys: string[] = [];
    const inner = processLock();
    const lock: CrmLock = (key, fn) => {
      keys.push(key);
      return inner(key, fn);
    };
    const { mock, adapter } = setup({ searchLagMs: 60_000 }, {}, lock);
    const c = customer(7);
    const [a, b] = await Promise.all([adapter.upsertCustomers([c]), adapter.upsertCustomers([c])]);
    assert.equal(mock.personsWithCustomerId(c.externalId).length, 1);
    assert.equal(a[0]!.status, 'synced');
    assert.deepEqual(b, a);
    assert.deepEqual(keys, [`pipedrive:person:${c.externalId}`, `pipedrive:person:${c.externalId}`]);
  });

  it('adopts the one person a salesperson typed in with the same email, and leaves another customer\'s person alone', async () => {
    const { mock, adapter } = setup();
    const typedIn = mock.seedPerson({ name: 'Ana Lopez', email: 'ana1@example.com', at: clock - 3_600_000 });
    const other = mock.seedPerson({ name: 'Ana L.', email: 'shared@example.com', customerId: 'cus_someoneElse000000000000', at: clock - 3_600_000 });

    const [adopted] = await adapter.upsertCustomers([customer(1)]);
    assert.deepEqual(adopted, { externalId: customer(1).externalId, status: 'synced', crmId: String(typedIn.id) });
    assert.equal(mock.persons.get(typedIn.id)!.custom_fields[CUSTOMER_FIELD], customer(1).externalId);

    const [separate] = await adapter.upsertCustomers([customer(2, { email: 'shared@example.com' })]);
    assert.equal(separate!.status, 'synced');
    assert.notEqual((separate as { crmId: string }).crmId, String(other.id));
    assert.equal(mock.persons.get(other.id)!.custom_fields[CUSTOMER_FIELD], 'cus_someoneElse000000000000');
  });

  it('keeps the emails and phones a salesperson added: the pack\'s join the lists a PATCH would otherwise replace', async () => {
    const { mock, adapter } = setup();
    const typedIn = mock.seedPerson({ name: 'Ana Lopez', email: 'ana1@example.com', at: clock - 3_600_000 });
    const person = mock.persons.get(typedIn.id)!;
    person.emails = [{ value: 'Ana1@Example.com', primary: true, label: 'work' }, { value: 'ana.home@example.org', primary: false, label: 'home' }];
    person.phones = [{ value: '+1 415 555 0100', primary: true, label: 'work' }];

    const [r] = await adapter.upsertCustomers([customer(1)]);
    assert.equal(r!.status, 'synced');
    // The email was there (another case): the list is as the salesperson left it. The phone was not: it joins.
    assert.deepEqual(person.emails, [{ value: 'Ana1@Example.com', primary: true, label: 'work' }, { value: 'ana.home@example.org', primary: false, label: 'home' }]);
    assert.deepEqual(person.phones, [{ value: '+1 415 555 0100', primary: true, label: 'work' }, { value: '+34612345671', primary: false, label: 'mobile' }]);

    await adapter.upsertCustomers([customer(1, { email: 'ana.new@example.com' })]);
    assert.deepEqual(person.emails.map((e) => e.value), ['Ana1@Example.com', 'ana.home@example.org', 'ana.new@example.com']);
    assert.equal(person.phones.length, 2, 'the same phone again is not added twice');
  });

  it('several persons with the pack id are for a person to tell apart: ambiguous, with both candidates', async () => {
    const { mock, adapter } = setup();
    const c = customer(1);
    const p1 = mock.seedPerson({ name: 'Ana', customerId: c.externalId, at: clock - 10_000 });
    const p2 = mock.seedPerson({ name: 'Ana Lopez', customerId: c.externalId, at: clock - 10_000 });
    const [r] = await adapter.upsertCustomers([c]);
    assert.equal(r!.status, 'ambiguous');
    assert.deepEqual((r as { candidates: string[] }).candidates.sort(), [String(p1.id), String(p2.id)].sort());
    assert.equal(mock.callsTo('POST', '/api/v2/persons').length + mock.callsTo('PATCH', '/api/v2/persons').length, 0, 'nothing written');
  });

  it('a walk-in without a name is still a valid person: named after the email, or the pack id', async () => {
    const { mock, adapter } = setup();
    const anon: CrmCustomer = { externalId: 'cus_walkin0000000000000000', profile: {} };
    const mailOnly: CrmCustomer = { externalId: 'cus_mailonly00000000000000', profile: { email: 'x@example.com' } };
    const results = await adapter.upsertCustomers([anon, mailOnly]);
    assert.deepEqual(results.map((r) => r.status), ['synced', 'synced']);
    assert.equal(mock.personsWithCustomerId(anon.externalId)[0]!.name, 'Card customer cus_walkin0000000000000000');
    assert.equal(mock.personsWithCustomerId(mailOnly.externalId)[0]!.name, 'x@example.com');
  });

  it('an email or phone of blanks is no email or phone: the person is named after the pack id, padding is not written', async () => {
    const { mock, adapter } = setup();
    const blank: CrmCustomer = { externalId: 'cus_blank000000000000000000', profile: { email: '   ', phone: ' +4915112345678 ' } };
    const [result] = await adapter.upsertCustomers([blank]);
    assert.equal(result!.status, 'synced');
    const [person] = mock.personsWithCustomerId(blank.externalId);
    assert.equal(person!.name, 'Card customer cus_blank000000000000000000');
    assert.deepEqual([person!.emails?.map((e) => e.value) ?? [], person!.phones?.map((p) => p.value)], [[], ['+4915112345678']]);
  });
});

describe('Pipedrive adapter: payments as deals', () => {
  it('writes each payment as one won deal of its person, value in major units without float error', async () => {
    const { mock, adapter } = setup();
    await adapter.upsertCustomers([customer(1), customer(2), customer(3)]);
    const batch = [
      payment(1),
      payment(2, { amount: { minor: 1250, currency: 'KWD' }, refunded: { minor: 0, currency: 'KWD' } }),
      payment(3, { amount: { minor: 500, currency: 'JPY' }, refunded: { minor: 0, currency: 'JPY' } }),
    ];
    const results = await adapter.upsertPayments(batch);
    const values = batch.map((p) => mock.dealsWithPaymentKey(p.externalId));
    assert.deepEqual(values.map((d) => d.length), [1, 1, 1]);
    assert.deepEqual(values.map((d) => [d[0]!.value, d[0]!.currency, d[0]!.status]), [
      [19.99, 'USD', 'won'],
      [1.25, 'KWD', 'won'],
      [500, 'JPY', 'won'],
    ]);
    assert.equal(values[0]![0]!.person_id, mock.personsWithCustomerId(customer(1).externalId)[0]!.id);
    assert.deepEqual(results.map((r) => r.status), ['synced', 'synced', 'synced']);
    assert.match(values[0]![0]!.title, /^Card payment 19\.99 USD \(visa •••• 4242\)/);
  });

  it('a refund updates the same deal (value net of refunds, lost when fully refunded); re-sending changes nothing', async () => {
    const { mock, adapter, settings } = setup();
    await adapter.upsertCustomers([customer(1)]);
    const [created] = await adapter.upsertPayments([payment(1)]);
    const fresh = createPipedriveAdapter({ http: pipedriveAxiosTransport(settings, now), settings, now });
    const [partial] = await fresh.upsertPayments([payment(1, { refunded: { minor: 999, currency: 'USD' }, status: 'partially_refunded' })]);
    assert.deepEqual(partial, created);
    let deals = mock.dealsWithPaymentKey(payment(1).externalId);
    assert.equal(deals.length, 1);
    assert.deepEqual([deals[0]!.value, deals[0]!.status], [10, 'won']);

    const full = payment(1, { refunded: { minor: 1999, currency: 'USD' }, status: 'refunded' });
    await adapter.upsertPayments([full]);
    await adapter.upsertPayments([full]);
    deals = mock.dealsWithPaymentKey(payment(1).externalId);
    assert.equal(deals.length, 1);
    assert.deepEqual([deals[0]!.value, deals[0]!.status, deals[0]!.lost_reason], [0, 'lost', 'Refunded']);
    assert.equal(mock.callsTo('POST', '/api/v2/deals').length, 1);
  });

  it('a deal is won (or a failed one lost) when the payment happened, not when it reached Pipedrive: a backfill keeps its dates', async () => {
    const { mock, adapter } = setup();
    await adapter.upsertCustomers([customer(1), customer(2)]);
    const sale = payment(1, { occurredAt: '2025-11-03T14:05:09.250Z' });
    const failed = payment(2, { occurredAt: '2025-11-04T08:00:00+01:00', status: 'failed' });
    await adapter.upsertPayments([sale, failed]);
    const [won] = mock.dealsWithPaymentKey(sale.externalId);
    const [lost] = mock.dealsWithPaymentKey(failed.externalId);
    assert.deepEqual([won!.status, won!.won_time, won!.close_time], ['won', '2025-11-03T14:05:09Z', '2025-11-03T14:05:09Z']);
    assert.deepEqual([lost!.status, lost!.lost_time, lost!.close_time], ['lost', '2025-11-04T07:00:00Z', '2025-11-04T07:00:00Z']);

    // Refunded in full months later, written today (a backfill): lost as of the refund, no won time left.
    clock = Date.parse('2026-03-02T12:00:00Z');
    await adapter.upsertPayments([{ ...sale, refunded: sale.amount, status: 'refunded', refundedAt: '2025-12-24T09:30:00.000Z' }]);
    const [refunded] = mock.dealsWithPaymentKey(sale.externalId);
    assert.deepEqual([refunded!.status, refunded!.won_time, refunded!.lost_time, refunded!.close_time], ['lost', null, '2025-12-24T09:30:00Z', '2025-12-24T09:30:00Z']);
  });

  it('the contract mock holds lost_time to what Pipedrive documents: only on a lost deal, RFC 3339', async () => {
    const { settings } = setup();
    const http = pipedriveAxiosTransport(settings, now);
    const post = (body: Record<string, unknown>) => http.request({ method: 'POST', url: '/api/v2/deals', body: { title: 'A deal', ...body } });
    const refused = async (body: Record<string, unknown>) => {
      const res = await post(body);
      return [res.status, (res.body as { error?: string }).error];
    };
    assert.deepEqual(await refused({ status: 'won', lost_time: '2025-12-24T09:30:00Z' }), [400, 'Lost time can only be set if deal status is lost.']);
    assert.deepEqual(await refused({ lost_time: '2025-12-24T09:30:00Z' }), [400, 'Lost time can only be set if deal status is lost.']);
    assert.deepEqual(await refused({ status: 'lost', lost_time: '2025-12-24 09:30:00' }), [400, 'Validation failed: lost_time: must be a valid RFC 3339 date-time']);
    const lost = await post({ status: 'lost', lost_time: '2025-12-24T09:30:00Z' });
    assert.equal(lost.status, 201);
    assert.deepEqual([(lost.body as { data: { lost_time: string; close_time: string } }).data.lost_time, (lost.body as { data: { close_time: string } }).data.close_time], ['2025-12-24T09:30:00Z', '2025-12-24T09:30:00Z']);
  });

  it('a refunded deal whose refund time the ledger cannot say (refunds recorded before it kept them) is lost as of the write', async () => {
    const { mock, adapter } = setup();
    await adapter.upsertCustomers([customer(1)]);
    const sale = payment(1, { occurredAt: '2025-11-03T14:05:09Z' });
    clock = Date.parse('2026-03-02T12:00:00Z');
    const [r] = await adapter.upsertPayments([{ ...sale, refunded: sale.amount, status: 'refunded' }]);
    assert.equal(r!.status, 'synced');
    const [refunded] = mock.dealsWithPaymentKey(sale.externalId);
    assert.deepEqual([refunded!.status, refunded!.lost_time, refunded!.close_time], ['lost', '2026-03-02T12:00:00Z', '2026-03-02T12:00:00Z']);
    const body = mock.callsTo('POST', '/api/v2/deals').at(-1)!.body as Record<string, unknown>;
    assert.ok(!('lost_time' in body) && !('close_time' in body), 'no time sent: Pipedrive stamps its own');
  });

  it('finds a deal by a payment key longer than exact search allows (30 characters) and writes it once', async () => {
    const { mock, settings } = setup();
    const adapter1 = createPipedriveAdapter({ http: pipedriveAxiosTransport(settings, now), settings, now });
    await adapter1.upsertCustomers([customer(1)]);
    const long = payment(1);
    assert.ok(long.externalId.length > 30);
    await adapter1.upsertPayments([long]);
    clock += 60_000;
    const adapter2 = createPipedriveAdapter({ http: pipedriveAxiosTransport(settings, now), settings, now });
    const [r] = await adapter2.upsertPayments([long]);
    assert.equal(r!.status, 'synced');
    assert.equal(mock.dealsWithPaymentKey(long.externalId).length, 1);
    const search = mock.callsTo('GET', '/api/v2/deals/search').at(-1)!;
    assert.equal(search.query.exact_match, 'false');
  });

  it('one payment Pipedrive refuses is rejected with Pipedrive\'s own message; the others are written', async () => {
    const { mock, adapter } = setup();
    await adapter.upsertCustomers([customer(1), customer(2), customer(3)]);
    const results = await adapter.upsertPayments([
      payment(1),
      payment(2, { amount: { minor: 1000, currency: 'CHF' }, refunded: { minor: 0, currency: 'CHF' } }),
      payment(3),
    ]);
    assert.equal(results[0]!.status, 'synced');
    assert.deepEqual(results[1], { externalId: payment(2).externalId, status: 'rejected', reason: 'Currency CHF is not enabled for this company.' });
    assert.equal(results[2]!.status, 'synced');
    assert.equal(mock.dealsWithPaymentKey(payment(2).externalId).length, 0);
    assert.equal(mock.dealsWithPaymentKey(payment(3).externalId).length, 1);
  });

  it('a deal the API user cannot see is that payment\'s refusal (403 with Pipedrive\'s reason), not a credential to fix', async () => {
    const { mock, adapter } = setup();
    await adapter.upsertCustomers([customer(1), customer(2), customer(3)]);
    await adapter.upsertPayments([payment(1), payment(2), payment(3)]);
    mock.hideDeal(mock.dealsWithPaymentKey(payment(2).externalId)[0]!.id);
    const refunded = { refunded: { minor: 1999, currency: 'USD' }, status: 'refunded' as const };
    const results = await adapter.upsertPayments([payment(1, refunded), payment(2, refunded), payment(3, refunded)]);
    assert.deepEqual(results.map((r) => r.status), ['synced', 'rejected', 'synced']);
    assert.equal(results[1]!.status === 'rejected' && results[1]!.reason, 'You do not have permission to access this deal.');
    assert.equal(mock.dealsWithPaymentKey(payment(3).externalId)[0]!.status, 'lost');
  });

  it('the plan\'s open-deals cap stops the sync as a setup problem, with Pipedrive\'s reason, and writes nothing', async () => {
    const { mock, adapter } = setup({ openDealsLimit: 0 });
    await adapter.upsertCustomers([customer(1)]);
    await assert.rejects(adapter.upsertPayments([payment(1, { status: 'pending' })]), (e: unknown) => e instanceof CrmConfigError && /Open deals limit reached.*feature_capping_deals_limit/.test(e.message));
    assert.equal(mock.dealsWithPaymentKey(payment(1).externalId).length, 0);
  });

  it('a payment whose customer is not in Pipedrive yet waits (retry), and nothing is written', async () => {
    const { mock, adapter } = setup();
    const [r] = await adapter.upsertPayments([payment(9)]);
    assert.equal(r!.status, 'retry');
    assert.ok((r as { error: unknown }).error instanceof CrmTransientError);
    assert.equal(mock.deals.size, 0);
  });
});

describe('Pipedrive adapter: limits, auth and failures', () => {
  it('a 429 on the first record fails the call with the burst window to wait', async () => {
    const { adapter } = setup({ burst: { requestsPerWindow: 1 } });
    await assert.rejects(adapter.upsertCustomers([customer(1)]), (e: unknown) => {
      assert.ok(e instanceof CrmRateLimitError);
      assert.equal(e.policy, 'wait');
      assert.equal(e.retryAfterMs, 2000);
      assert.equal(e.limitName, 'burst (2-second window)');
      return true;
    });
  });

  it('a 429 later in a batch keeps what went through and hands the rest back as retry', async () => {
    const { mock, adapter } = setup({ burst: { requestsPerWindow: 3 } });
    const results = await adapter.upsertCustomers([customer(1), customer(2), customer(3)]);
    assert.deepEqual(results.map((r) => r.status), ['synced', 'retry', 'retry']);
    assert.ok((results[1] as { error: unknown }).error instanceof CrmRateLimitError);
    assert.equal(mock.persons.size, 1);
    assert.equal(mock.calls.filter((c) => c.status === 429).length, 1, 'no request after the 429');
  });

  it('the search endpoints have their own, smaller window', async () => {
    // A new customer with an email costs two searches (by the pack id, then by email).
    const { mock, adapter } = setup({ burst: { requestsPerWindow: 100, searchPerWindow: 4 } });
    const results = await adapter.upsertCustomers([customer(1), customer(2), customer(3)]);
    assert.deepEqual(results.map((r) => r.status), ['synced', 'synced', 'retry']);
    assert.equal(mock.calls.at(-1)!.path, '/api/v2/persons/search');
    clock += 2001;
    assert.equal((await adapter.upsertCustomers([customer(3)]))[0]!.status, 'synced', 'the window rolled on');
  });

  it('an exhausted daily token budget means stop, not retry', async () => {
    const { adapter } = setup({ dailyTokenBudget: 10 });
    await assert.rejects(adapter.upsertCustomers([customer(1)]), (e: unknown) => e instanceof CrmRateLimitError && e.policy === 'stop' && e.limitName === 'daily token budget' && e.retryAfterMs > 0);
  });

  it('the daily budget without its headers is still a stop: by an error that names it (until midnight UTC), or by a Retry-After no burst asks for (until then)', async () => {
    const untilMidnight = Date.parse('2026-03-02T00:00:00Z') - clock;
    const named = setup({ dailyTokenBudget: 10, dailyBudgetReply: { tokenHeaders: false, error: 'daily request budget exceeded', retryAfterS: 3 } });
    await assert.rejects(named.adapter.upsertCustomers([customer(1)]), (e: unknown) => {
      assert.ok(e instanceof CrmRateLimitError, String(e));
      assert.deepEqual([e.policy, e.limitName, e.retryAfterMs], ['stop', 'daily token budget', untilMidnight]);
      assert.match(e.message, /daily request budget exceeded.*until it resets at midnight/);
      return true;
    });
    nock.cleanAll();
    const bare = setup({ dailyTokenBudget: 10, dailyBudgetReply: { tokenHeaders: false, error: 'Too Many Requests', retryAfterS: 3939 } });
    await assert.rejects(bare.adapter.upsertCustomers([customer(1)]), (e: unknown) => {
      assert.ok(e instanceof CrmRateLimitError, String(e));
      assert.deepEqual([e.policy, e.limitName, e.retryAfterMs], ['stop', 'daily token budget', 3_939_000]);
      return true;
    });
  });

  it('OAuth: one token for many calls, the company api_domain as base, one refresh after a 401', async () => {
    const oauth = { clientId: 'cid', clientSecret: 'csecret', refreshToken: 'rt-1' };
    const mock = new PipedriveMock({ baseUrl: 'https://acme.pipedrive.com', oauth, customerIdField: CUSTOMER_FIELD, paymentKeyField: PAYMENT_FIELD, now }).start();
    const s = parsePipedriveSettings({ oauth, customerIdField: CUSTOMER_FIELD, paymentKeyField: PAYMENT_FIELD });
    assert.equal(s.baseUrl, 'https://api.pipedrive.com');
    const adapter = createPipedriveAdapter({ http: pipedriveAxiosTransport(s, now), settings: s, now });
    await adapter.upsertCustomers([customer(1), customer(2), customer(3)]);
    assert.equal(mock.tokenRequests, 1);
    assert.equal(mock.persons.size, 3, 'calls went to the api_domain the token answer named');

    mock.expireAccessTokens();
    const [r] = await adapter.upsertCustomers([customer(4)]);
    assert.equal(r!.status, 'synced');
    assert.equal(mock.tokenRequests, 2);
    assert.equal(mock.calls.filter((c) => c.status === 401).length, 1);
    assert.match(mock.calls.at(-1)!.headers.authorization!, /^Bearer v1u:pd-at-2$/);
  });

  it('a refresh token Pipedrive refuses is an error naming the credential', async () => {
    const mock = new PipedriveMock({ oauth: { clientId: 'cid', clientSecret: 'csecret', refreshToken: 'rt-1' }, customerIdField: CUSTOMER_FIELD, paymentKeyField: PAYMENT_FIELD, now }).start();
    const s = parsePipedriveSettings({ oauth: { clientId: 'cid', clientSecret: 'csecret', refreshToken: 'revoked' }, customerIdField: CUSTOMER_FIELD, paymentKeyField: PAYMENT_FIELD });
    const adapter = createPipedriveAdapter({ http: pipedriveAxiosTransport(s, now), settings: s, now });
    await assert.rejects(adapter.upsertCustomers([customer(1)]), /Invalid refresh token.*refresh token/);
    assert.equal(mock.persons.size, 0);
  });

  it('a wrong API token is an auth error after one try (nothing to refresh)', async () => {
    new PipedriveMock({ apiToken: 'the-real-one', customerIdField: CUSTOMER_FIELD, paymentKeyField: PAYMENT_FIELD, now }).start();
    const s = parsePipedriveSettings({ apiToken: 'wrong', customerIdField: CUSTOMER_FIELD, paymentKeyField: PAYMENT_FIELD });
    const adapter = createPipedriveAdapter({ http: pipedriveAxiosTransport(s, now), settings: s, now });
    await assert.rejects(adapter.upsertCustomers([customer(1)]), (e: unknown) => e instanceof CrmAuthError && /unauthorized access/.test(e.message));
  });

  it('5xx and an answer that never comes in time are transient', async () => {
    const down = setup({ faults: { rate5xx: 1, seed: 3 } });
    await assert.rejects(down.adapter.upsertCustomers([customer(1)]), (e: unknown) => e instanceof CrmTransientError && /503/.test(e.message));
    nock.cleanAll();
    const slow = setup({ faults: { rateDelay: 1, delayMs: 300, seed: 3 } }, { timeoutMs: 50 });
    await assert.rejects(slow.adapter.upsertCustomers([customer(1)]), (e: unknown) => e instanceof CrmTransientError && /no answer/.test(e.message));
  });

  it('a create whose answer was lost is not sent again while search cannot see what it wrote: one person, one deal', async () => {
    // Pipedrive wrote the record; the answer never reached us. Its search shows a new record 5 s later.
    let lose = 0;
    const losing = (http: HttpTransport): HttpTransport => ({
      ...http,
      async request(req) {
        const res = await http.request(req);
        if (req.method === 'POST' && lose > 0) {
          lose -= 1;
          throw new HttpNetworkError(`${req.method} ${req.url}: socket hang up`);
        }
        return res;
      },
    });
    const { mock, adapter } = setup({ searchLagMs: 5_000 }, {}, undefined, losing);
    lose = 1;
    await assert.rejects(adapter.upsertCustomers([customer(1)]), CrmTransientError);
    clock += 2_000;
    await assert.rejects(adapter.upsertCustomers([customer(1)]), (e: unknown) => e instanceof CrmTransientError && /may be written already/.test(e.message) && (e.retryAfterMs ?? 0) > 0);
    clock += 4_000;
    const [person] = await adapter.upsertCustomers([customer(1)]);
    assert.equal(person!.status, 'synced');
    assert.equal(mock.personsWithCustomerId(customer(1).externalId).length, 1);

    lose = 1;
    await assert.rejects(adapter.upsertPayments([payment(1)]), CrmTransientError);
    clock += 2_000;
    await assert.rejects(adapter.upsertPayments([payment(1)]), /may be written already/);
    clock += 4_000;
    const [deal] = await adapter.upsertPayments([payment(1)]);
    assert.equal(deal!.status, 'synced');
    assert.equal(mock.dealsWithPaymentKey(payment(1).externalId).length, 1);
  });

  it('under seeded faults (429, 5xx, lost answers) retries converge on exactly one person per customer', { timeout: 20_000 }, async () => {
    const { mock, adapter } = setup({ faults: { rate429: 0.15, rate5xx: 0.15, rateDelay: 0.1, delayMs: 120, seed: 42 } }, { timeoutMs: 40 });
    const pending = new Set([1, 2, 3, 4].map((n) => customer(n)));
    for (let round = 0; round < 40 && pending.size; round++) {
      for (const c of [...pending]) {
        try {
          const [r] = await adapter.upsertCustomers([c]);
          if (r!.status === 'synced') pending.delete(c);
        } catch (e) {
          assert.ok(e instanceof CrmRateLimitError || e instanceof CrmTransientError, String(e));
        }
      }
    }
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(pending.size, 0);
    for (const n of [1, 2, 3, 4]) assert.equal(mock.personsWithCustomerId(customer(n).externalId).length, 1);
    assert.ok(mock.faultsInjected.some((f) => f.kind === 'delay'), 'some answers were lost after the write');
  });
});

describe('Pipedrive adapter: fields and changed customers', () => {
  it('writes mapped pack fields to person custom fields; an unmapped field is a config error before any request', async () => {
    const { mock, adapter } = setup({}, { fieldMap: { loyalty_tier: TIER_FIELD } });
    const [c] = await adapter.upsertCustomers([customer(1)]);
    const [r] = await adapter.updateFields([{ customerExternalId: customer(1).externalId, fields: { loyalty_tier: 'gold' } }]);
    assert.deepEqual(r, { externalId: customer(1).externalId, status: 'synced', crmId: (c as { crmId: string }).crmId });
    assert.equal(mock.personsWithCustomerId(customer(1).externalId)[0]!.custom_fields[TIER_FIELD], 'gold');

    const before = mock.calls.length;
    await assert.rejects(adapter.updateFields([{ customerExternalId: customer(1).externalId, fields: { loyalty_points: 10 } }]), (e: unknown) => e instanceof CrmConfigError && /loyalty_points: map each .*Person Field Keys \(JSON\) in n8n.*fieldMap in the CRM account.s Settings in Node-RED.*PIPEDRIVE_FIELD_MAP for the worker/.test(e.message));
    assert.equal(mock.calls.length, before);
  });

  it('a person whose change shows after a listing has read past its update_time is read by the next listing; nothing new is one request', async () => {
    const { mock, adapter } = setup();
    const start = clock;
    mock.seedPerson({ name: 'A Person', email: 'a@example.com', customerId: 'cus_a', at: start });
    mock.seedPerson({ name: 'B Person', email: 'b@example.com', customerId: 'cus_b', at: start + 30_000 });
    clock = start + 32_000;
    const first = await adapter.changedCustomers(null, 10);
    assert.deepEqual([first.customers.map((c) => c.externalId), first.more], [['cus_a', 'cus_b'], false]);
    // Updated 10 s after A, listed only now.
    mock.seedPerson({ name: 'Late Person', email: 'late@example.com', customerId: 'cus_late', at: start + 10_000 });
    clock = start + 60_000;
    const second = await adapter.changedCustomers(first.next, 10);
    assert.ok(second.customers.some((c) => c.externalId === 'cus_late'), 'the late person is read');
    const requests = mock.callsTo('GET', '/api/v2/persons').length;
    const third = await adapter.changedCustomers(second.next, 10);
    assert.deepEqual([third.customers.map((c) => c.externalId), third.more], [['cus_a', 'cus_late', 'cus_b'], false]);
    assert.equal(mock.callsTo('GET', '/api/v2/persons').length, requests + 1);
  });

  it('the name a nameless person was created under (its email, or the pack id) is not read back as a name', async () => {
    const { adapter } = setup();
    const anon: CrmCustomer = { externalId: 'cus_walkin0000000000000002', profile: { phone: '+81312345678' } };
    const mailed: CrmCustomer = { externalId: 'cus_mailonly00000000000002', profile: { email: 'Mail.Only+pos@example.com' } };
    const named: CrmCustomer = { externalId: 'cus_named000000000000000002', profile: { givenName: 'Card', familyName: 'Holder' } };
    await adapter.upsertCustomers([anon, mailed, named]);
    clock += 10_000;
    const page = await adapter.changedCustomers(null, 10);
    const profileOf = (id: string) => page.customers.find((c) => c.externalId === id)?.profile;
    assert.deepEqual(profileOf(anon.externalId), { phone: '+81312345678' });
    assert.deepEqual(profileOf(mailed.externalId), { email: 'Mail.Only+pos@example.com' });
    assert.deepEqual(profileOf(named.externalId), { name: 'Card Holder', givenName: 'Card', familyName: 'Holder' }, 'a real name is read');
  });

  it('changedCustomers pages through persons changed since the cursor, oldest first, then resumes from the newest', async () => {
    const { mock, adapter } = setup();
    for (let i = 1; i <= 5; i++) mock.seedPerson({ name: `P${i} Person`, email: `p${i}@example.com`, customerId: `cus_${i}`, at: clock + i * 1000 });
    clock += 10_000;
    const pages: string[][] = [];
    let cursor: string | null = null;
    for (;;) {
      const page: PipedriveChangedCustomers = await adapter.changedCustomers(cursor, 2);
      pages.push(page.customers.map((c) => c.externalId!));
      cursor = page.next;
      if (!page.more) break;
    }
    assert.deepEqual(pages, [['cus_1', 'cus_2'], ['cus_3', 'cus_4'], ['cus_5']]);
    const list = mock.callsTo('GET', '/api/v2/persons').filter((c) => c.path === '/api/v2/persons');
    assert.deepEqual([list[0]!.query.sort_by, list[0]!.query.sort_direction, list[0]!.query.limit], ['update_time', 'asc', '2']);
    assert.ok(list[1]!.query.cursor, 'the second page follows next_cursor');

    clock += 5_000;
    const p2 = mock.personsWithCustomerId('cus_2')[0]!;
    await adapter.upsertCustomers([{ externalId: 'cus_2', crmId: String(p2.id), profile: { givenName: 'Pia', familyName: 'Two' } }]);
    const later = await adapter.changedCustomers(cursor, 10);
    // The first listing kept its cursor 2 minutes (UPDATE_TIME_LAG_MS) before Pipedrive answered: all five come
    // again, cus_2 last with its change.
    assert.deepEqual(later.customers.map((c) => c.externalId), ['cus_1', 'cus_3', 'cus_4', 'cus_5', 'cus_2']);
    assert.equal(later.customers.at(-1)!.profile.name, 'Pia Two');
    assert.equal(later.more, false);
    assert.match(mock.calls.at(-1)!.query.updated_since!, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/, 'whole seconds, as Pipedrive demands');

    // Past the lag: one more listing reads that window, then the cursor is after the newest change's second.
    clock += 3 * 60_000;
    const again = await adapter.changedCustomers(later.next, 10);
    assert.deepEqual(again.customers.map((c) => c.externalId), ['cus_1', 'cus_3', 'cus_4', 'cus_5', 'cus_2']);
    const quiet = await adapter.changedCustomers(again.next, 10);
    assert.deepEqual([quiet.customers.length, quiet.more], [0, false]);
  });
});

describe('Pipedrive settings', () => {
  it('names the wrong setting and how to fix it', () => {
    assert.throws(() => parsePipedriveSettings({ apiToken: 't', customerIdField: 'cus_id', paymentKeyField: PAYMENT_FIELD }), (e: unknown) => {
      assert.ok(e instanceof InputError);
      assert.equal(e.field, 'pipedrive.customerIdField');
      // The fix fits every face; the field the faces name (the variable, the editor's label) says where it is set.
      assert.match(e.message, /40 hex characters.*give its 40-character API key from Company settings → Data fields$/);
      return true;
    });
    assert.throws(() => parsePipedriveSettings({ customerIdField: CUSTOMER_FIELD, paymentKeyField: PAYMENT_FIELD }), (e: unknown) => e instanceof InputError && e.field === 'pipedrive.apiToken' && /paste the API token from Pipedrive/.test(e.message));
    assert.throws(() => parsePipedriveSettings({ apiToken: 't', customerIdField: CUSTOMER_FIELD }), (e: unknown) => e instanceof InputError && e.field === 'pipedrive.paymentKeyField');
    assert.throws(() => parsePipedriveSettings({ apiToken: 't', customerIdField: CUSTOMER_FIELD, paymentKeyField: PAYMENT_FIELD, baseUrl: 'not a url' }), (e: unknown) => e instanceof InputError && e.field === 'pipedrive.baseUrl');
  });

  it('reads the environment', () => {
    const s = pipedriveSettingsFromEnv({
      PIPEDRIVE_API_TOKEN: ' tok ',
      PIPEDRIVE_BASE_URL: 'https://acme.pipedrive.com',
      PIPEDRIVE_CUSTOMER_ID_FIELD: CUSTOMER_FIELD,
      PIPEDRIVE_PAYMENT_KEY_FIELD: PAYMENT_FIELD,
      PIPEDRIVE_FIELD_MAP: JSON.stringify({ loyalty_tier: TIER_FIELD }),
    });
    assert.deepEqual([s.apiToken, s.baseUrl, s.customerIdField, s.fieldMap.loyalty_tier, s.requestsPerWindow], ['tok', 'https://acme.pipedrive.com', CUSTOMER_FIELD, TIER_FIELD, 10]);
    const o = pipedriveSettingsFromEnv({ PIPEDRIVE_CLIENT_ID: 'c', PIPEDRIVE_CLIENT_SECRET: 's', PIPEDRIVE_REFRESH_TOKEN: 'r', PIPEDRIVE_CUSTOMER_ID_FIELD: CUSTOMER_FIELD, PIPEDRIVE_PAYMENT_KEY_FIELD: PAYMENT_FIELD });
    assert.deepEqual(o.oauth, { clientId: 'c', clientSecret: 's', refreshToken: 'r', tokenUrl: 'https://oauth.pipedrive.com/oauth/token' });
    assert.throws(() => pipedriveSettingsFromEnv({ PIPEDRIVE_CLIENT_ID: 'c', PIPEDRIVE_CUSTOMER_ID_FIELD: CUSTOMER_FIELD, PIPEDRIVE_PAYMENT_KEY_FIELD: PAYMENT_FIELD }), (e: unknown) => e instanceof InputError && e.field === 'PIPEDRIVE_CLIENT_SECRET' && /is not set/.test(e.message));
    assert.throws(() => pipedriveSettingsFromEnv({ PIPEDRIVE_API_TOKEN: 't', PIPEDRIVE_CUSTOMER_ID_FIELD: 'short', PIPEDRIVE_PAYMENT_KEY_FIELD: PAYMENT_FIELD }), (e: unknown) => e instanceof InputError && e.field === 'PIPEDRIVE_CUSTOMER_ID_FIELD' && !/is not set/.test(e.message) && /Data fields/.test(e.fix));
    assert.throws(() => pipedriveSettingsFromEnv({ PIPEDRIVE_API_TOKEN: 't', PIPEDRIVE_CUSTOMER_ID_FIELD: CUSTOMER_FIELD, PIPEDRIVE_PAYMENT_KEY_FIELD: PAYMENT_FIELD, PIPEDRIVE_FIELD_MAP: '{oops' }), (e: unknown) => e instanceof InputError && e.field === 'PIPEDRIVE_FIELD_MAP');
  });
});

describe('Pipedrive adapter: answers of a shape Pipedrive does not document', () => {
  const isUnreadable = (request: RegExp, what: RegExp) => (e: unknown) => e instanceof CrmTransientError && request.test(e.message) && what.test(e.message) && /proxy in between/.test(e.message);
  /** The customer is written first, through the real answers; then `when`'s answers are reshaped. */
  async function written(when: (req: HttpRequest) => boolean, f: (b: Record<string, unknown>) => unknown) {
    let on = false;
    const pd = setup({ searchLagMs: 0 }, {}, undefined, (http) => reshaped(http, (req) => on && when(req), (res) => ({ body: f(res.body as Record<string, unknown>) })));
    await pd.adapter.upsertCustomers([customer(1)]);
    on = true;
    return pd;
  }

  it('a search answered 200 with HTML, items that are not a list, or a hit whose custom fields are not a list fails naming the search, and creates nothing', async () => {
    const cases: [string, (b: Record<string, unknown>) => unknown, RegExp][] = [
      ['html', () => PROXY_HTML, /body that is not a JSON object: <html>/],
      ['items', (b) => ({ ...b, data: { items: {} } }), /data\.items list that is not a list/],
      ['custom_fields', (b) => ({ ...b, data: { items: [{ result_score: 1, item: { id: 1, type: 'person', custom_fields: 'x' } }] } }), /hit's custom_fields that is not a list/],
    ];
    for (const [name, f, what] of cases) {
      const { mock, settings } = await written(() => false, f);
      const fresh = createPipedriveAdapter({ http: reshaped(pipedriveAxiosTransport(settings, now), to('GET', '/api/v2/persons/search'), (res) => ({ body: f(res.body as Record<string, unknown>) })), settings, now });
      await assert.rejects(fresh.upsertCustomers([customer(1)]), isUnreadable(/answered 200 to GET \/api\/v2\/persons\/search /, what), name);
      assert.equal(mock.persons.size, 1, `${name}: no second person`);
      nock.cleanAll();
    }
  });

  it('a null hit is no hit, not a TypeError', async () => {
    const { settings } = await written(() => false, (b) => b);
    const fresh = createPipedriveAdapter({ http: reshaped(pipedriveAxiosTransport(settings, now), to('GET', '/api/v2/deals/search'), (res) => ({ body: { ...(res.body as object), data: { items: [null] } } })), settings, now });
    const [r] = await fresh.upsertPayments([payment(1)]);
    assert.equal(r!.status, 'synced');
  });

  it('a person created with an answer that names no id is retried, not synced as person "undefined"', async () => {
    const pd = setup({ searchLagMs: 0 }, {}, undefined, (http) => reshaped(http, to('POST', '/api/v2/persons'), () => ({ body: PROXY_HTML })));
    await assert.rejects(pd.adapter.upsertCustomers([customer(1)]), isUnreadable(/answered 201 to POST \/api\/v2\/persons /, /without the id of the record written/));
  });

  it('a person read before an update whose emails are not a list, or which is HTML, fails naming the read: their emails are never replaced by ours alone', async () => {
    for (const f of [(b: Record<string, unknown>) => ({ ...b, data: { ...(b.data as object), emails: 'ana1@example.com' } }), () => PROXY_HTML]) {
      const { mock, adapter } = await written(to('GET', /\/api\/v2\/persons\/\d+$/), f);
      await assert.rejects(adapter.upsertCustomers([customer(1, { email: 'other@example.com' })]), isUnreadable(/answered 200 to GET \/api\/v2\/persons\/\d+ /, /emails that is not a list|not a JSON object/));
      assert.deepEqual([...mock.persons.values()][0]!.emails.map((e) => e.value), ['ana1@example.com']);
      nock.cleanAll();
    }
  });

  it('the changed-persons listing answered with data that is not a list, a null person, or emails that are not a list fails naming the listing', async () => {
    const cases: [string, (b: Record<string, unknown>) => unknown, RegExp][] = [
      ['html', () => PROXY_HTML, /body that is not a JSON object/],
      ['data', (b) => ({ ...b, data: 'none' }), /data list that is not a list/],
      ['null', (b) => ({ ...b, data: [null] }), /entry of a data list that is not an object/],
      ['emails', (b) => ({ ...b, data: (b.data as Record<string, unknown>[]).map((p) => ({ ...p, emails: 'x' })) }), /person's emails that is not a list/],
      ['no id', (b) => ({ ...b, data: (b.data as Record<string, unknown>[]).map((p) => ({ ...p, id: null })) }), /person without an id/],
    ];
    for (const [name, f, what] of cases) {
      const { adapter } = await written(to('GET', '/api/v2/persons'), f);
      await assert.rejects(adapter.changedCustomers(null, 10), isUnreadable(/answered 200 to GET \/api\/v2\/persons /, what), name);
      nock.cleanAll();
    }
  });
});
