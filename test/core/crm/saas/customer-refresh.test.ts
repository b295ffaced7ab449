import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { before, describe, it } from 'node:test';
import type { CrmAdapter } from '../../../../nodes/core/crm/saas/crm-adapter';
import { CrmTransientError } from '../../../../nodes/core/crm/saas/crm-errors';
import { customerCursorName, localIdForCrmRecord, refreshCustomersFromCrm } from '../../../../nodes/core/crm/saas/customer-refresh';
import { createSalesforceAdapter, parseSalesforceSettings, salesforceAxiosTransport } from '../../../../nodes/core/crm/saas/salesforce';
import { CursorStore } from '../../../../nodes/core/cursors/cursor-store';
import { normalizeStripeEvent } from '../../../../nodes/core/sources/stripe-terminal';
import { matchStep, tokenizeStep } from '../../../../nodes/core/steps/steps';
import type { SqlDatabase, SqlExecutor } from '../../../../nodes/core/store/sql-database';
import { chargeObject, stripeEvent } from '../../../../sandbox/simulator/stripe-terminal-events';
import { dialectStores } from '../../match/store-dialects';
import { testKeys } from '../../../support/temp-store';
import { hubspot, T0, useNock } from './hubspot-kit';
import { SalesforceMock, type Nock } from './mocks/salesforce-mock';
import type { HubSpotMock } from './mocks/hubspot-mock';
import { withTransaction } from '../../../support/crashing-store';

useNock();
let nock: Nock;
before(async () => {
  nock = (await import('nock')).default;
});

const count = async (db: SqlDatabase, sql: string, params: (string | number)[] = []) => Number((await db.get<{ n: number }>(sql, params))!.n);
const cursorOf = (db: SqlDatabase, crm: string) => new CursorStore(db).get(customerCursorName(crm));

/** Contacts as people typed them into HubSpot: most carry the pack's id, every fifth was entered by hand. */
function seedHubSpot(mock: HubSpotMock, n: number) {
  for (let i = 0; i < n; i++) {
    const own = i % 5 !== 4;
    mock.seed('contacts', { ...(own ? { terminal_crm_id: `cus_hs${i}` } : {}), email: `Person.${i}@Example.com`, firstname: `P${i}`, city: 'Oakland' }, T0 - 1_000_000 + i * 1_000);
  }
}

/** A tokenized card payment whose billing details carry these hints. */
function payment(hints: { email?: string; phone?: string; name?: string }) {
  return tokenizeStep(normalizeStripeEvent(stripeEvent('charge.succeeded', chargeObject({ amount: 1250, ...hints }))), testKeys());
}

/** A Salesforce mock on nock and an adapter reaching it through axios (JWT bearer), both on the test's clock. */
function salesforceOn(now: () => number) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const mock = new SalesforceMock({ publicKey, now }).install(nock);
  const settings = parseSalesforceSettings({
    auth: { flow: 'jwt_bearer', clientId: '3MVG9consumerKey', username: 'integration@acme.example', privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() },
  });
  return { mock, adapter: createSalesforceAdapter({ http: salesforceAxiosTransport(settings, { now }), settings }) };
}

/** Every request nock sees, matched by a mock or not. */
function requestLog(): { count: () => number; stop: () => void } {
  let n = 0;
  const seen = () => void n++;
  nock.emitter.on('no match', seen);
  return { count: () => n, stop: () => nock.emitter.removeListener('no match', seen) };
}

