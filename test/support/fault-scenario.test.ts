import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { crmAdapterFromEnv } from '../../nodes/core/crm/saas/crm-factory';
import { SqlInbox } from '../../nodes/core/inbox/inbox';
import { LocalSqlCrm } from '../../nodes/core/crm/local-sql-crm';
import { receiveWebhook } from '../../nodes/core/pipeline/receive-webhook';
import { matchStep, tokenizeStep } from '../../nodes/core/steps/steps';
import { upsertToCrmStep } from '../../nodes/core/steps/upsert-to-crm';
import type { CrmSync } from '../../nodes/core/contracts/payment-message';
import { HubSpotMock } from '../core/crm/saas/mocks/hubspot-mock';
import { faultScenario, hubspotFaults, runFaultScenario, waitForEngine } from './fault-scenario';
import { stripeRequest } from './stripe-delivery';
import { tempStore, testKeys, TEST_WEBHOOK_SECRET } from './temp-store';

const PAT = 'pat-na1-11111111-2222-3333-4444-555555555555';

describe('the fault scenario the engine tests share', () => {
  it('is seeded: the same deliveries each time, ~10 % sent twice, ~10 % refunded (partial, full, partial then full)', () => {
    const a = faultScenario({ payments: 1000, secret: TEST_WEBHOOK_SECRET });
    const b = faultScenario({ payments: 1000, secret: TEST_WEBHOOK_SECRET });
    assert.deepEqual(a.phases.map((p) => p.map((d) => d.eventId)), b.phases.map((p) => p.map((d) => d.eventId)));
    assert.equal(a.expected.size, 1000);
    const { duplicates, partialRefunds, fullRefunds, deliveries } = a.counts;
    assert.ok(duplicates >= 80 && duplicates <= 140, `${duplicates} duplicates`);
    const refunded = [...a.expected.values()].filter((p) => p.refundedMinor > 0);
    assert.ok(refunded.length >= 70 && refunded.length <= 130, `${refunded.length} refunded`);
    assert.ok(refunded.some((p) => p.refundedMinor === p.amountMinor) && refunded.some((p) => p.refundedMinor < p.amountMinor));
    assert.ok(partialRefunds > 0 && fullRefunds > 0 && a.phases.length === 4, 'some payments are refunded in part, then in full');
    assert.equal(deliveries, 1000 + duplicates + partialRefunds + fullRefunds);
    // Sales come before any refund; each customer's first sale comes alone, before their others.
    assert.ok(a.phases.slice(0, 2).every((p) => p.every((d) => d.kind === 'sale')) && a.phases.slice(2).every((p) => p.every((d) => d.kind === 'refund')));
    assert.deepEqual(a.uniqueEvents, a.phases.map((p) => p.filter((d) => !d.duplicate).length));
    assert.equal(new Set(a.emails).size, a.emails.length);
    assert.equal(new Set(a.phases[0]!.map((d) => d.email)).size, a.phases[0]!.length);
    assert.ok(a.phases[0]!.every((d) => !d.duplicate));
  });

  it('an engine that stops finishing events fails the wait within its stall time, not at the phase deadline', async () => {
    const s = await tempStore();
    try {
      const started = Date.now();
      await assert.rejects(waitForEngine(s.db, 5, 600_000, 3_000, 600), /the engine finished no event for 0.6 s \(0 of 5 done\)/);
      assert.ok(Date.now() - started < 5_000, `failed after ${Date.now() - started} ms`);
    } finally {
      await s.remove();
    }
  });

  describe('through the core in this process (what each engine runs), HubSpot failing 30 % of calls', () => {
    let s: Awaited<ReturnType<typeof tempStore>>;
    let mock: HubSpotMock;
    before(async () => {
      s = await tempStore();
    });
    after(async () => {
      mock?.stop();
      await s?.remove();
    });

    it('ends with every payment in HubSpot once with the ledger’s amounts, every customer once, nothing queued', { timeout: 120_000 }, async (t) => {
      const faults = hubspotFaults(300);
      mock = await HubSpotMock.start({ privateAppToken: PAT, retryAfterSeconds: 1, faults });
      const env = { HUBSPOT_ACCESS_TOKEN: PAT, HUBSPOT_TIMEOUT_MS: '300' };
      const scenario = faultScenario({ payments: 150, secret: TEST_WEBHOOK_SECRET, seed: 7 });
      const inbox = new SqlInbox(s.db, testKeys());
      const crm = new LocalSqlCrm(s.db);
      const syncs: CrmSync[] = [];
      const line = await runFaultScenario({
        db: s.db,
        mock,
        faults,
        scenario,
        concurrency: 4,
        phaseTimeoutMs: 30_000,
        drainAdapter: crmAdapterFromEnv('hubspot', env),
        // What each engine's trigger and CRM Upsert do with a delivery, in this process.
        send: async (d) => {
          const out = await receiveWebhook('stripe', stripeRequest(d), { credentials: { signingSecret: [TEST_WEBHOOK_SECRET] }, inbox });
          assert.equal(out.status, 200, out.rejected);
          for (const event of out.events) {
            const matched = await matchStep(tokenizeStep(event, testKeys()), crm);
            const [m] = await upsertToCrmStep([matched], s.db, { crm: 'hubspot', adapter: () => crmAdapterFromEnv('hubspot', env), waitMs: 1_000 });
            syncs.push(m!.crm!.sync!);
          }
        },
      });
      t.diagnostic(line);
      assert.equal(syncs.length, scenario.uniqueEvents.reduce((a, b) => a + b, 0), 'each redelivery was dropped by the inbox');
      assert.ok(syncs.some((x) => x.status === 'queued'), 'some were left queued by the faults');
    });
  });
});
