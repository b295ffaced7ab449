import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CrmConfigError, CrmRateLimitError, CrmTransientError } from '../../../../nodes/core/crm/saas/crm-errors';
import { customer, hubspot, payment, sentInputs, useNock } from './hubspot-kit';
import { PROXY_HTML, reshaped, to } from './reshaped-transport';

useNock();

describe('HubSpot adapter: contacts', () => {
  it('upserts a batch by the customer-id property: each contact exists once, with the mapped properties', async () => {
    const { mock, adapter } = await hubspot();
    const results = await adapter.upsertCustomers([customer(1), customer(2, { street: '1 Main St', postalCode: '94607', country: 'US' }), customer(3)]);

    assert.deepEqual(results.map((r) => r.status), ['synced', 'synced', 'synced']);
    assert.equal(mock.records('contacts').length, 3);
    for (const [i, r] of results.entries()) {
      const [c, ...more] = mock.recordBy('contacts', 'terminal_crm_id', `cus_${i + 1}`);
      assert.equal(more.length, 0);
      assert.equal(r.status === 'synced' && r.crmId, c!.id);
      assert.equal(c!.properties.email, `ana${i + 1}@example.com`);
      assert.equal(c!.properties.firstname, 'Ana');
      assert.equal(c!.properties.lastname, `Diaz${i + 1}`);
    }
    const two = mock.recordBy('contacts', 'terminal_crm_id', 'cus_2')[0]!.properties;
    assert.deepEqual([two.address, two.zip, two.country, two.city], ['1 Main St', '94607', 'US', 'Oakland']);
    const [sent] = sentInputs(mock, '/contacts/batch/upsert');
    assert.deepEqual(sent!.map((x) => [x.id, x.idProperty, x.objectWriteTraceId]), [['cus_1', 'terminal_crm_id', 'cus_1'], ['cus_2', 'terminal_crm_id', 'cus_2'], ['cus_3', 'terminal_crm_id', 'cus_3']]);
  });

  it('changes nothing when the same batch is sent again (a retry after a lost answer)', async () => {
    const { mock, adapter, clock } = await hubspot();
    const batch = [customer(1), customer(2)];
    const first = await adapter.upsertCustomers(batch);
    const before = JSON.stringify(mock.records('contacts'));
    clock.advance(60_000);
    const second = await adapter.upsertCustomers(batch);

    assert.deepEqual(second, first);
    assert.equal(mock.records('contacts').length, 2);
    assert.equal(JSON.stringify(mock.records('contacts')), before, 'same values, and lastmodifieddate untouched');
  });

  it('never sends HubSpot more than 100 inputs: 250 customers go in three calls', async () => {
    const { mock, adapter } = await hubspot();
    const batch = Array.from({ length: 250 }, (_, i) => customer(i + 1));
    const results = await adapter.upsertCustomers(batch);

    assert.equal(adapter.limits.batchSize, 100);
    assert.deepEqual(sentInputs(mock, '/contacts/batch/upsert').map((x) => x.length), [100, 100, 50]);
    assert.equal(results.filter((r) => r.status === 'synced').length, 250);
    assert.equal(mock.records('contacts').length, 250);
  });

  it('the mock answers an over-cap batch as HubSpot does, so the cap above is the vendor’s', async () => {
    const { mock } = await hubspot();
    const { default: axios } = await import('axios');
    const res = await axios.post(`${mock.baseUrl}/crm/v3/objects/contacts/batch/upsert`, { inputs: Array.from({ length: 101 }, (_, i) => ({ id: `cus_${i}`, idProperty: 'terminal_crm_id', properties: {} })) }, { headers: { authorization: 'Bearer pat-na1-11111111-2222-3333-4444-555555555555' }, validateStatus: () => true });
    assert.equal(res.status, 400);
    assert.equal(res.data.category, 'VALIDATION_ERROR');
    assert.match(res.data.message, /maximum number of inputs supported in a batch is 100/);
    assert.equal(mock.records('contacts').length, 0);
  });

  it('maps HubSpot’s 207 per record: a bad email is rejected with HubSpot’s reason, a taken email is ambiguous, the rest synced', async () => {
    const { mock, adapter } = await hubspot();
    const [existing] = await adapter.upsertCustomers([customer(9, { email: 'taken@example.com' })]);
    const results = await adapter.upsertCustomers([customer(1), customer(2, { email: 'not-an-email' }), customer(3, { email: 'taken@example.com' }), customer(4)]);

    assert.equal(mock.callsTo('/contacts/batch/upsert').at(-1)!.status, 207);
    assert.deepEqual(results.map((r) => r.status), ['synced', 'rejected', 'ambiguous', 'synced']);
    const rejected = results[1]!;
    assert.ok(rejected.status === 'rejected');
    assert.equal(rejected.reason, 'Email address not-an-email is invalid');
    assert.equal(rejected.field, 'email');
    const ambiguous = results[2]!;
    assert.ok(ambiguous.status === 'ambiguous' && existing!.status === 'synced');
    assert.deepEqual(ambiguous.candidates, [existing.crmId]);
    assert.match(ambiguous.reason, /Contact already exists/);
    assert.equal(mock.recordBy('contacts', 'terminal_crm_id', 'cus_2').length, 0);
    assert.equal(mock.recordBy('contacts', 'terminal_crm_id', 'cus_3').length, 0);
    assert.equal(mock.records('contacts').length, 3);
  });

  it('by email (the fallback key), where HubSpot refuses the whole batch, isolates the bad record by halving', async () => {
    const { mock, adapter } = await hubspot({ settings: { contactIdProperty: 'email' } });
    const batch = [customer(1), customer(2), customer(3, { email: 'nope' }), customer(4), customer(5, { email: undefined })];
    const results = await adapter.upsertCustomers(batch);

    assert.deepEqual(results.map((r) => r.status), ['synced', 'synced', 'rejected', 'synced', 'rejected']);
    assert.match((results[2] as { reason: string }).reason, /Email address nope is invalid/);
    assert.match((results[4] as { reason: string }).reason, /has no email/);
    assert.equal(mock.callsTo('/contacts/batch/upsert')[0]!.status, 400);
    assert.deepEqual(mock.records('contacts').map((c) => c.properties.email).sort(), ['ana1@example.com', 'ana2@example.com', 'ana4@example.com']);
    assert.ok(sentInputs(mock, '/contacts/batch/upsert').every((inputs) => inputs.every((x) => x.idProperty === 'email')));
  });

  it('by email, two customers of one batch with the same email both reach their one contact: no request names it twice, so neither is refused for the batch it was put in', async () => {
    const { mock, adapter } = await hubspot({ settings: { contactIdProperty: 'email' } });
    const results = await adapter.upsertCustomers([customer(1), customer(2, { email: 'Ana1@Example.com' }), customer(3)]);

    assert.deepEqual(results.map((r) => r.status), ['synced', 'synced', 'synced'], JSON.stringify(results));
    assert.equal(mock.records('contacts').length, 2);
    const one = mock.records('contacts').find((c) => c.properties.email === 'ana1@example.com')!;
    assert.deepEqual(results.map((r) => (r.status === 'synced' ? r.crmId : r.status)).slice(0, 2), [one.id, one.id]);
    // The later state is written last: it is the one HubSpot keeps.
    assert.equal(one.properties.lastname, 'Diaz2');
    assert.ok(mock.callsTo('/contacts/batch/upsert').every((c) => c.status < 300), 'HubSpot refuses a batch naming one id twice');
    for (const inputs of sentInputs(mock, '/contacts/batch/upsert')) assert.equal(new Set(inputs.map((x) => String(x.id).toLowerCase())).size, inputs.length);
  });

  it('a mapped property HubSpot does not have stops the drain with the property and the fix', async () => {
    const { mock, adapter } = await hubspot({ mock: { properties: { contacts: ['email', 'firstname', 'lastname', 'phone', 'terminal_crm_id'] } } });
    await assert.rejects(adapter.upsertCustomers([customer(1)]), (e) => e instanceof CrmConfigError && /"city" does not exist/.test(e.message) && /HUBSPOT_CONTACT_FIELDS/.test(e.message));
    assert.equal(mock.records('contacts').length, 0);
  });

  it('a customer-id property that is not unique in HubSpot is a setup error naming the setting', async () => {
    const { adapter } = await hubspot({ mock: { uniqueProperties: { contacts: [] } } });
    await assert.rejects(adapter.upsertCustomers([customer(1)]), (e) => e instanceof CrmConfigError && /non-unique/.test(e.message) && /HUBSPOT_CONTACT_ID_PROPERTY/.test(e.message));
  });

  it('sends one input per customer when the outbox hands the same customer twice (HubSpot refuses duplicate ids)', async () => {
    const { mock, adapter } = await hubspot();
    const results = await adapter.upsertCustomers([customer(1, { city: 'Old' }), customer(1, { city: 'New' })]);
    assert.equal(results.length, 2);
    assert.ok(results.every((r) => r.status === 'synced'));
    assert.equal(sentInputs(mock, '/contacts/batch/upsert')[0]!.length, 1);
    assert.equal(mock.recordBy('contacts', 'terminal_crm_id', 'cus_1')[0]!.properties.city, 'New');
  });
});

