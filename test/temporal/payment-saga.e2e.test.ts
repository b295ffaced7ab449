import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { Client } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { SqlInbox } from '../../nodes/core/inbox/inbox';
import { keyProviderFromSpec } from '../../nodes/core/tokenize/key-provider';
import { parseLoyaltyProgram } from '../../nodes/core/loyalty/program';
import { normalizeStripeEvent, stripeTerminalSource } from '../../nodes/core/sources/stripe-terminal';
import { chargeObject, paymentIntentObject, signedDelivery, stripeEvent } from '../../sandbox/simulator/stripe-terminal-events';
import { createActivities, type TerminalCrmActivities } from '../../temporal/activities/worker-activities';
import { createSagaActivities } from '../../temporal/activities/saga-activities';
import type { SagaActivities } from '../../workflows/activity-contracts/saga-activities';
import { createPaymentWorker, WORKFLOWS_PATH } from '../../temporal/payment-worker';
import { PAYMENT_WORKFLOW_ENV } from '../../temporal/start-payment/payment-workflow-setting';
import { paymentSagaWorkflowId, startPaymentSaga } from '../../temporal/start-payment/start-payment-saga';
import { startWebhookServer } from '../../temporal/webhook-server';
import { activitiesOf } from '../workflows/support/history-activities';
import { tempStore, TEST_TOKEN_KEYS, TEST_WEBHOOK_SECRET } from '../support/temp-store';
import { startDevServer, type DevServer } from './support/dev-server';
import { resultWithin } from './support/result-within';

type Activities = TerminalCrmActivities & SagaActivities;
const program = parseLoyaltyProgram({ id: 'saga-e2e', currency: 'USD', points: { perUnit: 1 } });

/**
 * The saga's events of one payment arriving while its run works, on a real dev server: the time-skipping test
 * server does not model a signal that arrives while a workflow task runs local activities.
 */
