import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { upsertPayments } from '../../../nodes/core/crm/upsert-payments';
import { matchCustomer } from '../../../nodes/core/match/match-customer';
import type { SqlExecutor } from '../../../nodes/core/store/sql-database';
import { payment } from '../match/match-fixtures';
import { dialectStores, type DialectStore } from '../match/store-dialects';

const stores = dialectStores('tcrm-upsert-one-write');

/** Counts the store's write transactions, and can make one statement of them fail as a crash would. */
function watchTransactions(s: DialectStore, failOn?: RegExp): { count: number; stop(): void } {
  const original = s.db.transaction;
  const seen = { count: 0, stop: () => { s.db.transaction = original; } };
  const transaction = original.bind(s.db);
  s.db.transaction = (fn, options) => {
    seen.count++;
    return transaction((tx) => {
      if (!failOn) return fn(tx);
      const failing: SqlExecutor = {
        all: (sql, params) => tx.all(sql, params),
        get: (sql, params) => tx.get(sql, params),
        run: (sql, params) => (failOn.test(sql) ? Promise.reject(new Error('disk I/O error')) : tx.run(sql, params)),
      };
      return fn(failing);
    }, options);
  };
  return seen;
}

const count = async (s: DialectStore, table: string) => Number((await s.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))!.n);

for (const store of stores) describe(`CRM Upsert writes a batch as one transaction on ${store.dialect}`, () => {
  let s: DialectStore;
  beforeEach(async () => { s = await store.open(); });
  afterEach(async () => { await s.remove(); });

  async function matched(emails: string[]) {
    const events = emails.map((email) => payment({ email }));
    return Promise.all(events.map(async (event) => ({ event, match: await matchCustomer(event, { crm: s.crm }) })));
  }

  it('records three new customers and their payments in one write', async () => {
    const batch = await matched(['one.write.a@example.com', 'one.write.b@example.com', 'one.write.c@example.com']);
    const writes = watchTransactions(s);
    const results = await upsertPayments(s.crm, batch);
    assert.equal(writes.count, 1);
    assert.deepEqual(results.map((r) => [r.outcome, r.customerCreated]), [['recorded', true], ['recorded', true], ['recorded', true]]);
    assert.equal(await count(s, 'customers'), 3);
    assert.equal(await count(s, 'transactions'), 3);
  });

  it('keeps a name or postal code of blanks out of the customer record, and a later real one fills it in', async () => {
    const blank = payment({ email: 'blank.hints@example.com' });
    const event = { ...blank, customerHints: { ...blank.customerHints, name: '   ', postalCode: ' \t ' } };
    await upsertPayments(s.crm, [{ event, match: await matchCustomer(event, { crm: s.crm }) }]);
    const row = async () => s.db.get<{ name: string | null; postal_code: string | null }>("SELECT name, postal_code FROM customers WHERE email = 'blank.hints@example.com'");
    assert.deepEqual({ ...(await row()) }, { name: null, postal_code: null });

    const named = payment({ email: 'blank.hints@example.com', name: '  Rosa Blank ', postalCode: '10115' });
    await upsertPayments(s.crm, [{ event: named, match: await matchCustomer(named, { crm: s.crm }) }]);
    assert.deepEqual({ ...(await row()) }, { name: 'Rosa Blank', postal_code: '10115' });
  });

  it('leaves no customer behind when recording the payments fails, and the retry records both', async () => {
    const batch = await matched(['half.written@example.com']);
    const crash = watchTransactions(s, /^\s*INSERT INTO transactions/);
    await assert.rejects(upsertPayments(s.crm, batch), /disk I\/O error/);
    crash.stop();
    // With a commit per half, the customer was stored without the payment that made them.
    assert.equal(await count(s, 'customers'), 0);
    assert.equal(await count(s, 'ledger_events'), 0);

    const [retried] = await upsertPayments(s.crm, batch);
    assert.equal(retried!.outcome, 'recorded');
    assert.equal(retried!.customerCreated, true);
    assert.equal(await count(s, 'customers'), 1);
    assert.equal(await count(s, 'transactions'), 1);
  });
});
