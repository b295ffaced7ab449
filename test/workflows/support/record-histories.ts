import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { parseLoyaltyProgram } from '../../../nodes/core/loyalty/program';
import { normalizeStripeEvent } from '../../../nodes/core/sources/stripe-terminal';
import { chargeObject, stripeEvent } from '../../../sandbox/simulator/stripe-terminal-events';
import { createActivities, type ActivitySettings, type TerminalCrmActivities } from '../../../temporal/activities/worker-activities';
import { createSagaActivities } from '../../../temporal/activities/saga-activities';
import type { PollSourceInput, PollSummary } from '../../../workflows/activity-contracts/poll-activities';
import type { SendToTerminalInput } from '../../../workflows/activity-contracts/push-activities';
import { createPaymentWorker, WORKFLOWS_PATH } from '../../../temporal/payment-worker';
import { paymentWorkflowId } from '../../../temporal/start-payment/start-payment-workflow';
import { pendingReviewQuery, resolveReviewSignal } from '../../../workflows/review';
import { paymentArrivedSignal } from '../../../workflows/send-to-terminal';
import { seedCustomers, strangers } from '../../core/match/match-fixtures';
import { startTimeSkippingServer } from '../../temporal/support/dev-server';
import { resultWithin } from '../../temporal/support/result-within';
import { tempStore, TEST_TOKEN_KEYS } from '../../support/temp-store';
import { historyToJson } from './history-json';

/** Where the histories of this release are kept (the source tree, not the build). */
export const HISTORIES_DIR = resolve(__dirname, '..', '..', '..', '..', 'test', 'workflows', 'histories');

type Store = Awaited<ReturnType<typeof tempStore>>;

/**
 * One recorded run: the workflow type, its id and input, the activities it runs on, and what the test does while
 * it is open (a signal). A history is named `<workflow type>.<scenario>.json`, or `<workflow type>.json`.
 */
interface Scenario {
  file: string;
  workflowType: string;
  workflowId: string;
  args: unknown[];
  settings?: Partial<ActivitySettings>;
  seed?: (s: Store) => Promise<void>;
  /**
   * Activities that reach vendors are replaced: a replay never runs activities, it only reads their results, so a
   * stand-in needs only the fields the workflow reads.
   */
  activities?: Record<string, (...args: never[]) => Promise<unknown>> | ((s: Store) => Record<string, (...args: never[]) => Promise<unknown>>);
  during?: (handle: WorkflowHandle) => Promise<void>;
}

/** What the backfill workflow reads of its activities' state: `done` (the rest rides along to the result). */
const BACKFILL_STATE = { source: 'stripe', since: '2026-01-01T00:00:00.000Z', until: '2026-02-01T00:00:00.000Z', order: 'newest-first', reached: null, listed: 0, recorded: 0, activeMs: 0, fraction: 0, ratePerSecond: 0, etaSeconds: null };

const sale = (over: Parameters<typeof chargeObject>[0]) => normalizeStripeEvent(stripeEvent('charge.succeeded', chargeObject(over)));

/** "John Smith, 94110" against a stored Jonathan Smith of 94110: the review band. */
const seedJon = (s: Store) => seedCustomers(s.crm, [...strangers(), { id: 'cus_jon', givenName: 'Jonathan', familyName: 'Smith', email: 'jonathan.smith@example.com', postalCode: '94110' }]);
const linkWhenWaiting = async (handle: WorkflowHandle) => {
  for (let i = 0; i < 200 && !(await handle.query(pendingReviewQuery).catch(() => null)); i++) await new Promise((r) => setTimeout(r, 50));
  await handle.signal(resolveReviewSignal, { action: 'link' });
};

