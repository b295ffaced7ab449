import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { writePage } from '../../../nodes/core/backfill/write-page';
import { LocalSqlCrm } from '../../../nodes/core/crm/local-sql-crm';
import { axiosTransport } from '../../../nodes/core/http/axios-transport';
import { historyCredentials, historyLister } from '../../../nodes/core/sources/history';
import { chargeObject } from '../../../sandbox/simulator/stripe-terminal-events';
import { testKeys } from '../../support/temp-store';
import { dialectStores, type DialectStore } from '../match/store-dialects';
import { nock, SINCE, STRIPE_KEY, UNTIL } from './history-mocks';

/** The same scenarios on the SQLite file and on PostgreSQL, to one outcome. */
const stores = dialectStores('tcrm-write-page');

for (const store of stores) describe(`writing a page of history on ${store.dialect}`, () => {
  let s: DialectStore;
  beforeEach(async () => {
    nock.disableNetConnect();
    s = await store.open();
  });
  afterEach(async () => {
    nock.cleanAll();
    nock.enableNetConnect();
    await s.remove();
  });

  it('lets the process do other work while it writes (the drain beside it, an activity heartbeat), and writes every event', async () => {
    // 300 new cardholders: the steps never wait on I/O (SQLite is synchronous), so only a deliberate pause lets a
    // callback queued for the next turn of the event loop run before the page is done.
    const charges = Array.from({ length: 300 }, (_, i) =>
      chargeObject({
        chargeId: `ch_page${String(i).padStart(6, '0')}`, paymentIntentId: `pi_page${String(i).padStart(6, '0')}`, amount: 1000 + i, currency: 'eur',
        created: Math.floor(SINCE.getTime() / 1000) + 300 - i, email: `page.${i}@example.com`,
        card: { fingerprint: `fp_page_${i}`, last4: '4242', iin: '424242', expMonth: 4, expYear: 2030, brand: 'visa' },
      }),
    );
    nock('https://api.stripe.com').get('/v1/charges').query(true).reply(200, { object: 'list', data: charges, has_more: false });
    const lister = historyLister('stripe');
    const page = await lister.list(historyCredentials(lister, { secretKey: STRIPE_KEY }), { cursor: null, since: SINCE, until: UNTIL, limit: 300 }, { http: axiosTransport(), now: () => new Date() });
    assert.equal(page.events.length, 300);

    let turns = 0;
    let stop = false;
    const tick = () => {
      turns++;
      if (!stop) setImmediate(tick);
    };
    setImmediate(tick);
    const counts = await writePage(page.events, { store: s.db, keys: testKeys(), defaultRegion: 'GB' });
    const turnsDuringPage = turns;
    stop = true;

    assert.equal(counts.recorded, 300);
    assert.ok(turnsDuringPage > 0, 'the event loop never turned while the page was written');
    const written = await s.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM ledger_payments');
    assert.equal(Number(written?.n), 300);
  });

  it('matches each ledger batch\'s payments with one payment-id lookup, not one per payment', async () => {
    const charges = Array.from({ length: 250 }, (_, i) =>
      chargeObject({
        chargeId: `ch_lookup${i}`, paymentIntentId: `pi_lookup${i}`, amount: 500 + i, currency: 'eur',
        created: Math.floor(SINCE.getTime() / 1000) + 250 - i, email: `lookup.${i}@example.com`,
        card: { fingerprint: `fp_lookup_${i}`, last4: '4242', iin: '424242', expMonth: 4, expYear: 2030, brand: 'visa' },
      }),
    );
    nock('https://api.stripe.com').get('/v1/charges').query(true).reply(200, { object: 'list', data: charges, has_more: false });
    const lister = historyLister('stripe');
    const page = await lister.list(historyCredentials(lister, { secretKey: STRIPE_KEY }), { cursor: null, since: SINCE, until: UNTIL, limit: 250 }, { http: axiosTransport(), now: () => new Date() });
    const lookups: number[] = [];
    const findByKeys = LocalSqlCrm.prototype.findByKeys;
    LocalSqlCrm.prototype.findByKeys = function (this: LocalSqlCrm, keys) {
      lookups.push(keys.length);
      return findByKeys.call(this, keys);
    };
    try {
      const counts = await writePage(page.events, { store: s.db, keys: testKeys(), defaultRegion: 'GB', batchSize: 100 });
      assert.equal(counts.recorded, 250);
    } finally {
      LocalSqlCrm.prototype.findByKeys = findByKeys;
    }
    assert.deepEqual(lookups, [100, 100, 50]);
  });
});