describe('HubSpot adapter: field updates', () => {
  it('writes segment and loyalty fields as contact properties, mapped, and never creates a contact', async () => {
    const { mock, adapter } = await hubspot({ settings: { fieldMap: { highValue: 'terminal_crm_high_value' } } });
    await adapter.upsertCustomers([customer(1)]);
    const results = await adapter.updateFields([
      { customerExternalId: 'cus_1', fields: { terminal_crm_segment: 'Champions', highValue: true, loyalty_points: 120, loyalty_tier: null } },
      { customerExternalId: 'cus_404', fields: { terminal_crm_segment: 'New' } },
      { customerExternalId: 'cus_1b', fields: { 'Loyalty Tier': 'Gold' } },
    ]);

    assert.deepEqual(results.map((r) => r.status), ['synced', 'retry', 'rejected']);
    const props = mock.recordBy('contacts', 'terminal_crm_id', 'cus_1')[0]!.properties;
    assert.deepEqual([props.terminal_crm_segment, props.terminal_crm_high_value, props.loyalty_points, props.loyalty_tier], ['Champions', 'true', '120', '']);
    assert.equal(mock.records('contacts').length, 1, 'an update for an unknown customer created nothing');
    assert.match((results[2] as { reason: string }).reason, /"Loyalty Tier".*HUBSPOT_FIELD_MAP/);
    assert.equal(mock.callsTo('/contacts/batch/update').length, 1);
  });
});

