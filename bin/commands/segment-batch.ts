import { parseArgs } from 'node:util';
import { ENV } from '../../nodes/core/config/settings';
import { loyaltyProgramFromEnv, segmentConfigFromEnv } from '../../nodes/core/pipeline/settings';
import { InputError } from '../../nodes/core/errors';
import { fieldsTargetOf } from '../../nodes/core/outbox/field-updates';
import { runScheduledBatch, type LoyaltyReviewSummary, type SegmentBatchSummary } from '../../nodes/core/segment/scheduled-run';
import type { CliIo, Command } from './command';
import { withStore } from './store-option';
import { plural } from './plural';

const usage = `Usage: terminal-crm segment-batch [--as-of TIME] [--store URL] [--json]

Runs the segment batch once, now, against the store: what the Temporal worker's schedule
(terminal-crm-segment-batch) runs daily, for shops without Temporal (put it in cron) or to
catch up by hand. It scores every customer exactly (RFM quintiles, segment, flags), fits a
fresh lifetime-value model per currency, and reviews the loyalty program: points past their
expiry date expire, members whose spend left the tier window move down. Payments between
runs are scored against the last run, so run it at least daily. Prints what changed, and
the payments in the ledger no customer's statistics hold (linked to no customer, or
recorded without a Segment step), which no run scores.

Settings, from the environment as for the worker:
  TERMINAL_CRM_STORE_URL        the store (default ~/.terminal-crm/store.db)
  TERMINAL_CRM_SEGMENT_CONFIG   the Segment settings as JSON, or a JSON file (unset: the
                                defaults; "off": no scoring)
  TERMINAL_CRM_LOYALTY_PROGRAM  the loyalty program as JSON, or a JSON file (unset: no review)

Options:
  --as-of TIME   score as of this time instead of now (2025-07-01 or 2025-07-01T03:00:00Z);
                 not later than now; the loyalty review is never as of a time earlier than
                 its last run's
  --store URL    the store, instead of TERMINAL_CRM_STORE_URL
  --json         print the summary as one JSON object
  -h, --help     show this help
`;

/** Why a payment of a known customer is in no one's statistics (a flow with no Segment node, a redrive, a backfill). */
const SEGMENT_STEP_ONLY =
  'statistics are kept by the Segment step as each payment passes it (n8n: Segment Customer; Node-RED: terminal segment; ' +
  'the Temporal worker\'s payment workflows), and payments recorded without it are not scored';

/**
 * The batch scores the statistics the Segment step keeps as each payment passes it: payments it never counted are
 * said, scored customers or not ("no payments" would be untrue when the ledger holds them).
 */
function describeUnscored(s: SegmentBatchSummary, io: CliIo): void {
  const u = s.unscored;
  if (s.currencies.length === 0) {
    if (!u || u.notCounted === 0) io.out('No customers with payments yet: nothing to score.\n');
    else io.out(`No customer has segment statistics yet: nothing to score. The ledger holds ${plural(u.notCounted, 'payment', 'payments')} of known customers, but ${SEGMENT_STEP_ONLY}.\n`);
    if (u && u.noCustomer > 0) io.out(`The ledger's ${plural(u.noCustomer, 'payment', 'payments')} linked to no customer cannot be scored (CRM Upsert linked them to no one).\n`);
  } else if (u) {
    io.out(`Not scored: ${plural(u.payments, 'payment', 'payments')} in the ledger\n`);
    if (u.notCounted > 0) io.out(`  ${u.notCounted} of known customers that no Segment step counted: ${SEGMENT_STEP_ONLY}\n`);
    if (u.noCustomer > 0) io.out(`  ${u.noCustomer} linked to no customer (CRM Upsert linked them to no one)\n`);
  }
  if (u && u.examples.length > 0) {
    const reason = { 'no-customer': 'no customer', 'not-counted': 'no Segment step' } as const;
    io.out(`  for example ${u.examples.map((e) => `${e.source} ${e.paymentId} (${e.currency}, ${reason[e.reason]})`).join(', ')}\n`);
  }
}