describe('paymentSaga on a real Temporal dev server: events that arrive while the run works', { timeout: 120_000 }, () => {
  let server: DevServer;
  let bundle: WorkflowBundleWithSourceMap;
  let s: Awaited<ReturnType<typeof tempStore>>;
  before(async () => {
    [server, bundle] = await Promise.all([startDevServer(), bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('WARN') })]);
  });
  after(async () => {
    await server?.stop();
  });
  beforeEach(async () => {
    s = await tempStore();
  });
  afterEach(async () => {
    await s?.remove();
  });

  const real = (): Activities => ({
    ...createActivities({ storeUrl: s.url, tokenKeys: TEST_TOKEN_KEYS, defaultRegion: 'US', loyalty: program }),
    ...createSagaActivities({ storeUrl: s.url, defaultRegion: 'US', loyalty: program, crm: 'local' }),
  });
  async function withWorker<T>(activities: Activities, fn: (taskQueue: string) => Promise<T>): Promise<T> {
    const taskQueue = `saga-e2e-${randomUUID()}`;
    const worker = await createPaymentWorker({ connection: server.env.nativeConnection, taskQueue, activities, workflowBundle: bundle });
    return worker.runUntil(fn(taskQueue));
  }
  const ids = () => ({ chargeId: `ch_${randomUUID().slice(0, 8)}`, paymentIntentId: `pi_${randomUUID().slice(0, 8)}` });
  /** Each step's answers, per event id, as the workflow got them (JSON): a step asked twice for one event shows here. */
  function recording(activities: Activities): { activities: Activities; answers: Map<string, string[]> } {
    const answers = new Map<string, string[]>();
    const recorded = Object.fromEntries(
      Object.entries(activities).map(([name, fn]) => [
        name,
        async (...args: unknown[]) => {
          const id = (args[0] as { id?: string } | undefined)?.id;
          const answer = await (fn as (...a: unknown[]) => unknown)(...args);
          if (id) answers.set(`${name} ${id}`, [...(answers.get(`${name} ${id}`) ?? []), JSON.stringify(answer ?? null)]);
          return answer;
        },
      ]),
    ) as unknown as Activities;
    return { activities: recorded, answers };
  }
  /**
   * The server refused the first task's completion (an event had reached the run), so its local steps were asked
   * again: each answered as it did the first time, and the ones that write did not write again.
   */
  function assertAskedAgainAnsweredAlike(answers: Map<string, string[]>, eventId: string): void {
    const again = [...answers].filter(([key, list]) => key.endsWith(` ${eventId}`) && list.length > 1);
    assert.ok(again.some(([key]) => key.startsWith('upsert ')), `the first task's steps were asked again: ${JSON.stringify([...answers].map(([k, l]) => [k, l.length]))}`);
    for (const [key, list] of again) assert.ok(list.every((x) => x === list[0]), `${key} answered alike each time`);
  }

  it('a refund signalled-with-start while its payment is in its segment step is applied after the payment, each effect once, and the totals are right', async () => {
    const both = ids();
    const pay = normalizeStripeEvent(stripeEvent('charge.succeeded', chargeObject({ amount: 4200, email: 'lin@example.com', ...both })));
    const refund = normalizeStripeEvent(stripeEvent('charge.refunded', chargeObject({ amount: 4200, amountRefunded: 1000, email: 'lin@example.com', ...both })));
    assert.equal(refund.paymentId, pay.paymentId);
    const { activities, answers } = recording(real());
    let reached!: () => void;
    let release!: () => void;
    const inSegment = new Promise<void>((r) => (reached = r));
    const gate = new Promise<void>((r) => (release = r));
    const held: Activities = {
      ...activities,
      segment: async (message) => {
        if (message.id === pay.id) {
          reached();
          await gate;
        }
        return activities.segment(message);
      },
    };
    const { result, sameRun, history } = await withWorker(held, async (taskQueue) => {
      const payment = await startPaymentSaga(server.env.client, pay, { taskQueue });
      await Promise.race([inSegment, new Promise((_, no) => setTimeout(() => no(new Error('the payment never reached its segment step')), 10_000))]);
      const refunded = await startPaymentSaga(server.env.client, refund, { taskQueue });
      release();
      return { result: await resultWithin(payment), sameRun: refunded.signaledRunId === payment.signaledRunId, history: await payment.fetchHistory() };
    });
    assert.ok(sameRun, 'the refund went to the running saga, not a run of its own');
    assert.deepEqual(result.events.map((x) => [x.eventId, x.outcome]), [[pay.id, 'recorded'], [refund.id, 'recorded']]);
    assertAskedAgainAnsweredAlike(answers, pay.id);
    assert.deepEqual(activitiesOf(history).filter((a) => !a.local).map((a) => a.type), [], 'every step a local activity');
    const totals = await s.db.get<{ gross_minor: number; refunded_minor: number }>('SELECT gross_minor, refunded_minor FROM customer_totals WHERE customer_id = ?', [result.events[0]!.customerId]);
    assert.deepEqual({ gross: Number(totals!.gross_minor), refunded: Number(totals!.refunded_minor) }, { gross: 4200, refunded: 1000 });
    assert.equal(result.events[1]!.loyalty!.pointsBalance, 32, '42 earned, 10 reversed by the refund');
  });

  it('the two events Stripe sends for one payment, moments apart, are one run: each applied once, neither reported a duplicate', async () => {
    const both = ids();
    const charge = normalizeStripeEvent(stripeEvent('charge.succeeded', chargeObject({ amount: 2600, email: 'sam@example.com', ...both })));
    const intent = normalizeStripeEvent(stripeEvent('payment_intent.succeeded', paymentIntentObject({ amount: 2600, email: 'sam@example.com', ...both })));
    assert.equal(intent.paymentId, charge.paymentId);
    const { activities, answers } = recording(real());
    // The first event's upsert waits until the second is at the server: it arrives while the task runs.
    let reached!: () => void;
    let release!: () => void;
    const inUpsert = new Promise<void>((r) => (reached = r));
    const gate = new Promise<void>((r) => (release = r));
    const held: Activities = {
      ...activities,
      upsert: async (message, resolution) => {
        if (message.id === intent.id) {
          reached();
          await gate;
        }
        return activities.upsert(message, resolution);
      },
    };
    const { result, sameRun } = await withWorker(held, async (taskQueue) => {
      const first = await startPaymentSaga(server.env.client, intent, { taskQueue });
      await Promise.race([inUpsert, new Promise((_, no) => setTimeout(() => no(new Error('the first event never reached its upsert')), 10_000))]);
      const second = await startPaymentSaga(server.env.client, charge, { taskQueue });
      release();
      return { result: await resultWithin(first), sameRun: first.signaledRunId === second.signaledRunId };
    });
    assert.ok(sameRun);
    assert.deepEqual(result.events.map((x) => x.eventId), [intent.id, charge.id]);
    assert.ok(result.events.every((x) => x.outcome !== 'duplicate'), JSON.stringify(result.events.map((x) => x.outcome)));
    assertAskedAgainAnsweredAlike(answers, intent.id);
    const payments = await s.db.all<{ event_id: string }>('SELECT event_id FROM transactions WHERE event_id IN (?, ?)', [intent.id, charge.id]);
    assert.ok(payments.length >= 1, 'the payment is in the ledger');
    assert.equal(new Set(result.events.map((x) => x.customerId)).size, 1, 'one customer');
  });

  it('the webhook entry beside a worker of its process starts a new saga eagerly, and hands a second event of that payment to the running saga', async () => {
    const both = ids();
    const pay = stripeEvent('charge.succeeded', chargeObject({ amount: 3100, email: 'eve@example.com', ...both }));
    const refund = stripeEvent('charge.refunded', chargeObject({ amount: 3100, amountRefunded: 600, email: 'eve@example.com', ...both }));
    const { activities } = recording(real());
    let reached!: () => void;
    let release!: () => void;
    const inSegment = new Promise<void>((r) => (reached = r));
    const gate = new Promise<void>((r) => (release = r));
    const held: Activities = {
      ...activities,
      segment: async (message) => {
        if (message.kind === 'payment') {
          reached();
          await gate;
        }
        return activities.segment(message);
      },
    };
    const previous = process.env[PAYMENT_WORKFLOW_ENV];
    process.env[PAYMENT_WORKFLOW_ENV] = 'saga';
    try {
      const { result, answers } = await withWorker(held, async (taskQueue) => {
        // The worker's own connection, as `terminal-crm worker --webhook-port` hands it to its entry.
        const local = new Client({ connection: server.env.nativeConnection });
        const web = await startWebhookServer({
          client: server.env.client, localWorkerClient: () => local, taskQueue, port: 0,
          sources: { stripe: { source: stripeTerminalSource, credentials: { signingSecret: [TEST_WEBHOOK_SECRET] } } },
          inbox: new SqlInbox(s.db, keyProviderFromSpec(TEST_TOKEN_KEYS)),
        });
        try {
          const post = async (event: object) => {
            const d = signedDelivery(event, TEST_WEBHOOK_SECRET);
            const res = await fetch(`${web.url}/webhooks/stripe`, { method: 'POST', headers: d.headers, body: d.body, signal: AbortSignal.timeout(10_000) });
            return res.status;
          };
          const first = await post(pay);
          await Promise.race([inSegment, new Promise((_, no) => setTimeout(() => no(new Error('the payment never reached its segment step')), 10_000))]);
          const second = await post(refund);
          release();
          const workflowId = paymentSagaWorkflowId(normalizeStripeEvent(pay));
          return { result: await resultWithin(server.env.client.workflow.getHandle(workflowId)), answers: [first, second] };
        } finally {
          await web.close();
        }
      });
      assert.deepEqual(answers, [200, 200]);
      assert.deepEqual(result.events.map((x: { outcome: string }) => x.outcome), ['recorded', 'recorded'], 'one run applied both, the refund after its sale');
      const totals = await s.db.get<{ gross_minor: number; refunded_minor: number }>('SELECT gross_minor, refunded_minor FROM customer_totals WHERE customer_id = ?', [result.events[0]!.customerId]);
      assert.deepEqual({ gross: Number(totals!.gross_minor), refunded: Number(totals!.refunded_minor) }, { gross: 3100, refunded: 600 });
      const inbox = await s.db.all<{ state: string }>('SELECT state FROM inbox_events WHERE event_id IN (?, ?)', [normalizeStripeEvent(pay).id, normalizeStripeEvent(refund).id]);
      assert.equal(inbox.length, 2, 'both kept in the inbox before the answer');
    } finally {
      if (previous === undefined) delete process.env[PAYMENT_WORKFLOW_ENV];
      else process.env[PAYMENT_WORKFLOW_ENV] = previous;
    }
  });
});
