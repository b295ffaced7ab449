import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { parseLoyaltyProgram } from '../../../nodes/core/loyalty/program';
import { parseSegmentConfig } from '../../../nodes/core/segment/config';
import type { BatchProgress } from '../../../nodes/core/segment/batch';
import type { SegmentBatchSummary } from '../../../nodes/core/segment/scheduled-run';
import { createActivities } from '../../../temporal/activities/worker-activities';
import { createSegmentLoyaltyActivities } from '../../../temporal/activities/segment-loyalty-activities';
import { tempStore, TEST_TOKEN_KEYS } from '../../support/temp-store';
import { seedPayments } from '../../workflows/support/seed-payments';

describe('Segment, Loyalty and batch activities', () => {
  let s: Awaited<ReturnType<typeof tempStore>>;
  before(async () => { s = await tempStore(); });
  after(async () => { await s.remove(); });
  const program = parseLoyaltyProgram({ id: 'act-test', currency: 'USD', tiers: [{ name: 'Silver', minSpendMinor: 0 }, { name: 'Gold', minSpendMinor: 10_000, multiplier: 2 }] });

  it('answer null when off: no segment configuration, no loyalty program', async () => {
    const off = createActivities({ storeUrl: s.url, tokenKeys: TEST_TOKEN_KEYS, defaultRegion: 'US', segment: null, loyalty: null });
    const [recorded] = await seedPayments(off, [{ email: 'off@example.com', amount: 1000, at: '2025-05-01T10:00:00Z' }]);
    assert.equal(await off.segment(recorded!), null);
    assert.equal(await off.loyalty(recorded!), null);
    assert.equal(await off.runSegmentBatch('2025-06-01T00:00:00Z'), null);
    assert.equal(await off.reviewLoyalty('2025-06-01T00:00:00Z'), null);
    assert.equal(await s.db.get('SELECT customer_id FROM segment_stats WHERE customer_id = ?', [recorded!.crm.customerId]), undefined);
  });

  it('keep only what a workflow branches on; a repeat answers as the first time, without counting again', async () => {
    const activities = createActivities({ storeUrl: s.url, tokenKeys: TEST_TOKEN_KEYS, defaultRegion: 'US', segment: parseSegmentConfig({ timeZone: 'Europe/Berlin' }), loyalty: program });
    const [recorded] = await seedPayments(activities, [{ email: 'gold@example.com', amount: 12_000, at: '2025-05-02T10:00:00Z' }]);
    const customerId = recorded!.crm.customerId!;
    const segment = await activities.segment(recorded!);
    assert.deepEqual(Object.keys(segment!).sort(), ['currency', 'customerId', 'flags', 'name', 'outcome', 'pAlive', 'rfm']);
    assert.equal(segment!.outcome, 'duplicate', 'seeding ran the step already');
    assert.equal(segment!.name, 'New');
    const loyalty = await activities.loyalty(recorded!);
    assert.deepEqual(loyalty, {
      programId: 'act-test', outcome: 'duplicate', customerId, enrolled: true, tier: 'Gold', pointsBalance: 120, pointsHeld: 0, pointsChange: 0,
      events: [
        { type: 'enrolled', programId: 'act-test', customerId, at: '2025-05-02T10:00:00.000Z' },
        { type: 'tier-changed', programId: 'act-test', customerId, at: '2025-05-02T10:00:00.000Z', from: null, to: 'Gold', direction: 'upgrade' },
      ],
    });
    const balance = await s.db.get<{ points_balance: number }>('SELECT points_balance FROM loyalty_members WHERE program_id = ? AND customer_id = ?', ['act-test', customerId]);
    assert.equal(Number(balance!.points_balance), 120);
  });

  it('the batch heartbeats its progress, and the loyalty review reports downgrades', async () => {
    const activities = createActivities({ storeUrl: s.url, tokenKeys: TEST_TOKEN_KEYS, defaultRegion: 'US', loyalty: program });
    const env = new MockActivityEnvironment();
    const beats: unknown[] = [];
    env.on('heartbeat', (d: unknown) => beats.push(d));
    const summary = (await env.run(activities.runSegmentBatch, '2026-06-01T00:00:00Z')) as SegmentBatchSummary | null;
    const customers = summary!.currencies[0]!.customers;
    // The payment recorded with the Segment step off (the first test) is in no one's statistics: said beside those scored.
    assert.deepEqual({ ...summary!.unscored!, examples: summary!.unscored!.examples.map((e) => e.reason) }, { payments: 1, noCustomer: 0, notCounted: 1, examples: ['not-counted'] });
    // Reading, scoring and fitting report too once they take longer than the batch's pause (50 ms); on a store this small, rarely.
    const progress = (beats as BatchProgress[]).filter((b) => b.phase === 'writing');
    assert.deepEqual(progress.map(({ currency, written, customers: n }) => ({ currency, written, customers: n })), [{ currency: 'USD', written: 0, customers }, { currency: 'USD', written: customers, customers }]);
    assert.equal(progress[1]!.checkpoint.current?.run.id, summary!.currencies[0]!.runId, 'each heartbeat carries the checkpoint a retry goes on from');

    // A retry of that run whose last heartbeat said everything was written writes no customer again and saves no new thresholds.
    const runs = await s.db.all('SELECT id FROM segment_rfm_runs ORDER BY id');
    const retry = new MockActivityEnvironment({ heartbeatDetails: progress[1] });
    const retryBeats: BatchProgress[] = [];
    retry.on('heartbeat', (d: BatchProgress) => retryBeats.push(d));
    const again = (await retry.run(activities.runSegmentBatch, '2026-06-01T00:00:00Z')) as SegmentBatchSummary | null;
    assert.deepEqual(retryBeats.filter((b) => b.phase === 'writing').map((b) => b.written), [customers]);
    assert.equal(again!.currencies[0]!.runId, summary!.currencies[0]!.runId);
    assert.deepEqual(await s.db.all('SELECT id FROM segment_rfm_runs ORDER BY id'), runs);
    // A year on, the Gold member's qualifying spend has left the window.
    const review = await activities.reviewLoyalty('2026-06-01T00:00:00Z');
    assert.deepEqual(review, { programId: 'act-test', asOf: '2026-06-01T00:00:00.000Z', expiredEntries: 0, pointsExpired: 0, upgrades: 0, downgrades: 1 });
  });

  it('with TERMINAL_CRM_CRM naming a SaaS CRM, queue the fields in its outbox with the local state, and send nothing', async () => {
    const activities = createSegmentLoyaltyActivities({ storeUrl: s.url, crm: 'hubspot', segment: parseSegmentConfig(), loyalty: program });
    const [recorded] = await seedPayments(createActivities({ storeUrl: s.url, tokenKeys: TEST_TOKEN_KEYS, defaultRegion: 'US', segment: null, loyalty: null }), [
      { email: 'saas@example.com', amount: 3_000, at: '2025-05-03T10:00:00Z' },
    ]);
    const customerId = recorded!.crm.customerId!;
    const segment = await activities.segment(recorded!);
    const loyalty = await activities.loyalty(recorded!);
    assert.deepEqual(segment!.crmFields?.crm, 'hubspot');
    assert.ok(segment!.crmFields!.fields.includes('terminal_crm_segment'));
    assert.deepEqual([...loyalty!.crmFields!.fields].sort(), ['loyalty_member_since', 'loyalty_points', 'loyalty_tier']);
    const rows = await s.db.all<{ crm: string; kind: string; state: string; payload: string }>('SELECT crm, kind, state, payload FROM outbox WHERE external_id = ?', [customerId]);
    assert.deepEqual(rows.map((r) => [r.crm, r.kind, r.state]), [['hubspot', 'fields', 'pending']], 'one row for the customer: segment and loyalty fields together');
    const fields = (JSON.parse(rows[0]!.payload) as { fields: Record<string, unknown> }).fields;
    assert.deepEqual([fields.terminal_crm_segment, fields.loyalty_tier, fields.loyalty_points], ['New', 'Silver', 30]);

    const before = process.env.TERMINAL_CRM_CRM;
    process.env.TERMINAL_CRM_CRM = 'sugarcrm';
    try {
      assert.throws(() => createSegmentLoyaltyActivities({ storeUrl: s.url }), /^InputError: TERMINAL_CRM_CRM: "sugarcrm" is not a CRM the pack knows|TERMINAL_CRM_CRM: "sugarcrm"/);
    } finally {
      if (before === undefined) delete process.env.TERMINAL_CRM_CRM;
      else process.env.TERMINAL_CRM_CRM = before;
    }
  });

  it('refuse an as-of time that is not one, for good', async () => {
    const activities = createActivities({ storeUrl: s.url, tokenKeys: TEST_TOKEN_KEYS, defaultRegion: 'US' });
    await assert.rejects(activities.runSegmentBatch('yesterday'), (e: unknown) => (e as { type?: string; nonRetryable?: boolean }).type === 'InputError' && (e as { nonRetryable: boolean }).nonRetryable);
  });
});
