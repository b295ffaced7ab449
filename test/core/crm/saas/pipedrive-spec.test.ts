import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { createPipedriveAdapter, parsePipedriveSettings, pipedriveAxiosTransport } from '../../../../nodes/core/crm/saas/pipedrive';
import { nock, PipedriveMock } from './mocks/pipedrive-mock';

/**
 * Witnesses of the requests Pipedrive's API v2 takes, as its SDK types them (pipedrive/client-nodejs
 * src/versions/v2: persons-api.ts searchPersons / getPersons, deals-api.ts searchDeals, models AddPersonRequest with
 * AddPersonRequestEmailsInner / PhonesInner, AddDealRequest): query parameters by name and value, bodies whole.
 */
const CUSTOMER_FIELD = '9dc80c50d78a15643bfc4ca79d76156a73a1a4d8';
const PAYMENT_FIELD = '5b1c7e3f8a2d4c6b9e0f1a2b3c4d5e6f7a8b9c0d';
const TOKEN = 'pd-api-token-123';
const T0 = Date.parse('2026-03-01T10:00:00Z');

function setup() {
  const now = () => T0;
  const mock = new PipedriveMock({ apiToken: TOKEN, customerIdField: CUSTOMER_FIELD, paymentKeyField: PAYMENT_FIELD, now }).start();
  const settings = parsePipedriveSettings({ apiToken: TOKEN, customerIdField: CUSTOMER_FIELD, paymentKeyField: PAYMENT_FIELD });
  const adapter = createPipedriveAdapter({ http: pipedriveAxiosTransport(settings, now), settings, now });
  return { mock, adapter };
}

beforeEach(() => nock.disableNetConnect());
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

describe('Pipedrive adapter: requests as Pipedrive’s API v2 takes them', () => {
  it('a new customer: persons/search by the custom field (exact, fields from its enum), then POST /api/v2/persons with name, emails[], phones[], custom_fields', { timeout: 10_000 }, async () => {
    const { mock, adapter } = setup();
    const [r] = await adapter.upsertCustomers([{ externalId: 'cus_NffrFeUfNV2Hib', profile: { givenName: 'Ana', familyName: 'Lopez', email: 'ana@example.com', phone: '+34612345670' } }]);
    assert.equal(r!.status, 'synced', JSON.stringify(r));

    const searches = mock.callsTo('GET', '/api/v2/persons/search');
    assert.deepEqual(searches.map((c) => c.query), [
      { term: 'cus_NffrFeUfNV2Hib', fields: 'custom_fields', exact_match: 'true', limit: '100' },
      { term: 'ana@example.com', fields: 'email', exact_match: 'true', limit: '100' },
    ]);
    assert.ok(searches.every((c) => c.status === 200));
    const [create] = mock.callsTo('POST', '/api/v2/persons');
    assert.equal(create!.status, 201);
    assert.equal(create!.headers['x-api-token'], TOKEN);
    assert.deepEqual(create!.body, {
      name: 'Ana Lopez',
      emails: [{ value: 'ana@example.com', primary: true, label: 'work' }],
      phones: [{ value: '+34612345670', primary: true, label: 'mobile' }],
      custom_fields: { [CUSTOMER_FIELD]: 'cus_NffrFeUfNV2Hib' },
    });
  });

  it('a payment: deals/search by the payment key, then POST /api/v2/deals with title, value (a number), currency, status, person_id, won and close times (RFC 3339), custom_fields', { timeout: 10_000 }, async () => {
    const { mock, adapter } = setup();
    const [person] = await adapter.upsertCustomers([{ externalId: 'cus_NffrFeUfNV2Hib', profile: { givenName: 'Ana', familyName: 'Lopez' } }]);
    const personId = person!.status === 'synced' ? person!.crmId : '';
    const [r] = await adapter.upsertPayments([{
      externalId: 'stripe:pi_3MtwBwLkdIwHu7ix28a3tqPa', customerExternalId: 'cus_NffrFeUfNV2Hib', customerCrmId: personId, source: 'stripe',
      paymentId: 'pi_3MtwBwLkdIwHu7ix28a3tqPa', amount: { minor: 1999, currency: 'USD' }, refunded: { minor: 0, currency: 'USD' }, status: 'succeeded',
      occurredAt: '2026-03-01T09:59:00Z',
    }]);
    assert.equal(r!.status, 'synced', JSON.stringify(r));

    const [search] = mock.callsTo('GET', '/api/v2/deals/search');
    assert.deepEqual(search!.query, { term: 'stripe:pi_3MtwBwLkdIwHu7ix28a3tqPa', fields: 'custom_fields', exact_match: 'false', limit: '100' });
    const [create] = mock.callsTo('POST', '/api/v2/deals');
    assert.equal(create!.status, 201);
    const body = create!.body as Record<string, unknown>;
    assert.deepEqual({ ...body, title: typeof body.title }, {
      title: 'string',
      value: 19.99,
      currency: 'USD',
      status: 'won',
      person_id: Number(personId),
      won_time: '2026-03-01T09:59:00Z',
      close_time: '2026-03-01T09:59:00Z',
      custom_fields: { [PAYMENT_FIELD]: 'stripe:pi_3MtwBwLkdIwHu7ix28a3tqPa' },
    });
  });

  it('changed persons: GET /api/v2/persons with updated_since (RFC 3339), sort_by update_time asc, limit ≤ 500 and the custom field asked for', { timeout: 10_000 }, async () => {
    const { mock, adapter } = setup();
    await adapter.upsertCustomers([{ externalId: 'cus_NffrFeUfNV2Hib', profile: { givenName: 'Ana', familyName: 'Lopez' } }]);
    const first = await adapter.changedCustomers(null, 1000);
    assert.equal(first.customers.length, 1);
    const [list] = mock.callsTo('GET', '/api/v2/persons').filter((c) => c.path === '/api/v2/persons');
    assert.equal(list!.status, 200);
    assert.deepEqual(list!.query, { sort_by: 'update_time', sort_direction: 'asc', limit: '500', custom_fields: CUSTOMER_FIELD });
  });

  it('the contract mock refuses the search and list parameters the SDK does not allow', { timeout: 10_000 }, async () => {
    const { mock } = setup();
    const settings = parsePipedriveSettings({ apiToken: TOKEN, customerIdField: CUSTOMER_FIELD, paymentKeyField: PAYMENT_FIELD });
    const http = pipedriveAxiosTransport(settings, () => T0);
    const refused = [
      { url: '/api/v2/persons/search', qs: { term: 'cus_1', fields: 'custom_field' } },
      { url: '/api/v2/deals/search', qs: { term: 'stripe:pi_1', fields: 'email' } },
      { url: '/api/v2/persons/search', qs: { term: 'cus_1', limit: 501 } },
      { url: '/api/v2/persons', qs: { sort_by: 'updated' } },
      { url: '/api/v2/persons', qs: { custom_fields: Array.from({ length: 16 }, (_, i) => `${String(i).padStart(2, '0')}${'a'.repeat(38)}`).join(',') } },
    ];
    for (const r of refused) {
      const res = await http.request({ method: 'GET', ...r });
      assert.equal(res.status, 400, `${r.url} ${JSON.stringify(r.qs)}`);
      assert.equal((res.body as { success?: boolean; code?: string }).success, false);
      assert.equal((res.body as { code?: string }).code, 'ERR_SCHEMA_VALIDATION_FAILED');
    }
    assert.equal(mock.calls.length, refused.length);
  });
});
