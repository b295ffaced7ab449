import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { createPipedriveAdapter, parsePipedriveSettings, pipedriveAxiosTransport } from '../../../nodes/core/crm/saas/pipedrive';
import { HttpNetworkError, type HttpTransport } from '../../../nodes/core/http/http-transport';
import { drain } from '../../../nodes/core/outbox/drain';
import { enqueue } from '../../../nodes/core/outbox/enqueue';
import type { SqlDatabase } from '../../../nodes/core/store/sql-database';
import { nock, PipedriveMock } from '../crm/saas/mocks/pipedrive-mock';
import { customer, sqliteStore } from './support/outbox-kit';

const CUSTOMER_FIELD = '9dc80c50d78a15643bfc4ca79d76156a73a1a4d8';
const PAYMENT_FIELD = '5b1c7e3f8a2d4c6b9e0f1a2b3c4d5e6f7a8b9c0d';
const TOKEN = 'pd-api-token-123';

describe('outbox drain into Pipedrive: a create whose answer was lost', () => {
  let clock = Date.parse('2026-03-01T10:00:00Z');
  const now = () => clock;
  let store: Awaited<ReturnType<typeof sqliteStore>>;
  let db: SqlDatabase;
  beforeEach(async () => {
    nock.disableNetConnect();
    store = await sqliteStore();
    db = store.db;
  });
  afterEach(async () => {
    nock.cleanAll();
    nock.enableNetConnect();
    await store.remove();
  });

  /** The adapter a drainer process builds; `lose` POSTs are written by Pipedrive but their answers never arrive. */
  const processAdapter = (lose: number) => {
    const settings = parsePipedriveSettings({ apiToken: TOKEN, customerIdField: CUSTOMER_FIELD, paymentKeyField: PAYMENT_FIELD });
    const http = pipedriveAxiosTransport(settings, now);
    const losing: HttpTransport = {
      ...http,
      async request(req) {
        const res = await http.request(req);
        if (req.method === 'POST' && lose-- > 0) throw new HttpNetworkError(`${req.method} ${req.url}: socket hang up`);
        return res;
      },
    };
    return createPipedriveAdapter({ http: losing, settings, now });
  };
  const run = (adapter: ReturnType<typeof processAdapter>) =>
    drain({ db, adapter, now, sleep: async (ms) => void (clock += ms), owner: 'pipedrive-drainer', random: () => 0.5, concurrency: 1 });

  it('is held in the store until search can show it: a drainer restarted seconds later makes no second person', async () => {
    // Pipedrive's search shows a new person 5 s after it is written.
    const mock = new PipedriveMock({ apiToken: TOKEN, customerIdField: CUSTOMER_FIELD, paymentKeyField: PAYMENT_FIELD, now, searchLagMs: 5_000 }).start();
    const c = customer(1);
    await db.transaction((tx) => enqueue(tx, 'pipedrive', [{ kind: 'customer', record: c }], new Date(clock)));

    const first = await run(processAdapter(1));
    assert.equal(first.counts.retry, 1);
    assert.equal(mock.personsWithCustomerId(c.externalId).length, 1, 'written, though the answer was lost');

    // The drainer restarts (its memory gone) and runs again 2 s later, while search does not show the person yet.
    clock += 2_000;
    const restarted = processAdapter(0);
    const early = await run(restarted);
    assert.equal(early.counts.synced + early.counts.retry, 0, 'nothing sent before the minute is up');
    assert.equal(mock.personsWithCustomerId(c.externalId).length, 1);

    clock += 60_000;
    const later = await run(restarted);
    assert.equal(later.counts.synced, 1);
    assert.equal(mock.personsWithCustomerId(c.externalId).length, 1, 'found by search, not made again');
  });
});