for (const store of dialectStores('tcrm-crm-refresh')) {
  describe(`customer refresh from a SaaS CRM (${store.dialect})`, () => {
    it('HubSpot: the first refresh pages every contact into the store, the second reads from the kept cursor on', { timeout: 30_000 }, async () => {
      const { db } = await store.open();
      const { mock, adapter, clock } = await hubspot();
      seedHubSpot(mock, 250);

      const first = await refreshCustomersFromCrm({ db, adapter, pageLimit: 100 });
      // Each page starts at the last change time seen (inclusive), so the contact at a page boundary comes twice.
      assert.deepEqual({ ...first, cursor: undefined }, { pages: 3, received: 252, created: 250, cursor: undefined, caughtUp: true });
      assert.equal(mock.callsTo('/contacts/search').length, 3);
      assert.equal(await count(db, 'SELECT COUNT(*) AS n FROM customers'), 250);
      // A contact carrying the pack's id is that customer; one typed in by hand gets a customer of its own, linked.
      const own = await db.get<{ given_name: string; email: string; city: string }>("SELECT given_name, email, city FROM customers WHERE id = 'cus_hs0'");
      assert.deepEqual({ ...own }, { given_name: 'P0', email: 'Person.0@Example.com', city: 'Oakland' });
      const typed = mock.recordBy('contacts', 'email', 'person.4@example.com')[0]!;
      const typedId = localIdForCrmRecord('hubspot', typed.id);
      assert.equal(await count(db, 'SELECT COUNT(*) AS n FROM customers WHERE id = ? AND given_name = ?', [typedId, 'P4']), 1);
      assert.deepEqual(
        { ...(await db.get('SELECT external_id, crm_id FROM crm_links WHERE crm = ? AND kind = ? AND crm_id = ?', ['hubspot', 'customer', typed.id])) },
        { external_id: typedId, crm_id: typed.id },
      );
      assert.equal(await count(db, "SELECT COUNT(*) AS n FROM crm_links WHERE crm = 'hubspot'"), 250);
      // The email is a match key as the matcher normalizes it.
      assert.equal(await count(db, "SELECT COUNT(*) AS n FROM customer_keys WHERE kind = 'email' AND value = 'person.0@example.com' AND customer_id = 'cus_hs0'"), 1);
      const kept = await cursorOf(db, 'hubspot');
      assert.equal(kept, first.cursor);
      assert.match(kept!, /^hs1:\d+$/);

      // Later: one contact gains a phone and has its city changed, one is new.
      const untouched = await db.get<{ updated_at: string }>("SELECT updated_at FROM customers WHERE id = 'cus_hs200'");
      clock.advance(60_000);
      const edited = mock.recordBy('contacts', 'terminal_crm_id', 'cus_hs3')[0]!;
      Object.assign(edited.properties, { phone: '(415) 555-0133', city: 'Berkeley', lastmodifieddate: new Date(clock.now()).toISOString() });
      mock.seed('contacts', { terminal_crm_id: 'cus_new', email: 'new@example.com', firstname: 'Nova' }, clock.now());
      const searchesBefore = mock.callsTo('/contacts/search').length;

      const second = await refreshCustomersFromCrm({ db, adapter, pageLimit: 100 });
      const searches = mock.callsTo('/contacts/search').slice(searchesBefore);
      const since = (searches[0]!.body as { filterGroups: { filters: { value: string }[] }[] }).filterGroups[0]!.filters[0]!.value;
      assert.equal(`hs1:${since}`, kept, 'the second refresh starts at the kept cursor, not at the beginning');
      // Caught up, the kept cursor is the newest change read (contact 249), which was older than HubSpot's search lag
      // when HubSpot answered: only that contact comes once more.
      assert.equal(second.received, 1 + 2);
      assert.equal(second.created, 1);
      assert.equal(second.caughtUp, true);
      const cus3 = await db.get<{ phone: string; city: string }>("SELECT phone, city FROM customers WHERE id = 'cus_hs3'");
      assert.deepEqual({ ...cus3 }, { phone: '(415) 555-0133', city: 'Oakland' }, 'what was missing is filled in; what the store knew is kept');
      assert.equal(await count(db, "SELECT COUNT(*) AS n FROM customer_keys WHERE kind = 'phone' AND value = '+14155550133' AND customer_id = 'cus_hs3'"), 1);
      assert.deepEqual(await db.get<{ updated_at: string }>("SELECT updated_at FROM customers WHERE id = 'cus_hs200'"), untouched, 'a contact read again unchanged is not rewritten');
      assert.equal(await count(db, 'SELECT COUNT(*) AS n FROM customers'), 251);
    });

    it('HubSpot: a refresh that dies between pages resumes after the last page it wrote', { timeout: 30_000 }, async () => {
      const { db } = await store.open();
      const { mock, adapter } = await hubspot();
      seedHubSpot(mock, 250);
      let calls = 0;
      const failing: Pick<CrmAdapter, 'name' | 'changedCustomers'> = {
        name: adapter.name,
        changedCustomers: (cursor, limit) => {
          // HubSpot answers the third search with a 502.
          if (++calls === 3) mock.setFaults({ serverError: 1 });
          return adapter.changedCustomers(cursor, limit);
        },
      };
      await assert.rejects(refreshCustomersFromCrm({ db, adapter: failing, pageLimit: 100 }), CrmTransientError);
      // Pages 1 and 2 (contacts 0–99 and 99–198) are in; page 3 never arrived.
      assert.equal(await count(db, 'SELECT COUNT(*) AS n FROM customers'), 199);
      const kept = await cursorOf(db, 'hubspot');
      const secondPage = mock.callsTo('/contacts/search')[1]!;
      assert.ok(kept && kept !== 'hs1:0', 'the cursor moved with the pages written');

      mock.setFaults({});
      const before = mock.callsTo('/contacts/search').length;
      const resumed = await refreshCustomersFromCrm({ db, adapter, pageLimit: 100 });
      const since = (mock.callsTo('/contacts/search')[before]!.body as { filterGroups: { filters: { value: string }[] }[] }).filterGroups[0]!.filters[0]!.value;
      assert.equal(`hs1:${since}`, kept, 'the rerun starts where the failed run stopped');
      assert.notDeepEqual(secondPage.body, mock.callsTo('/contacts/search')[before]!.body);
      assert.equal(resumed.pages, 1);
      assert.equal(await count(db, 'SELECT COUNT(*) AS n FROM customers'), 250);
      assert.equal(await count(db, "SELECT COUNT(*) AS n FROM crm_links WHERE crm = 'hubspot'"), 250, 'no contact was made into two customers');
    });

    it('stops after maxPages with changes still waiting, and the next run carries on', { timeout: 30_000 }, async () => {
      const { db } = await store.open();
      const { mock, adapter } = await hubspot();
      seedHubSpot(mock, 250);
      const first = await refreshCustomersFromCrm({ db, adapter, pageLimit: 100, maxPages: 2 });
      assert.deepEqual([first.pages, first.caughtUp], [2, false]);
      assert.equal(await cursorOf(db, 'hubspot'), first.cursor);
      const rest = await refreshCustomersFromCrm({ db, adapter, pageLimit: 100, maxPages: 2 });
      assert.deepEqual([rest.pages, rest.caughtUp], [1, true]);
      assert.equal(await count(db, 'SELECT COUNT(*) AS n FROM customers'), 250);
    });

    it('a page and its cursor are one transaction: a failure while writing keeps neither', { timeout: 30_000 }, async () => {
      const { db } = await store.open();
      const { mock, adapter } = await hubspot();
      seedHubSpot(mock, 150);
      let pages = 0;
      // The store fails while saving the second page's cursor, after that page's customers were written.
      const flaky = withTransaction(db, <T>(fn: (tx: SqlExecutor) => Promise<T>, options?: Parameters<SqlDatabase['transaction']>[1]) =>
          db.transaction((tx) => {
            const page = ++pages;
            const failing: SqlExecutor = {
              all: (sql, params) => tx.all(sql, params),
              get: (sql, params) => tx.get(sql, params),
              run: (sql, params) => (page === 2 && sql.includes('sync_cursors') ? Promise.reject(new Error('disk full')) : tx.run(sql, params)),
            };
            return fn(failing);
          }, options));
      await assert.rejects(refreshCustomersFromCrm({ db: flaky, adapter, pageLimit: 100 }), /disk full/);
      assert.equal(await count(db, 'SELECT COUNT(*) AS n FROM customers'), 100, 'only the first page is kept');
      assert.equal(await count(db, "SELECT COUNT(*) AS n FROM crm_links WHERE crm = 'hubspot'"), 100);
      const next = await refreshCustomersFromCrm({ db, adapter, pageLimit: 100 });
      assert.equal(next.received, 51, 'the second page again, from the first page\'s cursor');
      assert.equal(await count(db, 'SELECT COUNT(*) AS n FROM customers'), 150);
    });

    it('HubSpot: more than 10,000 contacts changed in one millisecond (a bulk import) and the later ones all reach the store, each once', { timeout: 90_000 }, async () => {
      const { db } = await store.open();
      const { mock, adapter } = await hubspot();
      const at = T0 - 50_000_000;
      for (let i = 0; i < 10_250; i++) mock.seed('contacts', { terminal_crm_id: `cus_bulk${i}`, email: `bulk.${i}@example.com`, firstname: `B${i}` }, at);
      for (let i = 0; i < 20; i++) mock.seed('contacts', { terminal_crm_id: `cus_after${i}`, email: `after.${i}@example.com` }, at + 60_000 + i * 1_000);

      // The scheduled runs, each up to its 50 pages, until one says it has caught up.
      const runs = [];
      do runs.push(await refreshCustomersFromCrm({ db, adapter, pageLimit: 100 }));
      while (!runs.at(-1)!.caughtUp && runs.length < 10);
      assert.equal(runs.at(-1)!.caughtUp, true);
      assert.ok(mock.calls.every((c) => c.status === 200), 'HubSpot refused no search');
      assert.equal(await count(db, 'SELECT COUNT(*) AS n FROM customers'), 10_270);
      assert.equal(await count(db, "SELECT COUNT(*) AS n FROM customers WHERE id LIKE 'cus_bulk%'"), 10_250);
      assert.equal(await count(db, "SELECT COUNT(*) AS n FROM customers WHERE id LIKE 'cus_after%'"), 20);
      assert.equal(await count(db, "SELECT COUNT(DISTINCT crm_id) AS n FROM crm_links WHERE crm = 'hubspot'"), 10_270);
      assert.equal(await count(db, "SELECT COUNT(*) AS n FROM crm_links WHERE crm = 'hubspot'"), 10_270, 'no contact was made into two customers');
      assert.equal(runs.reduce((n, r) => n + r.created, 0), 10_270);
      assert.match((await cursorOf(db, 'hubspot'))!, /^hs1:\d+$/);
    });

    it('HubSpot: a contact the search index shows only after a refresh has read past its time reaches the store on the next refresh; a refresh with nothing new ends in one search', { timeout: 30_000 }, async () => {
      const { db } = await store.open();
      const { mock, adapter, clock } = await hubspot();
      mock.seed('contacts', { terminal_crm_id: 'cus_a', email: 'a@example.com', firstname: 'A' }, T0 - 60_000);
      mock.seed('contacts', { terminal_crm_id: 'cus_b', email: 'b@example.com', firstname: 'B' }, T0 - 30_000);
      mock.seed('contacts', { terminal_crm_id: 'cus_c', email: 'c@example.com', firstname: 'C' }, T0);
      clock.advance(2_000);
      // Two pages: the second starts at B's time.
      const first = await refreshCustomersFromCrm({ db, adapter, pageLimit: 2 });
      assert.deepEqual([first.pages, first.created, first.caughtUp], [2, 3, true]);
      // Changed before B, but in search results only now ("may take a few moments").
      mock.seed('contacts', { terminal_crm_id: 'cus_late', email: 'late@example.com', firstname: 'Late' }, T0 - 40_000);
      clock.advance(30_000);
      const second = await refreshCustomersFromCrm({ db, adapter, pageLimit: 100 });
      assert.equal(await count(db, "SELECT COUNT(*) AS n FROM customers WHERE id = 'cus_late' AND given_name = 'Late'"), 1, 'the late contact reaches the local copy');
      assert.deepEqual([second.created, second.caughtUp], [1, true]);

      // Nothing new: one search, caught up; what it reads again is no change (nothing created or rewritten).
      const rows = await db.all('SELECT id, updated_at FROM customers ORDER BY id');
      const searches = mock.callsTo('/contacts/search').length;
      const third = await refreshCustomersFromCrm({ db, adapter, pageLimit: 100 });
      assert.deepEqual([third.pages, third.created, third.caughtUp], [1, 0, true]);
      assert.equal(mock.callsTo('/contacts/search').length, searches + 1);
      assert.deepEqual(await db.all('SELECT id, updated_at FROM customers ORDER BY id'), rows);
      // Pages smaller than the window still advance, and the run ends.
      const small = await refreshCustomersFromCrm({ db, adapter, pageLimit: 1, maxPages: 20 });
      assert.equal(small.caughtUp, true);
      assert.ok(small.pages <= 9, `${small.pages} pages`);
      assert.equal(await count(db, 'SELECT COUNT(*) AS n FROM customers'), 4);
    });

    it('HubSpot: a payment matches the CRM customer from the store, with no call to HubSpot while matching', { timeout: 30_000 }, async () => {
      const { db, crm } = await store.open();
      const { mock, adapter } = await hubspot();
      seedHubSpot(mock, 30);
      await refreshCustomersFromCrm({ db, adapter, pageLimit: 100 });
      const hubspotCalls = mock.calls.length;
      const unmatched = requestLog();
      try {
        const byEmail = await matchStep(payment({ email: 'person.7@EXAMPLE.com' }), crm);
        assert.equal(byEmail.match?.decision, 'link');
        assert.equal(byEmail.match?.customerId, 'cus_hs7');
        assert.ok(byEmail.match?.matchedOn.includes('email'));
        const typed = mock.recordBy('contacts', 'email', 'person.9@example.com')[0]!;
        const hand = await matchStep(payment({ email: 'Person.9@example.com' }), crm);
        assert.equal(hand.match?.customerId, localIdForCrmRecord('hubspot', typed.id));
      } finally {
        unmatched.stop();
      }
      assert.equal(mock.calls.length, hubspotCalls, 'HubSpot received no call while the payments were matched');
      assert.equal(unmatched.count(), 0, 'nor did anything else');
    });

    it('Salesforce: pages Contacts by SystemModstamp, reads only what changed next time, and matches by phone offline', { timeout: 30_000 }, async () => {
      const { db, crm } = await store.open();
      let clock = Date.parse('2026-03-02T10:00:00Z');
      const now = () => clock;
      const { mock, adapter } = salesforceOn(now);
      for (let i = 1; i <= 6; i++) {
        mock.seed('Contact', { ...(i <= 4 ? { Terminal_CRM_Id__c: `cus_sf${i}` } : {}), FirstName: `S${i}`, LastName: 'Rivera', Email: `s${i}@example.com`, MobilePhone: `(415) 555-01${10 + i}` });
        clock += 1_000;
      }
      // Read after Salesforce's lag has passed: the kept cursor is the last Contact's, and only later changes come.
      clock += 11 * 60_000;

      const first = await refreshCustomersFromCrm({ db, adapter, pageLimit: 2 });
      assert.deepEqual([first.received, first.created, first.caughtUp], [6, 6, true]);
      assert.equal(await count(db, "SELECT COUNT(*) AS n FROM customers WHERE family_name = 'Rivera'"), 6);
      assert.match((await cursorOf(db, 'salesforce'))!, /^2026-03-02T10:00:05Z\|003\w+$/, 'the keyset cursor of the last Contact');

      clock += 60_000;
      const five = mock.find('Contact', 'Email', 's5@example.com')[0]!;
      mock.edit('Contact', five.Id, { MailingCity: 'Austin' });
      const queriesBefore = mock.dataCalls(/query/).length;
      const second = await refreshCustomersFromCrm({ db, adapter, pageLimit: 2 });
      assert.deepEqual([second.received, second.created], [1, 0], 'only the edited Contact comes back');
      assert.equal(mock.dataCalls(/query/).length - queriesBefore, 1);
      const fiveId = localIdForCrmRecord('salesforce', five.Id);
      assert.equal((await db.get<{ city: string }>('SELECT city FROM customers WHERE id = ?', [fiveId]))!.city, 'Austin');

      const calls = mock.calls.length;
      const tokens = mock.tokenRequests;
      const byPhone = await matchStep(payment({ phone: '+1 415 555 0115' }), crm);
      assert.equal(byPhone.match?.decision, 'link');
      assert.equal(byPhone.match?.customerId, fiveId);
      assert.deepEqual([mock.calls.length, mock.tokenRequests], [calls, tokens], 'Salesforce received no call while matching');
    });

    it('Salesforce: a Contact whose transaction commits after a refresh has read past its SystemModstamp reaches the store on the next refresh; nothing new is one query', { timeout: 30_000 }, async () => {
      const { db } = await store.open();
      let clock = Date.parse('2026-03-02T10:00:00Z');
      const now = () => clock;
      const { mock, adapter } = salesforceOn(now);
      for (const [i, at] of [[1, 0], [2, 30_000], [3, 60_000]] as const) {
        clock = Date.parse('2026-03-02T10:00:00Z') + at;
        mock.seed('Contact', { Terminal_CRM_Id__c: `cus_sf${i}`, LastName: `L${i}` });
      }
      clock += 2_000;
      // Two pages: the first ends at the 10:00:30 Contact.
      const first = await refreshCustomersFromCrm({ db, adapter, pageLimit: 2 });
      assert.deepEqual([first.pages, first.created, first.caughtUp], [2, 3, true]);
      // A long transaction that began at 10:00:10 commits now: its Contact carries SystemModstamp 10:00:10.
      const committed = clock;
      clock = Date.parse('2026-03-02T10:00:10Z');
      mock.seed('Contact', { Terminal_CRM_Id__c: 'cus_late', LastName: 'Late' });
      clock = committed + 30_000;
      const second = await refreshCustomersFromCrm({ db, adapter, pageLimit: 2 });
      assert.equal(await count(db, "SELECT COUNT(*) AS n FROM customers WHERE id = 'cus_late'"), 1, 'the late Contact reaches the local copy');
      assert.deepEqual([second.created, second.caughtUp], [1, true]);

      const rows = await db.all('SELECT id, updated_at FROM customers ORDER BY id');
      const queries = mock.dataCalls(/query/).length;
      const third = await refreshCustomersFromCrm({ db, adapter, pageLimit: 10 });
      assert.deepEqual([third.pages, third.created, third.caughtUp], [1, 0, true]);
      assert.equal(mock.dataCalls(/query/).length, queries + 1);
      assert.deepEqual(await db.all('SELECT id, updated_at FROM customers ORDER BY id'), rows, 'what is read again is no change');
      const small = await refreshCustomersFromCrm({ db, adapter, pageLimit: 1, maxPages: 20 });
      assert.deepEqual([small.caughtUp, small.pages <= 5], [true, true]);
    });
  });
}
