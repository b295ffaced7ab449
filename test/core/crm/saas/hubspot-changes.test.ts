import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CrmAdapter, CrmRemoteCustomer } from '../../../../nodes/core/crm/saas/crm-adapter';
import { CrmRateLimitError } from '../../../../nodes/core/crm/saas/crm-errors';
import { T0, hubspot, useNock } from './hubspot-kit';
import type { HubSpotMock } from './mocks/hubspot-mock';

useNock();

/** Drains changedCustomers as a sync loop would: until `more` is false, keeping the last cursor. */
async function drain(adapter: CrmAdapter, cursor: string | null, limit = 100) {
  const seen: CrmRemoteCustomer[] = [];
  let last = cursor;
  for (let i = 0; i < 500; i++) {
    const page = await adapter.changedCustomers(last, limit);
    seen.push(...page.customers);
    if (page.next) last = page.next;
    if (!page.more) break;
  }
  return { seen, cursor: last };
}

interface SearchBody {
  filterGroups: { filters: { propertyName: string; operator: string; value?: string }[] }[];
  sorts: { propertyName: string; direction: string }[];
  after: string;
}

const filtersOf = (b: SearchBody) => b.filterGroups.flatMap((g) => g.filters.map((f) => [f.propertyName, f.operator, f.value]));

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

  it('steps through many contacts changed in the same millisecond (a bulk import) by id, with one sorting rule', async () => {
    const { mock, adapter } = await hubspot();
    seedContacts(mock, 150, () => T0 - 5_000);
    const { seen } = await drain(adapter, null, 100);
    assert.equal(new Set(seen.map((c) => c.externalId)).size, 150);
    const ids = mock.records('contacts').map((r) => r.id);
    const asked = mock.callsTo('/contacts/search').map((c) => c.body as SearchBody);
    const ms = String(T0 - 5_000);
    // A whole page within one millisecond switches to reading that millisecond by id, then on by time from the next
    // millisecond. Every query starts at its first result.
    assert.deepEqual(asked.map(filtersOf), [
      [['lastmodifieddate', 'GTE', '0']],
      [['lastmodifieddate', 'GTE', ms], ['lastmodifieddate', 'LTE', ms], ['hs_object_id', 'GT', '0']],
      [['lastmodifieddate', 'GTE', ms], ['lastmodifieddate', 'LTE', ms], ['hs_object_id', 'GT', ids[99]]],
      [['lastmodifieddate', 'GTE', String(T0 - 4_999)]],
    ]);
    const byTime = [{ propertyName: 'lastmodifieddate', direction: 'ASCENDING' }];
    const byId = [{ propertyName: 'hs_object_id', direction: 'ASCENDING' }];
    assert.deepEqual(asked.map((b) => b.sorts), [byTime, byId, byId, byTime]);
    assert.ok(asked.every((b) => b.after === '0'));
  });

  for (const searchPaging of ['offset', 'opaque'] as const) {
    it(`reads every one of more than 10,000 contacts changed in one millisecond, and the later ones (paging: ${searchPaging})`, { timeout: 60_000 }, async () => {
      const { mock, adapter, clock } = await hubspot({ mock: { searchPaging } });
      const at = T0 - 50_000_000;
      seedContacts(mock, 10_250, () => at);
      for (let i = 0; i < 30; i++) mock.seed('contacts', { terminal_crm_id: `later_${i}`, email: `l${i}@example.com` }, at + 1 + i * 1_000);
      const started = clock.now();
      const { seen } = await drain(adapter, null, 100);
      const ids = new Set(seen.map((c) => c.crmId));
      assert.equal(ids.size, 10_280, 'every contact of that millisecond and every later one');
      const searches = mock.callsTo('/contacts/search');
      assert.ok(searches.every((c) => c.status === 200), 'no search was refused: not past 10,000 results, not over 5 a second, one sort');
      assert.ok(searches.every((c) => (c.body as SearchBody).after === '0'), 'no query pages, so none nears the cap');
      assert.ok(clock.now() - started >= (searches.length - 1) * 200, 'the search pacing holds');
      assert.ok(searches.length <= 10_280 / 100 + 6, `${searches.length} searches: each contact read about once`);
    });
  }

  it('a contact edited while its millisecond is read by id leaves it and is read at its new time', async () => {
    const { mock, adapter, clock } = await hubspot();
    seedContacts(mock, 250, () => T0 - 60_000);
    let cursor: string | null = null;
    const seen: CrmRemoteCustomer[] = [];
    // Time, then the whole millisecond by id: the third page is the first read by id.
    for (let i = 0; i < 3; i++) {
      const page = await adapter.changedCustomers(cursor, 100);
      seen.push(...page.customers);
      cursor = page.next;
    }
    assert.match(cursor!, /^hs2:\d+:\d+$/);
    // One contact already read and one not yet are edited now.
    for (const n of ['cus_5', 'cus_240']) {
      const r = mock.recordBy('contacts', 'terminal_crm_id', n)[0]!;
      clock.advance(1_000);
      r.properties.city = 'Berkeley';
      r.properties.lastmodifieddate = r.updatedAt = new Date(clock.now()).toISOString();
    }
    const rest = await drain(adapter, cursor, 100);
    const all = [...seen, ...rest.seen];
    assert.equal(new Set(all.map((c) => c.externalId)).size, 250);
    for (const n of ['cus_5', 'cus_240']) assert.equal(all.filter((c) => c.externalId === n).at(-1)!.profile.city, 'Berkeley', n);
  });

  it('a cursor kept by an earlier version (an offset within one millisecond) resumes by id from that millisecond\'s start', async () => {
    for (const [searchPaging, old] of [['offset', '100'], ['opaque', 'MTAwCg%3D%3D']] as const) {
      const { mock, adapter } = await hubspot({ mock: { searchPaging } });
      seedContacts(mock, 150, () => T0 - 5_000);
      mock.seed('contacts', { terminal_crm_id: 'later', email: 'later@example.com' }, T0 - 1_000);
      const { seen } = await drain(adapter, `hs1:${T0 - 5_000}:${old}`, 100);
      assert.equal(new Set(seen.map((c) => c.externalId)).size, 151, searchPaging);
      assert.deepEqual(filtersOf(mock.callsTo('/contacts/search')[0]!.body as SearchBody), [['lastmodifieddate', 'GTE', String(T0 - 5_000)], ['lastmodifieddate', 'LTE', String(T0 - 5_000)], ['hs_object_id', 'GT', '0']]);
      assert.ok(mock.calls.every((c) => c.status === 200));
      mock.stop();
    }
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
    assert.equal(cursor, `hs1:${T0 - 5 * 60_000}`, 'caught up, the cursor is kept 5 minutes before HubSpot answered');
    assert.equal(seen.length, 122, 'every contact changed within the search lag before that answer comes again (the one at the page boundary twice), plus the new one');
    // Later, past the lag, only what changed since the newest contact read comes.
    clock.advance(10 * 60_000);
    const settled = await drain(adapter, (await drain(adapter, cursor, 100)).cursor, 100);
    assert.deepEqual(settled.seen.map((c) => c.externalId), ['cus_new']);
  });
});