describe('HubSpot adapter: limits and failures', () => {
  it('declares HubSpot’s private-app limits, and 1,000 payments a call (one association request for them)', async () => {
    const { adapter } = await hubspot();
    assert.deepEqual(adapter.limits, { batchSize: 100, recordsPerCall: { payment: 1000 }, requestsPerWindow: 190, windowMs: 10_000 });
  });

  it('a TEN_SECONDLY_ROLLING 429 is a rate-limit error to wait on (about a second, or Retry-After)', async () => {
    // Three per window: the account's details (read before the first batch) take one, the two upserts the others.
    const { mock, adapter, clock } = await hubspot({ mock: { burst: { max: 3, intervalMs: 10_000 } } });
    await adapter.upsertCustomers([customer(1)]);
    await adapter.upsertCustomers([customer(2)]);
    const err = await adapter.upsertCustomers([customer(3)]).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof CrmRateLimitError, String(err));
    assert.equal(err.policy, 'wait');
    assert.equal(err.limitName, 'TEN_SECONDLY_ROLLING');
    assert.equal(err.retryAfterMs, 1_000);
    clock.advance(10_000);
    assert.equal((await adapter.upsertCustomers([customer(3)]))[0]!.status, 'synced', 'the window rolled on');
    mock.stop();

    const withHeader = await hubspot({ mock: { burst: { max: 0, intervalMs: 10_000 }, retryAfterSeconds: 3 } });
    await assert.rejects(withHeader.adapter.upsertCustomers([customer(1)]), (e) => e instanceof CrmRateLimitError && e.retryAfterMs === 3_000);
  });

  it('a DAILY 429 stops the drain until midnight in the account’s time zone', async () => {
    const { adapter } = await hubspot({ mock: { daily: 1 }, settings: { accountTimeZone: 'America/New_York' } });
    await adapter.upsertCustomers([customer(1)]);
    const err = await adapter.upsertCustomers([customer(2)]).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof CrmRateLimitError, String(err));
    assert.equal(err.policy, 'stop');
    assert.equal(err.limitName, 'DAILY');
    // 12:00 UTC on 1 March is 07:00 in New York (EST); midnight there is 05:00 UTC on 2 March.
    assert.equal(err.retryAfterMs, 17 * 3_600_000);
  });

  it('477 Migration in Progress is a wait for HubSpot\'s Retry-After, not a setup error', async () => {
    // Call 1 is the account's details, read before the first batch; call 2 the upsert.
    const { mock, adapter } = await hubspot({ mock: { faults: { at: { 2: '477' } } } });
    await assert.rejects(adapter.upsertCustomers([customer(1)]), (e) => e instanceof CrmTransientError && e.retryAfterMs === 7_200_000 && /data centre/.test(e.message));
    const [r] = await adapter.upsertCustomers([customer(1)]);
    assert.equal(r!.status, 'synced');
    assert.equal(mock.records('contacts').length, 1);
  });

  it('names each record from the id property HubSpot shows back when its results carry no trace id', async () => {
    const { mock, adapter } = await hubspot({ mock: { traceIdsInResults: false } });
    const written = await adapter.upsertCustomers([customer(1), customer(2), customer(3)]);
    assert.deepEqual(written.map((r) => r.status), ['synced', 'synced', 'synced']);
    for (const [i, r] of written.entries()) assert.equal(r.status === 'synced' && r.crmId, mock.recordBy('contacts', 'terminal_crm_id', `cus_${i + 1}`)[0]!.id);
    const updated = await adapter.updateFields([
      { customerExternalId: 'cus_2', fields: { loyalty_tier: 'Gold' } },
      { customerExternalId: 'cus_3', fields: { loyalty_tier: 'Silver' } },
    ]);
    assert.deepEqual(updated.map((r) => [r.status, r.status === 'synced' && r.crmId]), [
      ['synced', mock.recordBy('contacts', 'terminal_crm_id', 'cus_2')[0]!.id],
      ['synced', mock.recordBy('contacts', 'terminal_crm_id', 'cus_3')[0]!.id],
    ]);
    assert.equal(mock.recordBy('contacts', 'terminal_crm_id', 'cus_3')[0]!.properties.loyalty_tier, 'Silver');
  });

  it('a 5xx and an answer that never comes are transient errors', async () => {
    const failing = await hubspot({ mock: { faults: { serverError: 1 } } });
    await assert.rejects(failing.adapter.upsertCustomers([customer(1)]), (e) => e instanceof CrmTransientError && /502/.test(e.message));
    failing.mock.stop();

    const slow = await hubspot({ mock: { faults: { delay: 1, delayMs: 400 } }, settings: { timeoutMs: 100 } });
    await assert.rejects(slow.adapter.upsertCustomers([customer(1)]), (e) => e instanceof CrmTransientError && /no answer/.test(e.message));
    assert.equal(slow.mock.records('contacts').length, 1, 'HubSpot wrote it although the answer was lost');
    slow.mock.setFaults({});
    const retried = await slow.adapter.upsertCustomers([customer(1)]);
    assert.equal(retried[0]!.status, 'synced');
    assert.equal(slow.mock.records('contacts').length, 1, 'the retry found the same contact');
  });
});

