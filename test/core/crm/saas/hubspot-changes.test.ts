import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CrmAdapter, CrmRemoteCustomer } from '../../../../nodes/core/crm/saas/crm-adapter';
import { CrmRateLimitError } from '../../../../nodes/core/crm/saas/crm-errors';
import { T0, hubspot, useNock } from './hubspot-kit';
import type { HubSpotMock } from './mocks/hubspot-mock';

useNock();

/** Drains changedCustomers as a sync loop would: until `next` is null, keeping the last cursor. */
async function drain(adapter: CrmAdapter, cursor: string | null, limit = 100) {
  const seen: CrmRemoteCustomer[] = [];
  let last = cursor;
  for (let i = 0; i < 500; i++) {
    const page = await adapter.changedCustomers(last, limit);
    seen.push(...page.customers);
    if (!page.next) break;
    last = page.next;
  }
  return { seen, cursor: last };
}

function seedContacts(mock: HubSpotMock, n: number, at: (i: number) => number) {
  for (let i = 0; i < n; i++) mock.seed('contacts', { terminal_crm_id: `cus_${i}`, email: `c${i}@example.com`, firstname: `C${i}`, city: 'Oakland' }, at(i));
}

describe('HubSpot adapter: changed customers', () => {
  it('pages through contacts changed since the cursor, oldest first, mapping them back to profiles', async () => {
    const { mock, adapter } = await hubspot();
    seedContacts(mock, 250, (i) => T0 - 1_000_000 + i * 1_000);
    const first = await adapter.changedCustomers(null, 100);
    assert.equal(first.customers.length, 100);
    assert.deepEqual(first.customers[0], { crmId: mock.records('contacts')[0]!.id, externalId: 'cus_0', profile: { givenName: 'C0', email: 'c0@example.com', city: 'Oakland' }, updatedAt: new Date(T0 - 1_000_000).toISOString() });
    assert.ok(first.next);

    const { seen } = await drain(adapter, first.next);
    const ids = new Set([...first.customers, ...seen].map((c) => c.externalId));
    assert.equal(ids.size, 250);
    const body = mock.callsTo('/contacts/search')[0]!.body as { filterGroups: { filters: { propertyName: string; operator: string }[] }[]; sorts: { propertyName: string; direction: string }[]; limit: number };
    assert.deepEqual(body.filterGroups[0]!.filters.map((f) => [f.propertyName, f.operator]), [['lastmodifieddate', 'GTE']]);
    assert.deepEqual(body.sorts, [{ propertyName: 'lastmodifieddate', direction: 'ASCENDING' }]);
    assert.equal(body.limit, 100);
  });

  it('does not lose a contact edited between two pages (the cursor is a time, not an offset)', async () => {
    const { mock, adapter, clock } = await hubspot();
    seedContacts(mock, 30, (i) => T0 - 100_000 + i * 1_000);
    const page1 = await adapter.changedCustomers(null, 10);
    // Someone edits an early contact: it moves to the end of the ordering, shifting everyone behind it.
    const edited = mock.recordBy('contacts', 'terminal_crm_id', 'cus_3')[0]!;
    clock.advance(1_000);
    edited.properties.city = 'Berkeley';
    edited.properties.lastmodifieddate = edited.updatedAt = new Date(clock.now()).toISOString();
    const { seen } = await drain(adapter, page1.next, 10);
    const all = [...page1.customers, ...seen];
    assert.equal(new Set(all.map((c) => c.externalId)).size, 30);
    assert.equal(all.filter((c) => c.externalId === 'cus_3').at(-1)!.profile.city, 'Berkeley');
  });

  it('steps through many contacts changed in the same millisecond (a bulk import)', async () => {
    const { mock, adapter } = await hubspot();
    seedContacts(mock, 150, () => T0 - 5_000);
    const { seen } = await drain(adapter, null, 100);
    assert.equal(new Set(seen.map((c) => c.externalId)).size, 150);
    const afters = mock.callsTo('/contacts/search').map((c) => (c.body as { after?: string }).after);
    // The first page moves the cursor to that millisecond; from there HubSpot's offset steps within it.
    assert.deepEqual(afters, ['0', '0', '100']);
  });

  it('reads past HubSpot’s 10,000-results-per-query cap by restarting at the last timestamp seen', { timeout: 20_000 }, async () => {
    const { mock, adapter } = await hubspot();
    seedContacts(mock, 10_050, (i) => T0 - 20_000_000 + i * 10);
    const { seen } = await drain(adapter, null, 100);
    assert.equal(new Set(seen.map((c) => c.externalId)).size, 10_050);
    assert.ok(mock.calls.every((c) => c.status === 200), 'no search was refused for paging past 10,000');
  });

  it('keeps the search API’s 5 requests per second by itself', async () => {
    const { mock, adapter, clock } = await hubspot();
    seedContacts(mock, 40, (i) => T0 - 100_000 + i * 1_000);
    const started = clock.now();
    await drain(adapter, null, 5);
    const searches = mock.callsTo('/contacts/search');
    assert.ok(searches.length >= 8);
    assert.ok(searches.every((c) => c.status === 200), 'no SECONDLY 429');
    assert.ok(clock.now() - started >= (searches.length - 1) * 200);
  });

  it('a search over the per-second limit is a rate-limit error to wait on, named SECONDLY', async () => {
    const { adapter } = await hubspot({ mock: { searchPerSecond: 0 } });
    await assert.rejects(adapter.changedCustomers(null, 10), (e) => e instanceof CrmRateLimitError && e.policy === 'wait' && e.limitName === 'SECONDLY' && e.retryAfterMs === 1_000);
  });

  it('resumes from a kept cursor: only contacts changed since then come back', async () => {
    const { mock, adapter, clock } = await hubspot();
    seedContacts(mock, 120, (i) => T0 - 200_000 + i * 1_000);
    const { cursor } = await drain(adapter, null, 100);
    clock.advance(10_000);
    mock.seed('contacts', { terminal_crm_id: 'cus_new', email: 'new@example.com' }, clock.now());
    const { seen } = await drain(adapter, cursor, 100);
    assert.ok(seen.some((c) => c.externalId === 'cus_new'));
    assert.equal(seen.length, 22, 'the last page (21 contacts from the kept cursor on) comes again, plus the new one');
  });
});
