import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CrmAdapter, CrmCustomer, CrmItemResult } from '../../../nodes/core/crm/saas/crm-adapter';
import type { HttpTransport } from '../../../nodes/core/http/http-transport';
import { pacedAdapter, pacingFor } from '../../../nodes/core/crm/saas/paced-transport';
import { drain } from '../../../nodes/core/outbox/drain';
import { DEFAULT_OUTBOX_POLICY } from '../../../nodes/core/outbox/types';
import type { SqlDatabase } from '../../../nodes/core/store/sql-database';
import { customer, outboxRows, queue, T0, DIALECTS, storeForEachTest, useStores } from './support/outbox-kit';

const openStore = useStores();
const LEASE = DEFAULT_OUTBOX_POLICY.leaseMs;

/** What the CRM holds per customer (the family name written last), and every write in the order it landed. */
interface Crm {
  names: Map<string, string>;
  writes: string[];
}

function write(crm: Crm, who: string, batch: readonly CrmCustomer[]): CrmItemResult[] {
  return batch.map((c) => {
    crm.names.set(c.externalId, c.profile.familyName ?? '');
    crm.writes.push(`${who}:${c.profile.familyName}`);
    return { externalId: c.externalId, status: 'synced', crmId: `crm-${c.externalId}` };
  });
}

const base = { name: 'testcrm', limits: { batchSize: 10, requestsPerWindow: 100, windowMs: 10_000 } };
const none = { upsertPayments: async () => [], updateFields: async () => [], changedCustomers: async () => ({ customers: [], next: null, more: false }) };

/** An adapter the drain paces per call (its transport is not paced). */
const perCall = (crm: Crm, who: string): CrmAdapter => ({ ...base, ...none, upsertCustomers: async (batch) => write(crm, who, batch) });

/** An adapter whose every HTTP request is paced (as the CRM factory builds them): the wait is inside the call. */
function perRequest(crm: Crm, who: string, clock: { now: () => number; sleep: (ms: number) => Promise<void> }): CrmAdapter {
  const http: HttpTransport = { request: async () => ({ status: 200, headers: {}, body: {} }) };
  return pacedAdapter((paced) => {
    const out = paced(http);
    return { ...base, ...none, upsertCustomers: async (batch) => (await out.request({ method: 'POST', url: '/contacts' }), write(crm, who, batch)) };
  }, clock);
}

/** The drainers' clock, moved by the test; a drain's sleep (its wait for the rate limit) lasts until the test wakes it. */
interface HandClock {
  t: number;
  now: () => number;
  sleep: () => Promise<void>;
  sleeping: () => boolean;
  wake: () => void;
}

function handClock(): HandClock {
  const asleep: (() => void)[] = [];
  const clock: HandClock = {
    t: T0,
    now: () => clock.t,
    sleep: () => new Promise<void>((wake) => asleep.push(wake)),
    sleeping: () => asleep.length > 0,
    wake: () => {
      for (const wake of asleep.splice(0)) wake();
    },
  };
  return clock;
}

type MakeAdapter = (crm: Crm, who: string, clock: { now: () => number; sleep: (ms: number) => Promise<void> }) => CrmAdapter;

/**
 * Drainer A's run with customer 1 queued at T0 and the CRM's wait (a 429 with Retry-After) longer than the lease,
 * returned once A has claimed the batch and waits for the CRM; it ends when the test wakes the clock.
 */
async function drainerHeldByTheCrm(db: SqlDatabase, make: MakeAdapter, crm: Crm, clock: HandClock): Promise<{ run: ReturnType<typeof drain> }> {
  const adapter = make(crm, 'A', clock);
  pacingFor(adapter, clock).limiter.pauseFor(2 * LEASE);
  await queue(db, 'testcrm', [{ kind: 'customer', record: customer(1) }], T0);
  const run = drain({ db, adapter, owner: 'A', now: clock.now, sleep: clock.sleep, concurrency: 1, random: () => 0.5 });
  for (const until = Date.now() + 5_000; !clock.sleeping(); await new Promise((r) => setTimeout(r, 5))) {
    if (Date.now() > until) assert.fail('drainer A never waited for the rate limit');
  }
  return { run };
}

for (const dialect of DIALECTS) describe(`outbox: a batch held by the CRM's rate limit past its lease (${dialect})`, () => {
  let db: SqlDatabase;
  storeForEachTest(openStore, dialect, (opened) => (db = opened));

  for (const [how, make] of [
    ['paced per call', ((crm, who) => perCall(crm, who)) as MakeAdapter],
    ['paced per request', perRequest],
  ] as const) {
    it(`${how}: the older state is not sent once another drainer has taken the record and written its newer state`, { timeout: 20_000 }, async () => {
      const clock = handClock();
      const crm: Crm = { names: new Map(), writes: [] };
      const { run: a } = await drainerHeldByTheCrm(db, make, crm, clock);
      assert.deepEqual((await outboxRows(db)).map((r) => [r.state, r.claimed_by]), [['inflight', 'A']]);

      // A's lease runs out; the customer's newer state is queued, and drainer B (another instance) sends it.
      clock.t = T0 + LEASE + 1_000;
      await queue(db, 'testcrm', [{ kind: 'customer', record: customer(1, { familyName: 'Newer' }) }], clock.t);
      const clockB = { now: clock.now, sleep: async () => undefined };
      const b = await drain({ db, adapter: make(crm, 'B', clockB), owner: 'B', now: clock.now, sleep: clockB.sleep, concurrency: 1, random: () => 0.5 });
      assert.equal(b.counts.synced, 1);
      assert.deepEqual(crm.writes, ['B:Newer']);

      // The CRM's wait is over: A wakes with the batch it claimed before.
      clock.t = T0 + 3 * LEASE;
      clock.wake();
      const done = await a;

      assert.equal(crm.names.get('cus_1'), 'Newer', `the CRM keeps the newer state; writes: ${crm.writes.join(', ')}`);
      assert.deepEqual(crm.writes, ['B:Newer'], 'A sends nothing of a batch no longer its own');
      assert.deepEqual(done.outcomes.map((o) => [o.externalId, o.status]), [['cus_1', 'lost']]);
      assert.deepEqual((await outboxRows(db)).map((r) => [r.state, r.claimed_by]), [['synced', null]]);
    });

    it(`${how}: a batch whose lease ran out while it waited, which no other drainer took, still goes and is synced`, { timeout: 20_000 }, async () => {
      const clock = handClock();
      const crm: Crm = { names: new Map(), writes: [] };
      const { run: a } = await drainerHeldByTheCrm(db, make, crm, clock);
      clock.t = T0 + 3 * LEASE;
      clock.wake();
      const done = await a;
      assert.deepEqual(crm.writes, ['A:Diaz1']);
      assert.deepEqual(done.outcomes.map((o) => [o.externalId, o.status]), [['cus_1', 'synced']]);
      assert.deepEqual((await outboxRows(db)).map((r) => [r.state, r.attempts]), [['synced', 1]]);
    });
  }
});