describe('HubSpot adapter: answers of a shape HubSpot does not document', () => {
  const isUnreadable = (request: RegExp, what: RegExp) => (e: unknown) => e instanceof CrmTransientError && request.test(e.message) && what.test(e.message) && /proxy in between/.test(e.message);
  const body = (f: (b: Record<string, unknown>) => unknown) => (res: { body: unknown }) => ({ body: f(res.body as Record<string, unknown>) });

  it('a batch upsert answered 200 with results that are not a list fails the call naming the request, not a TypeError', async () => {
    const { adapter } = await hubspot({ wrap: (http) => reshaped(http, to('POST', '/contacts/batch/upsert'), body((b) => ({ ...b, results: {} }))) });
    await assert.rejects(adapter.upsertCustomers([customer(1), customer(2)]), isUnreadable(/answered 200 to POST \/crm\/v3\/objects\/contacts\/batch\/upsert/, /results list that is not a list/));
  });

  it('a null among a batch’s results names no record: that record is retried, the others are synced', async () => {
    const { mock, adapter } = await hubspot({ wrap: (http) => reshaped(http, to('POST', '/contacts/batch/upsert'), body((b) => ({ ...b, results: (b.results as Record<string, unknown>[]).map((r) => (r.objectWriteTraceId === 'cus_1' ? null : r)) }))) });
    const results = await adapter.upsertCustomers([customer(1), customer(2)]);
    assert.deepEqual(results.map((r) => r.status), ['retry', 'synced']);
    assert.equal(results[1]!.status === 'synced' && results[1]!.crmId, mock.recordBy('contacts', 'terminal_crm_id', 'cus_2')[0]!.id);
    assert.ok(results[0]!.status === 'retry' && results[0]!.error instanceof CrmTransientError);
  });

  it('an error body whose fields are of other types than HubSpot documents is read as far as it goes, not a TypeError', async () => {
    const odd = { status: 'error', category: 'VALIDATION_ERROR', message: 'Property values were not valid', errors: 'see message', context: { ids: 5, objectWriteTraceId: 'cus_1' } };
    const { adapter } = await hubspot({ wrap: (http) => reshaped(http, to('POST', '/contacts/batch/upsert'), () => ({ status: 400, body: odd })) });
    const [r] = await adapter.upsertCustomers([customer(1)]);
    assert.deepEqual(r, { externalId: 'cus_1', status: 'rejected', reason: 'Property values were not valid' });
  });

  it('a result whose id is HTML names no record HubSpot keeps: that record is retried, not synced under it', async () => {
    const { adapter } = await hubspot({ wrap: (http) => reshaped(http, to('POST', '/contacts/batch/upsert'), body((b) => ({ ...b, results: (b.results as Record<string, unknown>[]).map((r) => (r.objectWriteTraceId === 'cus_1' ? { ...r, id: PROXY_HTML } : r)) }))) });
    const results = await adapter.upsertCustomers([customer(1), customer(2)]);
    assert.deepEqual(results.map((r) => r.status), ['retry', 'synced']);
  });

  it('deals created with their contact: results that are not a list fail the call naming batch/create', async () => {
    const { adapter } = await hubspot({ wrap: (http) => reshaped(http, to('POST', '/deals/batch/create'), body((b) => ({ ...b, results: 0 }))) });
    const [c1] = await adapter.upsertCustomers([customer(1)]);
    await assert.rejects(
      adapter.upsertPayments([payment(1, 1, { customerCrmId: c1!.status === 'synced' ? c1!.crmId : 'x' })]),
      isUnreadable(/to POST \/crm\/v3\/objects\/deals\/batch\/create/, /results list that is not a list \(0\)/),
    );
  });

  it('the contacts read for an association answering results that are not a list: the written deals retry naming batch/read', async () => {
    const { mock, adapter } = await hubspot({ wrap: (http) => reshaped(http, to('POST', '/contacts/batch/read'), body((b) => ({ ...b, results: -1 }))) });
    await adapter.upsertCustomers([customer(1)]);
    const [r] = await adapter.upsertPayments([payment(1, 1)]);
    assert.ok(r!.status === 'retry' && r!.error instanceof CrmTransientError, JSON.stringify(r));
    assert.match(r!.error.message, /to POST \/crm\/v3\/objects\/contacts\/batch\/read .*results list/);
    assert.equal(mock.records('deals').length, 1, 'the deal is written; only its association waits');
  });

  it('an association answered 200 with results that are not a list: the payments retry naming the association request', async () => {
    const { adapter } = await hubspot({ wrap: (http) => reshaped(http, to('POST', '/batch/associate/default'), body((b) => ({ ...b, results: {} }))) });
    await adapter.upsertCustomers([customer(1)]);
    const [r] = await adapter.upsertPayments([payment(1, 1)]);
    assert.ok(r!.status === 'retry' && r!.error instanceof CrmTransientError, JSON.stringify(r));
    assert.match(r!.error.message, /to POST \/crm\/v4\/associations\/deals\/contacts\/batch\/associate\/default .*results list/);
  });

  it('a contact search answered with HTML, results that are not a list, a null contact or one without an id fails naming the search', async () => {
    const cases: [string, (b: Record<string, unknown>) => unknown, RegExp][] = [
      ['html', () => PROXY_HTML, /body that is not a JSON object: <html>/],
      ['empty', () => undefined, /with an empty body/],
      ['results', (b) => ({ ...b, results: 'none' }), /results list that is not a list/],
      ['null', (b) => ({ ...b, results: [null] }), /entry of a results list that is not an object/],
      ['no id', (b) => ({ ...b, results: (b.results as Record<string, unknown>[]).map((r) => ({ ...r, id: undefined })) }), /contact without an id/],
    ];
    for (const [name, f, what] of cases) {
      const { mock, adapter } = await hubspot({ wrap: (http) => reshaped(http, to('POST', '/contacts/search'), body(f)) });
      await adapter.upsertCustomers([customer(1)]);
      await assert.rejects(adapter.changedCustomers(null, 10), isUnreadable(/answered 200 to POST \/crm\/v3\/objects\/contacts\/search/, what), name);
      mock.stop();
    }
  });
});
