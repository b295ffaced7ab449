import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { CrmAdapter } from '../../../nodes/core/crm/saas/crm-adapter';
import { createDynamicsAdapter, dynamicsAxiosTransport, parseDynamicsSettings } from '../../../nodes/core/crm/saas/dynamics';
import type { DrainResult } from '../../../nodes/core/outbox/drain';
import { markPaced, pacedTransport } from '../../../nodes/core/crm/saas/paced-transport';
import { RateLimiter } from '../../../nodes/core/crm/saas/rate-limiter';
import type { SqlDatabase } from '../../../nodes/core/store/sql-database';
import { fakeClock } from '../crm/saas/hubspot-kit';
import { DynamicsMock } from '../crm/saas/mocks/dynamics-mock';
import { faultLedger } from './support/fault-ledger';
import { DIALECTS, drainUntilEmpty, drainWith, hubspotOutbox, queue, useNock, useStores, type FakeClock } from './support/outbox-kit';

useNock();

/** What a CRM holds after the run, read from its contract mock. */
interface CrmView {
  /** Each customer's CRM ids (more than one would be a duplicate). */
  contacts(): Map<string, string[]>;
  /** Each payment's CRM records: net amount in minor units and the contact it hangs on. */
  payments(): Map<string, { netMinor: number; contactId: string | undefined }[]>;
  faults(): Record<string, number>;
}

/** "123.45" → 12345 (USD), exactly. */
const decimalToMinor = (text: string) => {
  const [whole, frac = ''] = text.split('.');
  return Number(whole) * 100 + Number(frac.padEnd(2, '0').slice(0, 2));
};