function scenarios(): Scenario[] {
  const plain = sale({ amount: 4200, email: 'grace@example.com', name: 'Grace Hopper' });
  const review = sale({ amount: 2500, name: 'John Smith', postalCode: '94110', card: { last4: '7001', fingerprint: 'fp_history_review' } });
  const program = parseLoyaltyProgram({ id: 'history', currency: 'USD', points: { perUnit: 2 } });
  const saga = sale({ amount: 3600, email: 'saga@example.com', name: 'Ada Saga' });
  const pushed: SendToTerminalInput = { vendor: 'stripe', sale: { amount: { minor: 1250, currency: 'USD' }, readerId: 'tmr_FrontDesk', customerId: 'cus_history', crmRecordId: 'deal-1', reference: 'deal-history' } };
  return [
    { file: 'paymentToCrm.json', workflowType: 'paymentToCrm', workflowId: paymentWorkflowId(plain.id), args: [plain], settings: { loyalty: program } },
    {
      file: 'paymentToCrm.review.json',
      workflowType: 'paymentToCrm',
      workflowId: paymentWorkflowId(review.id),
      args: [review],
      settings: { reviewWaitMs: 60 * 60_000 },
      seed: seedJon,
      during: linkWhenWaiting,
    },
    { file: 'segmentBatch.json', workflowType: 'segmentBatch', workflowId: `segment-batch-${randomUUID()}`, args: [{ asOf: '2026-11-20T03:00:00.000Z' }], settings: { loyalty: program } },
    {
      file: 'sendToTerminal.json',
      workflowType: 'sendToTerminal',
      workflowId: `send-to-terminal-stripe-${pushed.sale.reference}`,
      args: [{ ...pushed, waitForPayment: '10 minutes' }],
      activities: {
        sendToTerminal: async (i: SendToTerminalInput) => ({ outcome: 'sent', vendor: i.vendor, readerId: i.sale.readerId, reference: i.sale.reference, message: 'on the reader', paymentId: 'pi_history', metadata: { terminal_crm_customer_id: 'cus_history' }, approved: false }),
      },
      during: async (handle) => {
        for (let i = 0; i < 200 && !(await handle.fetchHistory()).events!.some((e) => e.activityTaskCompletedEventAttributes); i++) await new Promise((r) => setTimeout(r, 50));
        await handle.signal(paymentArrivedSignal, { eventId: 'stripe:evt_history', customerId: 'cus_history' });
      },
    },
    {
      file: 'pollSource.json',
      workflowType: 'pollSource',
      workflowId: `poll-square-${randomUUID()}`,
      args: [{ source: 'square', since: '2026-11-20T00:00:00Z' }],
      activities: {
        pollSourceActivity: async (i: PollSourceInput): Promise<PollSummary> => ({ source: i.source, fresh: 2, duplicates: 0, pages: 1, more: false, raced: false, workflowIds: ['payment-square:a', 'payment-square:b'] }),
      },
    },
    // paymentSaga.json (every step a regular activity) was recorded before the saga-local-store-steps patch, and
    // paymentSaga.local-steps.json (each event ended by a regular activity) before saga-one-workflow-task; both are
    // kept as they are: runs started then must still replay. These are the patched path (the review and SaaS ones
    // as recorded before saga-one-workflow-task).
    {
      file: 'paymentSaga.one-task.json',
      workflowType: 'paymentSaga',
      workflowId: `saga-${saga.id}`,
      args: [saga],
      settings: { loyalty: program },
      activities: (s) => ({ ...createSagaActivities({ storeUrl: s.url, defaultRegion: 'US', loyalty: program, crm: 'local' }) }) as never,
    },
    {
      file: 'paymentSaga.saas-crm.json',
      workflowType: 'paymentSaga',
      workflowId: `saga-saas-${saga.id}`,
      args: [saga],
      settings: { loyalty: program },
      // HubSpot with a wait: the CRM step is a regular activity (no credentials here, so the payment stays queued).
      activities: (s) => ({ ...createSagaActivities({ storeUrl: s.url, defaultRegion: 'US', loyalty: program, crm: 'hubspot', env: {}, crmWaitMs: 1_000 }) }) as never,
    },
    {
      // The review band in the saga (saga-review-waits-for-operator): it waits, an operator links it to the candidate.
      file: 'paymentSaga.review.json',
      workflowType: 'paymentSaga',
      workflowId: `saga-review-${review.id}`,
      args: [review],
      settings: { reviewWaitMs: 60 * 60_000 },
      seed: seedJon,
      activities: (s) => ({ ...createSagaActivities({ storeUrl: s.url, defaultRegion: 'US', crm: 'local' }) }) as never,
      during: linkWhenWaiting,
    },
    {
      file: 'crmSync.json',
      workflowType: 'crmSync',
      workflowId: `crm-sync-hubspot-${randomUUID()}`,
      args: [{ crm: 'hubspot' }],
      activities: {
        crmSyncDrain: async () => ({ crm: 'hubspot', synced: 2, rejected: 0, retry: 0, dead: 0, batches: 1, waiting: 0, alerts: [] }),
        crmSyncRefresh: async () => ({ crm: 'hubspot', customers: 1, pages: 1 }),
      },
    },
    {
      file: 'reconcilePeriod.json',
      workflowType: 'reconcilePeriod',
      workflowId: `reconcile-stripe-${randomUUID()}`,
      args: [{ source: 'stripe', lookbackDays: 7 }],
      activities: { reconcileActivity: async () => ({ source: 'stripe', missing: 0, duplicated: 0, mismatched: 0, repaired: 0 }) },
    },
    {
      file: 'backfill.json',
      workflowType: 'backfill',
      workflowId: 'backfill-stripe-2026-01-01T00:00:00.000Z',
      args: [{ source: 'stripe', since: '2026-01-01T00:00:00.000Z', pagesPerRun: 25 }],
      activities: {
        openBackfillActivity: async () => ({ ...BACKFILL_STATE, done: false }),
        backfillPageActivity: async () => ({ ...BACKFILL_STATE, done: true, listed: 2, recorded: 2, fraction: 1, etaSeconds: 0 }),
      },
    },
  ];
}

