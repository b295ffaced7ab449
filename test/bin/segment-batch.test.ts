import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../bin/cli';
import { COMMANDS } from '../../bin/commands';
import { recordEvents } from '../../nodes/core/ledger/record-events';
import { parseLoyaltyProgram } from '../../nodes/core/loyalty/program';
import type { SegmentBatchSummary } from '../../nodes/core/segment/scheduled-run';
import { closeAllDatabases, openDatabase } from '../../nodes/core/store/open-database';
import { payment } from '../core/ledger/support/events';
import { dialectStores } from '../core/match/store-dialects';
import { coreSteps, expectedRfm, MAY_SALES, seedPayments, storedRfm, type SeedPayment } from '../workflows/support/seed-payments';

const PROGRAM = { id: 'cli-test', currency: 'USD', points: { expiryDays: 30 } };

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(['segment-batch', ...args], COMMANDS, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

/** Everyone comes back on the same June day: against May's run they all look like the most recent buyers. */
const JUNE: SeedPayment[] = ['ana', 'ben', 'chloe', 'dev', 'eve', 'fay'].map((name) => ({ email: `${name}@example.com`, amount: 1000, at: '2025-06-15T10:00:00Z' }));

/** The scheduled run (segment batch and loyalty review) on the SQLite file and on PostgreSQL, to one outcome. */
const stores = dialectStores('tcrm-segment-batch-cli');

for (const where of stores) describe(`terminal-crm segment-batch on ${where.dialect}`, () => {
  let storeUrl = '';
  const saved = { segment: process.env.TERMINAL_CRM_SEGMENT_CONFIG, loyalty: process.env.TERMINAL_CRM_LOYALTY_PROGRAM };
  before(async () => {
    storeUrl = (await where.open()).url;
    process.env.TERMINAL_CRM_SEGMENT_CONFIG = '';
    process.env.TERMINAL_CRM_LOYALTY_PROGRAM = JSON.stringify(PROGRAM);
    await seedPayments(coreSteps(storeUrl, parseLoyaltyProgram(PROGRAM)), MAY_SALES);
  });
  after(async () => {
    for (const [name, value] of [['TERMINAL_CRM_SEGMENT_CONFIG', saved.segment], ['TERMINAL_CRM_LOYALTY_PROGRAM', saved.loyalty]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await closeAllDatabases();
  });

  it('scores every customer exactly and prints the summary as JSON', async () => {
    const segments = async () => new Map((await (await openDatabase(storeUrl)).all<{ customer_id: string; segment: string | null }>('SELECT customer_id, segment FROM segment_stats')).map((r) => [r.customer_id, r.segment]));
    const before = await segments();
    const { code, out, err } = await cli('--store', storeUrl, '--as-of', '2025-06-01', '--json');
    assert.equal(code, 0, err);
    const result = JSON.parse(out) as { asOf: string; segment: SegmentBatchSummary; loyalty: { pointsExpired: number } };
    assert.equal(result.asOf, '2025-06-01T00:00:00.000Z');
    const usd = result.segment.currencies[0]!;
    assert.equal(usd.customers, 6);
    const now = await segments();
    assert.equal(usd.segmentChanges, [...now].filter(([id, segment]) => before.get(id) !== segment).length);
    assert.ok(usd.segmentChanges > 0);
    assert.equal(Object.values(usd.segmentCounts).reduce((a, b) => a + b, 0), 6);
    const stored = await storedRfm(await openDatabase(storeUrl));
    for (const [email, scores] of expectedRfm(MAY_SALES)) assert.deepEqual(stored.get(email), { ...scores, runId: usd.runId }, email);
    assert.equal(result.loyalty.pointsExpired, 25, "only Ana's points of May 1 are past their 30 days");
  });

  it('turns the approximate scores payments got between runs into exact ones, and says what changed', async () => {
    await seedPayments(coreSteps(storeUrl, parseLoyaltyProgram(PROGRAM)), JUNE);
    const db = await openDatabase(storeUrl);
    const between = await storedRfm(db);
    const firstRun = between.get('ana@example.com')!.runId;
    // Between runs each customer is placed against May's thresholds: last bought after everyone then, R = 5.
    for (const [email, s] of between) assert.deepEqual({ r: s.r, runId: s.runId }, { r: 5, runId: firstRun }, email);

    const { code, out, err } = await cli('--store', storeUrl, '--as-of', '2025-07-01');
    assert.equal(code, 0, err);
    const after = await storedRfm(await openDatabase(storeUrl));
    const exact = expectedRfm([...MAY_SALES, ...JUNE]);
    const secondRun = after.get('ana@example.com')!.runId;
    assert.notEqual(secondRun, firstRun);
    for (const [email, scores] of exact) assert.deepEqual(after.get(email), { ...scores, runId: secondRun }, email);
    // Ranked among themselves, six customers who last bought on the same day share the lowest recency score.
    assert.ok([...after.values()].every((s) => s.r === 1));
    assert.match(out, new RegExp(`^USD: 6 customers scored \\(run ${secondRun}\\), \\d+ changed segment$`, 'm'));
    assert.match(out, /^ {2}no lifetime-value model: 6 customers, fewer than the 50 needed/m);
    assert.match(out, /^Loyalty program "cli-test": \d+ points expired \(\d+ earnings\), 0 members moved up a tier, 0 down$/m);
  });

  it('beside the customers it scored, names the payments in the ledger that no customer\'s statistics hold, in text and JSON', async () => {
    const db = await openDatabase(storeUrl);
    const known = (await db.get<{ customer_id: string }>('SELECT customer_id FROM segment_stats ORDER BY customer_id LIMIT 1'))!.customer_id;
    await db.transaction((tx) => recordEvents(tx, [
      payment('pi_noseg1', 1200, '2025-06-20T10:00:00.000Z', { customerId: known }),
      payment('pi_noseg2', 800, '2025-06-21T10:00:00.000Z', { customerId: known }),
      payment('pi_nobody', 500, '2025-06-22T10:00:00.000Z', { customerId: null }),
    ]));
    const text = await cli('--store', storeUrl, '--as-of', '2025-07-01');
    assert.equal(text.code, 0, text.err);
    assert.match(text.out, /^USD: 6 customers scored \(run [^)]+\), \d+ changed segment$/m);
    assert.match(text.out, /^Not scored: 3 payments in the ledger$/m);
    assert.match(text.out, /^ {2}2 of known customers that no Segment step counted: statistics are kept by the Segment step as each payment passes it/m);
    assert.match(text.out, /^ {2}1 linked to no customer \(CRM Upsert linked them to no one\)$/m);
    assert.match(text.out, /^ {2}for example stripe pi_nobody \(USD, no customer\), stripe pi_noseg1 \(USD, no Segment step\), stripe pi_noseg2 \(USD, no Segment step\)$/m);
    const json = await cli('--store', storeUrl, '--as-of', '2025-07-01', '--json');
    assert.equal(json.code, 0, json.err);
    const result = JSON.parse(json.out) as { segment: SegmentBatchSummary };
    assert.equal(result.segment.currencies[0]!.customers, 6);
    assert.deepEqual(result.segment.unscored, {
      payments: 3, noCustomer: 1, notCounted: 2,
      examples: [
        { source: 'stripe', paymentId: 'pi_nobody', currency: 'USD', reason: 'no-customer' },
        { source: 'stripe', paymentId: 'pi_noseg1', currency: 'USD', reason: 'not-counted' },
        { source: 'stripe', paymentId: 'pi_noseg2', currency: 'USD', reason: 'not-counted' },
      ],
    });
  });

  it('with payments in the ledger that no Segment step saw, says so instead of "no customers with payments"', async () => {
    const { db, url: other } = await where.open();
    await db.transaction((tx) => recordEvents(tx, [payment('pi_unscored1', 1200, '2025-05-01T10:00:00.000Z'), payment('pi_unscored2', 800, '2025-05-02T10:00:00.000Z')]));
    await closeAllDatabases();
    const r = await cli('--store', other);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^No customer has segment statistics yet: nothing to score\. The ledger holds 2 payments of known customers, but statistics are kept by the Segment step/m);
    assert.doesNotMatch(r.out, /No customers with payments/);
  });

  it('refuses a time that is not one, and has nothing to do with both steps off', async () => {
    const bad = await cli('--store', storeUrl, '--as-of', 'soon');
    assert.equal(bad.code, 1);
    assert.match(bad.err, /--as-of: "soon" is not a time\. Fix: /);
    const ahead = new Date(Date.now() + 3_600_000).toISOString();
    const future = await cli('--store', storeUrl, '--as-of', ahead);
    assert.equal(future.code, 1);
    assert.match(future.err, /--as-of: \S+ is later than now\. Fix: write a time no later than now/);
    process.env.TERMINAL_CRM_SEGMENT_CONFIG = 'off';
    delete process.env.TERMINAL_CRM_LOYALTY_PROGRAM;
    const idle = await cli('--store', storeUrl);
    assert.equal(idle.code, 0);
    assert.match(idle.err, /^Nothing to do: the Segment step is off/);
  });
});