function describeSegment(s: SegmentBatchSummary, io: CliIo): void {
  for (const c of s.currencies) {
    io.out(`${c.currency}: ${c.customers} customers scored (run ${c.runId}), ${c.segmentChanges} changed segment\n`);
    const counts = Object.entries(c.segmentCounts).sort((a, b) => b[1] - a[1]);
    io.out(`  ${counts.map(([name, n]) => `${name} ${n}`).join(' · ')}\n`);
    io.out(c.modelId ? `  lifetime-value model ${c.modelId} fitted${c.modelSkipped ? ` (${c.modelSkipped})` : ''}\n` : `  no lifetime-value model: ${c.modelSkipped}\n`);
    if (c.skippedConcurrent > 0) io.out(`  ${c.skippedConcurrent} customers kept as a payment scored them during the run\n`);
  }
  describeUnscored(s, io);
}

function describeLoyalty(l: LoyaltyReviewSummary, io: CliIo): void {
  io.out(
    `Loyalty program "${l.programId}": ${l.pointsExpired} points expired (${l.expiredEntries} earnings), ` +
      `${l.upgrades} members moved up a tier, ${l.downgrades} down\n`,
  );
}

export const segmentBatchCommand: Command = {
  name: 'segment-batch',
  summary: 'score every customer (RFM, segment, lifetime value) and review loyalty points, once',
  usage,
  async run(args, io) {
    const { values } = parseArgs({ args, options: { 'as-of': { type: 'string' }, store: { type: 'string' }, json: { type: 'boolean' } }, strict: true, allowPositionals: false });
    const asOf = values['as-of'] === undefined ? new Date() : new Date(values['as-of']);
    if (Number.isNaN(asOf.getTime())) throw new InputError('--as-of', `"${values['as-of']}" is not a time`, 'write it as 2025-07-01 or 2025-07-01T03:00:00Z');
    // The review keeps the later of its time and the last one's (a cursor that only moves forward) and expires points due
    // by then: a time ahead of the clock would expire them early and hold tiers as of then until the clock caught up.
    if (asOf.getTime() > Date.now()) throw new InputError('--as-of', `${asOf.toISOString()} is later than now`, 'write a time no later than now, or leave --as-of out to score as of now');
    const segment = segmentConfigFromEnv(process.env);
    const loyalty = loyaltyProgramFromEnv(process.env);
    if (!segment && !loyalty) {
      io.err(`Nothing to do: the Segment step is off (${ENV.segmentConfig}=off) and no loyalty program is set (${ENV.loyaltyProgram}).\n`);
      return 0;
    }
    const crm = fieldsTargetOf(process.env.TERMINAL_CRM_CRM, 'TERMINAL_CRM_CRM');
    const started = Date.now();
    let lastReport = started;
    return withStore(values.store, async ({ db, location }) => {
      io.err(`segment-batch: ${location}, as of ${asOf.toISOString()}\n`);
      const result = await runScheduledBatch(db, {
        segment,
        loyalty,
        asOf,
        // A SaaS CRM (TERMINAL_CRM_CRM) gets the changed fields through the outbox; `terminal-crm sync` sends them.
        ...(crm ? { crm } : {}),
        // Progress for large stores, a line every few seconds.
        onProgress: (p) => {
          if (Date.now() - lastReport < 3_000 || (p.phase === 'writing' && p.written === 0)) return;
          lastReport = Date.now();
          io.err(p.phase === 'unscored' ? `  looking for unscored payments: ${p.customers} payments read\n` : `  ${p.currency}: ${p.phase === 'writing' ? `${p.written} of ${p.customers} customers written` : `${p.phase} ${p.customers} customers`}\n`);
        },
      });
      if (values.json) {
        io.out(`${JSON.stringify({ asOf: asOf.toISOString(), ...result })}\n`);
      } else {
        if (result.segment) describeSegment(result.segment, io);
        else io.out(`Segment scoring is off (${ENV.segmentConfig}=off).\n`);
        if (result.loyalty) describeLoyalty(result.loyalty, io);
      }
      io.err(`segment-batch: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
      return 0;
    });
  },
};