/** The workflow types the recorder covers; the replay test asks for a history of every registered workflow. */
export const RECORDED_WORKFLOW_TYPES = () => [...new Set(scenarios().map((s) => s.workflowType))];

/**
 * Runs every scenario on a time-skipping test server with the pack's activities over a fresh store and writes each
 * history as JSON in the shape the Temporal CLI and UI export (support/history-json.ts), so a history downloaded from production can sit
 * beside them. Run it when a workflow is added or a release changes a workflow on purpose (with patched()):
 * `node build/test/workflows/support/record-histories.js`.
 */
export async function recordHistories(outDir = HISTORIES_DIR, log: (line: string) => void = () => undefined): Promise<string[]> {
  mkdirSync(outDir, { recursive: true });
  let env: TestWorkflowEnvironment | undefined;
  const written: string[] = [];
  try {
    let bundle: WorkflowBundleWithSourceMap;
    [env, bundle] = await Promise.all([startTimeSkippingServer(), bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('WARN') })]);
    for (const sc of scenarios()) {
      const s = await tempStore();
      try {
        await sc.seed?.(s);
        const taskQueue = `record-${randomUUID()}`;
        const more = typeof sc.activities === 'function' ? sc.activities(s) : sc.activities;
        const activities = { ...createActivities({ storeUrl: s.url, tokenKeys: TEST_TOKEN_KEYS, defaultRegion: 'US', ...sc.settings }), ...more } as TerminalCrmActivities;
        const worker = await createPaymentWorker({ connection: env.nativeConnection, taskQueue, activities, workflowBundle: bundle });
        const client = env.client;
        const history = await worker.runUntil(async () => {
          const handle = await client.workflow.start(sc.workflowType, { workflowId: sc.workflowId, taskQueue, args: sc.args });
          await sc.during?.(handle);
          await resultWithin(handle);
          return handle.fetchHistory();
        });
        writeFileSync(join(outDir, sc.file), historyToJson(history));
        written.push(sc.file);
        log(`${sc.file}: ${history.events?.length ?? 0} events`);
      } finally {
        await s.remove();
      }
    }
  } finally {
    await env?.teardown();
  }
  return written;
}

if (require.main === module) {
  recordHistories(process.argv[2] ? resolve(process.argv[2]) : HISTORIES_DIR, (l) => console.log(l)).then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
