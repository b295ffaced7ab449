import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { normalizeStripeEvent } from '../../nodes/core/sources/stripe-terminal';
import { chargeObject, stripeEvent } from '../../sandbox/simulator/stripe-terminal-events';
import { createActivities } from '../../temporal/activities/worker-activities';
import { createSagaActivities } from '../../temporal/activities/saga-activities';
import type { SagaActivities } from '../../workflows/activity-contracts/saga-activities';
import { handToTemporal } from '../../temporal/hand-to-temporal';
import { createPaymentWorker } from '../../temporal/payment-worker';
import { connectTemporalTarget, temporalTargetOf } from '../../temporal/temporal-target';
import type { paymentSaga } from '../../workflows/payment-saga';
import { tempStore, TEST_TOKEN_KEYS } from '../support/temp-store';
import { startDevServer, type DevServer } from './support/dev-server';
import { resultWithin } from './support/result-within';
import { eventText, eventTypeName } from './support/history-text';

function within<T>(what: string, ms: number, p: Promise<T>): Promise<T> {
  const deadline = new Promise<never>((_, no) => setTimeout(() => no(new Error(`${what}: nothing after ${ms} ms`)), ms).unref());
  return Promise.race([p, deadline]);
}

describe('Hand to Temporal (the glue both faces use) on a real Temporal dev server', { timeout: 120_000 }, () => {
  let server: DevServer;
  let s: Awaited<ReturnType<typeof tempStore>>;
  let worker: Worker;
  let running: Promise<void>;
  let client: Client;
  const taskQueue = `hand-${randomUUID()}`;
  let reached!: () => void;
  let release!: () => void;
  const firstInSegment = new Promise<void>((r) => (reached = r));
  const gate = new Promise<void>((r) => (release = r));
  let holdEventId = '';

  before(async () => {
    [server, s] = await Promise.all([startDevServer(), tempStore()]);
    const classic = createActivities({ storeUrl: s.url, tokenKeys: TEST_TOKEN_KEYS, defaultRegion: 'US' });
    const saga: SagaActivities = createSagaActivities({ storeUrl: s.url, defaultRegion: 'US', crm: 'local' });
    // The first event waits in its segment step until the second has been handed over, so "joins the run" is tested
    // while the run is certainly still going.
    const activities = {
      ...classic,
      ...saga,
      segment: async (message: Parameters<typeof classic.segment>[0]) => {
        if (message.id === holdEventId) {
          reached();
          await within('the test releasing the first event', 20_000, gate);
        }
        return classic.segment(message);
      },
    };
    worker = await createPaymentWorker({ connection: server.env.nativeConnection, taskQueue, activities });
    running = worker.run();
    // As the n8n credential and the Node-RED config node describe the server.
    client = await connectTemporalTarget(temporalTargetOf({ address: server.env.address, namespace: 'default', taskQueue }));
  });

  after(async () => {
    release?.();
    await client?.connection.close();
    if (worker && worker.getState() === 'RUNNING') worker.shutdown();
    await running?.catch(() => undefined);
    await server?.stop();
    await s?.remove();
  });

  it('starts the saga of a raw payment event at once; a refund of the same payment joins that run and is recorded after it', async () => {
    const ids = { chargeId: `ch_${randomUUID().slice(0, 8)}`, paymentIntentId: `pi_${randomUUID().slice(0, 8)}` };
    const sale = normalizeStripeEvent(stripeEvent('charge.succeeded', chargeObject({ amount: 3100, email: 'joan@example.com', name: 'Joan Clarke', ...ids })));
    const refund = normalizeStripeEvent(stripeEvent('charge.refunded', chargeObject({ amount: 3100, amountRefunded: 600, email: 'joan@example.com', ...ids })));
    holdEventId = sale.id;

    const t0 = Date.now();
    const first = await within('handing the sale', 10_000, handToTemporal(client, taskQueue, sale));
    const handMs = Date.now() - t0;
    assert.equal(first.workflowId, `payment-stripe:${sale.paymentId}`);
    assert.equal(first.eventId, sale.id);
    assert.ok(handMs < 5_000, `returned at once, not after the saga (${handMs} ms)`);

    await within('the sale reaching its segment step', 15_000, firstInSegment);
    // A later step's item (fields beside the event) is what a flow may hand over too.
    const second = await within('handing the refund', 10_000, handToTemporal(client, taskQueue, { ...refund, note: 'from a later step' }));
    release();
    assert.equal(second.workflowId, first.workflowId);
    assert.equal(second.runId, first.runId, 'the refund went to the running saga, not a run of its own');

    const result = await resultWithin(client.workflow.getHandle<typeof paymentSaga>(first.workflowId, first.runId), 30_000);
    assert.deepEqual(result.events.map((e) => [e.eventId, e.outcome]), [[sale.id, 'recorded'], [refund.id, 'recorded']]);
    const rows = await s.db.all<{ event_id: string }>('SELECT event_id FROM transactions WHERE event_id IN (?, ?) ORDER BY event_id', [sale.id, refund.id]);
    assert.deepEqual(rows.map((r) => r.event_id).sort(), [sale.id, refund.id].sort());
    const totals = await s.db.get<{ gross_minor: number; refunded_minor: number }>('SELECT gross_minor, refunded_minor FROM customer_totals WHERE customer_id = ?', [result.events[0]!.customerId]);
    assert.deepEqual({ gross: Number(totals!.gross_minor), refunded: Number(totals!.refunded_minor) }, { gross: 3100, refunded: 600 });
  });

  it('keeps card numbers, track data, security codes and PINs a flow step added to the item out of the saga\'s history', async () => {
    const ids = { chargeId: `ch_${randomUUID().slice(0, 8)}`, paymentIntentId: `pi_${randomUUID().slice(0, 8)}` };
    const sale = normalizeStripeEvent(stripeEvent('charge.succeeded', chargeObject({ amount: 2500, email: 'alan@example.com', name: 'Alan Turing', ...ids })));
    // What a Set or Code node between the trigger and Hand to Temporal may put into any free-text field it keeps.
    const item = {
      ...sale,
      customerHints: { ...sale.customerHints, name: 'Alan Turing 4000 0566 5566 5556', phone: '4242-4242-4242-4242', postalCode: 'cvv 321' },
      metadata: { ...sale.metadata, note: 'clerk typed 4242424242424242 exp 12/29 cvv 123', track2: ';4000056655665556=29121011000012345678?', pin: 'PIN 9876' },
    };
    const handed = await within('handing the sale', 10_000, handToTemporal(client, taskQueue, { event: item }));
    const handle = client.workflow.getHandle<typeof paymentSaga>(handed.workflowId, handed.runId);
    const result = await resultWithin(handle, 30_000);
    assert.deepEqual(result.events.map((e) => [e.eventId, e.outcome]), [[sale.id, 'recorded']]);
    const events = (await handle.fetchHistory()).events!;
    const texts = events.map((ev) => ({ type: eventTypeName(ev), text: eventText(ev) }));
    assert.ok(texts.some((t) => t.text.includes('[redacted card number]')), 'the note is in the history, redacted');
    const secrets = /4242[ -]?4242[ -]?4242[ -]?4242|4000[ -]?0566[ -]?5566[ -]?5556|=2912101|cvv 123|cvv 321|PIN 9876/;
    assert.deepEqual(texts.filter((t) => secrets.test(t.text)).map((t) => t.type), []);
  });

  it('a server that is not there fails with the address in the message, within the connect deadline', async () => {
    const target = temporalTargetOf({ address: '127.0.0.1:1', taskQueue });
    await assert.rejects(connectTemporalTarget(target, 2_000), (e: unknown) => e instanceof Error && /Address: cannot reach Temporal at 127\.0\.0\.1:1/.test(e.message));
  });
});
