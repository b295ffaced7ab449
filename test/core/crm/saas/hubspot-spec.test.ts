import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hubspotAxiosTransport } from '../../../../nodes/core/crm/saas/hubspot';
import { customer, hubspot, payment, T0, useNock } from './hubspot-kit';

useNock();

/**
 * Witnesses of the requests HubSpot's OpenAPI specs require (HubSpot/HubSpot-public-api-spec-collection,
 * PublicApiSpecs/CRM/Contacts/…/v3/contacts.json, Deals/…/v3/deals.json, Associations/…/v4/associations.json): each
 * body is asserted whole, field for field, and the contract mock refuses a body missing what the spec's `required`
 * lists name (requestSchemaError in mocks/hubspot-mock.ts).
 */
describe('HubSpot adapter: requests as HubSpot’s spec requires them', () => {
  it('contacts batch upsert: inputs of id, idProperty, properties (text) and objectWriteTraceId (SimplePublicObjectBatchInputUpsert)', { timeout: 10_000 }, async () => {
    const { mock, adapter } = await hubspot();
    const [r] = await adapter.upsertCustomers([customer(1)]);
    assert.equal(r!.status, 'synced');
    const [call] = mock.callsTo('/crm/v3/objects/contacts/batch/upsert');
    assert.equal(call!.method, 'POST');
    assert.deepEqual(call!.body, {
      inputs: [{
        id: 'cus_1',
        idProperty: 'terminal_crm_id',
        properties: { firstname: 'Ana', lastname: 'Diaz1', email: 'ana1@example.com', phone: '+14155550100', city: 'Oakland', terminal_crm_id: 'cus_1' },
        objectWriteTraceId: 'cus_1',
      }],
    });
  });

  it('contacts read by the id property for an association: inputs, properties and propertiesWithHistory (BatchReadInputSimplePublicObjectId)', { timeout: 10_000 }, async () => {
    const { mock, adapter } = await hubspot();
    await adapter.upsertCustomers([customer(1)]);
    const [result] = await adapter.upsertPayments([payment(1, 1)]);

    assert.equal(result!.status, 'synced', JSON.stringify(result));
    const [read] = mock.callsTo('/crm/v3/objects/contacts/batch/read');
    assert.equal(read!.status, 200);
    assert.deepEqual(read!.body, { idProperty: 'terminal_crm_id', properties: ['terminal_crm_id'], propertiesWithHistory: [], inputs: [{ id: 'cus_1' }] });
    const [associate] = mock.callsTo('/crm/v4/associations/deals/contacts/batch/associate/default');
    const deal = mock.recordBy('deals', 'terminal_crm_payment_key', 'stripe:pi_1')[0]!;
    const contact = mock.recordBy('contacts', 'terminal_crm_id', 'cus_1')[0]!;
    assert.deepEqual(associate!.body, { inputs: [{ from: { id: deal.id }, to: { id: contact.id } }] });
  });

  it('deals batch create: inputs of properties and associations, each type a category of the enum and an integer id (SimplePublicObjectInputForCreate)', { timeout: 10_000 }, async () => {
    const { mock, adapter } = await hubspot();
    const [c] = await adapter.upsertCustomers([customer(1)]);
    const contactId = c!.status === 'synced' ? c!.crmId : '';
    const [r] = await adapter.upsertPayments([payment(1, 1, { customerCrmId: contactId })]);
    assert.equal(r!.status, 'synced');
    const [create] = mock.callsTo('/crm/v3/objects/deals/batch/create');
    assert.equal(create!.status, 201);
    const input = (create!.body as { inputs: Record<string, unknown>[] }).inputs[0]!;
    assert.deepEqual(input.associations, [{ to: { id: contactId }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 3 }] }]);
    assert.ok(Object.values(input.properties as Record<string, unknown>).every((v) => typeof v === 'string'), 'property values are text');
  });

  it('contact search: after, filterGroups, limit, properties and sorts, "0" naming the first result (PublicObjectSearchRequest)', { timeout: 10_000 }, async () => {
    const { mock, adapter } = await hubspot();
    mock.seed('contacts', { terminal_crm_id: 'cus_1', email: 'c1@example.com', firstname: 'C1' }, T0 - 5_000);
    const page = await adapter.changedCustomers(null, 50);
    assert.equal(page.customers.length, 1);
    const [search] = mock.callsTo('/crm/v3/objects/contacts/search');
    assert.equal(search!.status, 200);
    const body = search!.body as { properties: string[] };
    assert.ok(body.properties.includes('terminal_crm_id') && body.properties.includes('lastmodifieddate') && body.properties.every((p) => typeof p === 'string'));
    assert.deepEqual(search!.body, {
      filterGroups: [{ filters: [{ propertyName: 'lastmodifieddate', operator: 'GTE', value: '0' }] }],
      sorts: [{ propertyName: 'lastmodifieddate', direction: 'ASCENDING' }],
      properties: body.properties,
      limit: 50,
      after: '0',
    });
  });

  it('needs no paging token, which HubSpot’s spec types as opaque (example "NTI1Cg%3D%3D"): every search asks for its first result, "0"', { timeout: 10_000 }, async () => {
    const { mock, adapter } = await hubspot({ mock: { searchPaging: 'opaque' } });
    // A bulk import: every contact changed in the same millisecond, read by id; paging.next only says more wait.
    for (let i = 0; i < 150; i++) mock.seed('contacts', { terminal_crm_id: `cus_${i}`, email: `c${i}@example.com` }, T0 - 5_000);
    const seen = new Set<string>();
    let cursor: string | null = null;
    for (let i = 0; i < 10; i++) {
      const page = await adapter.changedCustomers(cursor, 100);
      for (const c of page.customers) seen.add(c.externalId!);
      if (!page.more || !page.next) break;
      cursor = page.next;
    }
    assert.equal(seen.size, 150);
    const afters = mock.callsTo('/contacts/search').map((c) => (c.body as { after: string }).after);
    assert.deepEqual([...new Set(afters)], ['0']);
    assert.ok(mock.calls.every((c) => c.status === 200));
  });

  it('the contract mock refuses what the spec requires and a body leaves out', { timeout: 10_000 }, async () => {
    const { mock, settings } = await hubspot();
    const http = hubspotAxiosTransport(settings);
    const post = async (url: string, body: unknown) => {
      const res = await http.request({ method: 'POST', url, body });
      return { status: res.status, body: res.body as { category?: string; message?: string } };
    };
    const cases: [string, unknown][] = [
      ['/crm/v3/objects/contacts/batch/read', { idProperty: 'terminal_crm_id', properties: ['terminal_crm_id'], inputs: [{ id: 'cus_1' }] }],
      ['/crm/v3/objects/contacts/search', { filterGroups: [], sorts: [], properties: [], limit: 10 }],
      // Search the CRM: "Only one sorting rule can be applied to any search"; at most 6 filters in a group; no
      // paging beyond 10,000 results.
      ['/crm/v3/objects/contacts/search', { filterGroups: [], sorts: [{ propertyName: 'lastmodifieddate', direction: 'ASCENDING' }, { propertyName: 'hs_object_id', direction: 'ASCENDING' }], properties: [], limit: 10, after: '0' }],
      ['/crm/v3/objects/contacts/search', { filterGroups: [{ filters: Array.from({ length: 7 }, () => ({ propertyName: 'hs_object_id', operator: 'GT', value: '0' })) }], sorts: [], properties: [], limit: 10, after: '0' }],
      ['/crm/v3/objects/contacts/search', { filterGroups: [], sorts: [], properties: [], limit: 100, after: '9950' }],
      ['/crm/v3/objects/contacts/batch/upsert', { inputs: [{ idProperty: 'terminal_crm_id', properties: { city: 'Oakland' } }] }],
      ['/crm/v3/objects/deals/batch/create', { inputs: [{ properties: { dealname: 'x' } }] }],
      ['/crm/v3/objects/deals/batch/create', { inputs: [{ properties: { dealname: 'x' }, associations: [{ to: { id: '1' }, types: [{ associationCategory: 'HUBSPOT', associationTypeId: '3' }] }] }] }],
      ['/crm/v4/associations/deals/contacts/batch/associate/default', { inputs: [{ from: { id: '1' } }] }],
    ];
    for (const [path, body] of cases) {
      const res = await post(path, body);
      assert.equal(res.status, 400, `${path} ${JSON.stringify(body)}`);
      assert.equal(res.body.category, 'VALIDATION_ERROR');
    }
    assert.equal(mock.calls.length, cases.length);
  });
});