async function faultRun(db: SqlDatabase, adapter: CrmAdapter, clock: FakeClock, view: CrmView) {
  const ledger = faultLedger();
  const runs: DrainResult[] = [];
  // Batches of 25, not the CRM's 100: four times the calls, so the faults hit often.
  const limits = { batchSize: 25 };
  // Four batches in flight at once, as drains run by default: the faults land on overlapping requests.
  const concurrency = 4;
  // Records arrive while earlier ones are still being sent, as in a shop: a few batches between rounds.
  for (const round of ledger.rounds) {
    await queue(db, adapter.name, round, clock.now() - 1);
    runs.push(await drainWith(db, adapter, clock, { maxBatches: 10, limits, concurrency }));
    clock.advance(5_000);
  }
  runs.push(...(await drainUntilEmpty(db, adapter, clock, { limits, concurrency })));

  const contacts = view.contacts();
  assert.equal(contacts.size, ledger.customers.length);
  for (const [id, crmIds] of contacts) assert.equal(crmIds.length, 1, `customer ${id} is in the CRM ${crmIds.length} times`);
  const payments = view.payments();
  assert.equal(payments.size, ledger.final.size, 'every payment is in the CRM');
  const net = new Map<string, number>();
  for (const [key, p] of ledger.final) {
    const records = payments.get(key) ?? [];
    assert.equal(records.length, 1, `payment ${key} is in the CRM ${records.length} times`);
    const [r] = records;
    assert.equal(r!.netMinor, p.amount.minor - p.refunded.minor, `${key}: the CRM has its latest amount (refunds applied)`);
    assert.equal(r!.contactId, contacts.get(p.customerExternalId)![0], `${key} hangs on its customer`);
    net.set(p.customerExternalId, (net.get(p.customerExternalId) ?? 0) + r!.netMinor);
  }
  assert.deepEqual(net, ledger.netByCustomer, 'every customer’s total in the CRM is right');

  const left = await db.all<{ state: string; n: number }>("SELECT state, COUNT(*) AS n FROM outbox WHERE state <> 'synced' GROUP BY state");
  assert.deepEqual(left, [], 'nothing waits, nothing was refused or given up');
  assert.equal(runs.reduce((s, r) => s + r.alerts.length, 0), 0);
  // Synced rows are history (crm_links has the ids); a day later the outbox is empty.
  clock.advance(25 * 3_600_000);
  await drainWith(db, adapter, clock);
  assert.equal(Number((await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM outbox'))!.n), 0);
  return { runs, faults: view.faults() };
}

const openStore = useStores();

describe('outbox under a failing CRM: 1,000 payments with duplicates and refunds, 30 % of calls failing', () => {
  let store: Awaited<ReturnType<typeof openStore>>;
  afterEach(() => store.remove());

  for (const dialect of DIALECTS) it(`HubSpot answering 429, 502 or too late: every payment ends in HubSpot exactly once, with the right totals (${dialect} store)`, { timeout: 180_000 }, async (t) => {
    store = await openStore(dialect);
    const { mock, adapter, clock } = await hubspotOutbox({
      mock: { faults: { rate429: 0.1, serverError: 0.1, delay: 0.1, delayMs: 250, seed: 9 } },
      env: { HUBSPOT_TIMEOUT_MS: '100' },
    });
    const { runs, faults } = await faultRun(store.db, adapter, clock, {
      contacts: () => {
        const m = new Map<string, string[]>();
        for (const c of mock.records('contacts')) m.set(c.properties.terminal_crm_id!, [...(m.get(c.properties.terminal_crm_id!) ?? []), c.id]);
        return m;
      },
      payments: () => {
        const contactOf = new Map<string, string>();
        for (const a of mock.associations) {
          const [, deal, contact] = /^deals:(\d+)->contacts:(\d+)$/.exec(a) ?? [];
          if (deal) contactOf.set(deal, contact!);
        }
        const m = new Map<string, { netMinor: number; contactId: string | undefined }[]>();
        for (const d of mock.records('deals')) {
          const key = d.properties.terminal_crm_payment_key!;
          m.set(key, [...(m.get(key) ?? []), { netMinor: decimalToMinor(d.properties.amount!), contactId: contactOf.get(d.id) }]);
        }
        return m;
      },
      faults: () => ({
        calls: mock.calls.length,
        '429': mock.calls.filter((c) => c.status === 429).length,
        '502': mock.calls.filter((c) => c.status === 502).length,
      }),
    });
    const lostAnswers = runs.flatMap((r) => r.outcomes).filter((o) => o.status === 'retry' && /no answer from/.test(o.reason)).length;
    t.diagnostic(`${faults.calls} calls: ${faults['429']} answered 429, ${faults['502']} answered 502, ${lostAnswers} records whose answer was lost (sent again); ${runs.length} drain runs`);
    assert.ok(faults['429']! > 0 && faults['502']! > 0 && lostAnswers > 0, 'each kind of fault happened');
  });

  it('Dynamics 365 answering 429, 503 or too late: the same, through $batch', { timeout: 180_000 }, async (t) => {
    store = await openStore('sqlite');
    const clock = fakeClock(Date.parse('2026-03-02T10:00:00Z'));
    const nock = (await import('nock')).default;
    const mock = new DynamicsMock({ now: clock.now, faults: { seed: 5, rate: 0.1, server: 0.1, timeout: 0.1, timeoutDelayMs: 250 } }).install(nock);
    const settings = parseDynamicsSettings({
      url: 'https://contoso.crm.dynamics.com',
      auth: { tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47', clientId: '51f81489-12ee-4a9e-aaae-a2591f45987d', clientSecret: 'secret-value' },
      timeoutMs: 100,
    });
    // As crmAdapterFromEnv builds it, with a timeout short enough for the held answers to be lost.
    const limiter = new RateLimiter({ requestsPerWindow: 1, windowMs: 1_000 }, clock);
    const adapter = createDynamicsAdapter({ http: pacedTransport(dynamicsAxiosTransport(settings, { now: clock.now }), limiter), settings });
    limiter.configure(adapter.limits);
    markPaced(adapter, limiter);

    const { faults } = await faultRun(store.db, adapter, clock, {
      contacts: () => {
        const m = new Map<string, string[]>();
        for (const c of mock.rows('contact')) m.set(String(c.terminalcrm_externalid), [...(m.get(String(c.terminalcrm_externalid)) ?? []), String(c.contactid)]);
        return m;
      },
      payments: () => {
        const m = new Map<string, { netMinor: number; contactId: string | undefined }[]>();
        for (const p of mock.rows('terminalcrm_payment')) {
          // The alternate key holds the pack's key with the characters Dataverse cannot take escaped (~3A for ':').
          const key = decodeURIComponent(String(p.terminalcrm_paymentkey).replace(/~([0-9A-F]{2})/g, '%$1'));
          m.set(key, [...(m.get(key) ?? []), { netMinor: Number(p.terminalcrm_amountminor) - Number(p.terminalcrm_refundedminor), contactId: p._terminalcrm_contact_value as string | undefined }]);
        }
        return m;
      },
      faults: () => ({
        calls: mock.calls.length,
        rate: mock.calls.filter((c) => c.fault === 'rate').length,
        server: mock.calls.filter((c) => c.fault === 'server').length,
        timeout: mock.calls.filter((c) => c.fault === 'timeout').length,
      }),
    });
    t.diagnostic(`${faults.calls} calls: ${faults.rate} answered 429, ${faults.server} answered 503, ${faults.timeout} answered too late`);
    assert.ok(faults.rate! > 0 && faults.server! > 0 && faults.timeout! > 0, 'each kind of fault happened');
  });
});
