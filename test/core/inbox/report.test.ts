import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { inboxReport } from '../../../nodes/core/inbox/report';
import type { SqlDatabase } from '../../../nodes/core/store/sql-database';
import { dialectStores } from '../match/store-dialects';
import { fillInbox, REDRIVE_FAILURE, workflowIdOf } from './support/waiting-inbox';

const NOW = Date.parse('2026-11-20T12:00:00.000Z');
const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

for (const where of dialectStores('tcrm-inbox-report')) describe(`inbox report on ${where.dialect}`, { timeout: 30_000 }, () => {
  let db: SqlDatabase;
  let e: Awaited<ReturnType<typeof fillInbox>>;
  before(async () => {
    db = (await where.open()).db;
    e = await fillInbox(db, NOW);
  });

  it('counts per source what waits, since when, what is due, what a redrive failed on (with its reason), holds now and handed to a workflow', async () => {
    const report = await inboxReport(db, { now: NOW });
    assert.equal(report.olderThanMs, 5 * MIN, 'the redrive grace by default');
    assert.deepEqual(report.sources, [
      { source: 'adyen', waiting: 1, oldestReceivedAt: iso(NOW - 10 * MIN), due: 1, failed: 0, lastError: null, claimed: 0, inWorkflow: 0 },
      { source: 'stripe', waiting: 4, oldestReceivedAt: iso(NOW - 60 * MIN), due: 3, failed: 1, lastError: REDRIVE_FAILURE, claimed: 1, inWorkflow: 1 },
    ]);
    assert.deepEqual(report.events, [
      { eventId: e.claimed.id, source: 'stripe', type: e.claimed.type, receivedAt: iso(NOW - 60 * MIN), attempts: 1, lastError: null, claimedUntil: iso(NOW + 3 * MIN), due: true, inWorkflow: null },
      {
        eventId: e.handed.id, source: 'stripe', type: e.handed.type, receivedAt: iso(NOW - 55 * MIN), attempts: 1, lastError: null, claimedUntil: null, due: true,
        inWorkflow: { workflowId: workflowIdOf(e.handed), handedOffAt: iso(NOW - 20 * MIN) },
      },
      { eventId: e.failed.id, source: 'stripe', type: e.failed.type, receivedAt: iso(NOW - 50 * MIN), attempts: 1, lastError: REDRIVE_FAILURE, claimedUntil: null, due: true, inWorkflow: null },
      { eventId: e.adyen.id, source: 'adyen', type: e.adyen.type, receivedAt: iso(NOW - 10 * MIN), attempts: 0, lastError: null, claimedUntil: null, due: true, inWorkflow: null },
      { eventId: e.recent.id, source: 'stripe', type: e.recent.type, receivedAt: iso(NOW - MIN), attempts: 0, lastError: null, claimedUntil: null, due: false, inWorkflow: null },
    ]);
    assert.equal(report.more, 0);
    // Never the stored event: no card, buyer or amount from it.
    assert.doesNotMatch(JSON.stringify(report), /payload|inbox\d@example|LEE\/SAM|8431|"amount"|tok_|fp_/);
  });

  it('filters by source, measures due with the grace given, and says how many the limit left out', async () => {
    const adyen = await inboxReport(db, { now: NOW, source: 'adyen' });
    assert.deepEqual(adyen.sources.map((s) => s.source), ['adyen']);
    assert.deepEqual(adyen.events.map((r) => r.eventId), [e.adyen.id]);
    assert.deepEqual((await inboxReport(db, { now: NOW, source: 'square' })).sources, []);
    const strict = await inboxReport(db, { now: NOW, olderThanMs: 55 * MIN });
    assert.deepEqual(strict.sources.map((s) => [s.source, s.due]), [['adyen', 0], ['stripe', 2]]);
    assert.deepEqual(strict.events.map((r) => r.due), [true, true, false, false, false]);
    assert.deepEqual((await inboxReport(db, { now: NOW, olderThanMs: 0 })).events.map((r) => r.due), [true, true, true, true, true]);
    const two = await inboxReport(db, { now: NOW, limit: 2 });
    assert.deepEqual(two.events.map((r) => r.eventId), [e.claimed.id, e.handed.id]);
    assert.equal(two.more, 3);
    assert.equal(two.sources.length, 2, 'the counts are of every waiting event, whatever the limit');
  });

  it('counts a claim that ran out with no reason as failed (the redrive died), and not one a redrive is on now', async () => {
    // Five minutes on, the claim of `claimed` has run out with no reason kept: the redrive that took it died.
    const later = await inboxReport(db, { now: NOW + 5 * MIN });
    const stripe = later.sources.find((s) => s.source === 'stripe')!;
    assert.deepEqual([stripe.failed, stripe.claimed, stripe.lastError, stripe.inWorkflow], [2, 0, REDRIVE_FAILURE, 1]);
    assert.equal(later.events[0]!.claimedUntil, null);
  });

  it('counts an event the worker handed to a workflow as in it, not failed, for as long as no redrive takes it again', async () => {
    // Its claim ran out 15 minutes ago with no error kept: a workflow has it (retrying a CRM that is down, say).
    for (const at of [NOW, NOW + 60 * MIN, NOW + 6 * 60 * MIN]) {
      const report = await inboxReport(db, { now: at, source: 'stripe' });
      assert.equal(report.sources[0]!.failed, at === NOW ? 1 : 2, 'the failed event, and `claimed` once its claim ran out');
      const handed = report.events.find((r) => r.eventId === e.handed.id)!;
      assert.deepEqual([handed.attempts, handed.lastError, handed.claimedUntil], [1, null, null]);
      assert.deepEqual(handed.inWorkflow, { workflowId: workflowIdOf(e.handed), handedOffAt: iso(NOW - 20 * MIN) });
      assert.deepEqual(report.sources.map((s) => [s.inWorkflow, s.lastError]), [[1, REDRIVE_FAILURE]]);
    }
  });
});
