import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { SqlInbox } from '../../nodes/core/inbox/inbox';
import { inboxReport } from '../../nodes/core/inbox/report';
import { normalizeStripeEvent } from '../../nodes/core/sources/stripe-terminal';
import { chargeObject, stripeEvent } from '../../sandbox/simulator/stripe-terminal-events';
import { startRedriveLoop } from '../../temporal/redrive-loop';
import { paymentWorkflowIdOfKind, PAYMENT_WORKFLOWS } from '../../temporal/start-payment/payment-workflow-setting';
import { tempStore, testKeys } from '../support/temp-store';
import { startDevServer, type DevServer } from './support/dev-server';

const MIN = 60_000;

/**
 * The worker's redrive on a real dev server, with no worker polling its task queue: the workflow it starts stays
 * running, as one retrying a CRM that is down for hours does. The inbox keeps which workflow has the event, so the
 * operator's report counts it in that workflow, not failed, long after the redrive's claim ran out.
 */
describe("the worker's redrive keeps in the inbox the workflow it handed an event to (real Temporal dev server)", { timeout: 120_000 }, () => {
  let server: DevServer;
  const stores: Awaited<ReturnType<typeof tempStore>>[] = [];
  before(async () => {
    server = await startDevServer();
  });
  after(async () => {
    await server?.stop();
    for (const s of stores) await s.remove();
  });

  for (const kind of PAYMENT_WORKFLOWS) {
    it(`${kind}: the event is in its running workflow, not failed, hours after the claim ran out`, async () => {
      const s = await tempStore();
      stores.push(s);
      const event = normalizeStripeEvent(stripeEvent('charge.succeeded', chargeObject({ amount: 7700, email: `redrive-${kind}@example.com` })));
      await new SqlInbox(s.db, testKeys()).accept([event], new Date(Date.now() - 10 * MIN));
      const lines: string[] = [];
      // The worker's default grace: its claim lasts 5 minutes. Passes after the first are left to runOnce.
      const loop = startRedriveLoop({ client: server.env.client, db: s.db, taskQueue: `redrive-loop-${randomUUID()}`, olderThanMs: 5 * MIN, everyMs: 60 * MIN, log: (l) => lines.push(l), workflow: kind });
      const pass = await loop.runOnce();
      await loop.stop();
      const workflowId = paymentWorkflowIdOfKind(event, kind);
      assert.deepEqual([...pass.redriven.map((r) => [r.eventId, r.result]), ...pass.failed.map((f) => [f.eventId, f.error])], [[event.id, workflowId]], lines.join('\n'));
      const { status } = await server.env.client.workflow.getHandle(workflowId).describe();
      assert.equal(status.name, 'RUNNING');

      for (const later of [6 * MIN, 3 * 60 * MIN]) {
        const report = await inboxReport(s.db, { now: Date.now() + later });
        const waiting = report.events.find((r) => r.eventId === event.id)!;
        assert.equal(waiting.claimedUntil, null, 'the claim ran out');
        assert.deepEqual([waiting.attempts, waiting.lastError, waiting.inWorkflow?.workflowId], [1, null, workflowId]);
        assert.ok(Math.abs(Date.parse(waiting.inWorkflow!.handedOffAt) - Date.now()) < MIN, waiting.inWorkflow!.handedOffAt);
        const stripe = report.sources.find((x) => x.source === 'stripe')!;
        assert.deepEqual([stripe.failed, stripe.inWorkflow], [0, 1], JSON.stringify(stripe));
      }
    });
  }
});
