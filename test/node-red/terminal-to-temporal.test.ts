import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { normalizeStripeEvent } from '../../nodes/core/sources/stripe-terminal';
import registerBackfill from '../../nodes/node-red/terminal-backfill';
import registerServer from '../../nodes/node-red/terminal-temporal-server';
import registerToTemporal from '../../nodes/node-red/terminal-to-temporal';
import type { TemporalServerNode } from '../../nodes/node-red/shared/temporal-server-node';
import { chargeObject, stripeEvent } from '../../sandbox/simulator/stripe-terminal-events';
import { fakeRed, type FakeNode } from './support/fake-red';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { InputError } from '../../nodes/core/errors';

/** Stands in for the Temporal client: records the calls the nodes make (the server's side is the e2e test's). */
function recordingClient() {
  const calls: { method: string; type: string; options: Record<string, unknown> }[] = [];
  const client = {
    workflow: {
      signalWithStart: async (type: string, options: Record<string, unknown>) => (calls.push({ method: 'signalWithStart', type, options }), { workflowId: options.workflowId, signaledRunId: 'run-1' }),
      start: async (type: string, options: Record<string, unknown>) => (calls.push({ method: 'start', type, options }), { workflowId: options.workflowId }),
      getHandle: () => ({}),
    },
  } as unknown as Client;
  return { client, calls };
}

describe('terminal to temporal and terminal backfill (in a stand-in for Node-RED)', () => {
  let red: ReturnType<typeof fakeRed>;
  let server: FakeNode;
  let recorded: ReturnType<typeof recordingClient>;
  let connects = 0;
  beforeEach(() => {
    red = fakeRed();
    registerServer(red.RED);
    registerToTemporal(red.RED);
    registerBackfill(red.RED);
    server = red.create('terminal-temporal-server', { id: 'tmp', address: '127.0.0.1:7233', namespace: 'default', taskQueue: 'tq-red' }, { apiKey: '' });
    recorded = recordingClient();
    connects = 0;
    (server as unknown as TemporalServerNode).client = async () => (connects++, recorded.client);
  });
  const sale = () => normalizeStripeEvent(stripeEvent('charge.succeeded', chargeObject({ amount: 700, email: 'red@example.com' })));

  it("the config node reads its settings and secrets as the core's Temporal target", () => {
    const other = red.create('terminal-temporal-server', { id: 'cloud', address: 'ns.acct.tmprl.cloud:7233', namespace: 'ns.acct' }, { apiKey: 'secret-key' });
    assert.deepEqual((other as unknown as TemporalServerNode).target(), { address: 'ns.acct.tmprl.cloud:7233', namespace: 'ns.acct', taskQueue: 'terminal-crm', tls: {}, apiKey: 'secret-key' });
  });

  it('the config node names a wrong PEM field as its dialog labels it (Client cert, Client key, CA cert)', () => {
    const labels = (JSON.parse(readFileSync(resolve(__dirname, '../../../nodes/node-red/locales/en-US/terminal-temporal-server.json'), 'utf8')) as Record<string, { label: Record<string, string> }>)['terminal-temporal-server']!.label;
    const PEM = (what: string) => `-----BEGIN ${what}-----\nMIIB\n-----END ${what}-----`;
    const target = (credentials: Record<string, string>) => () => (red.create('terminal-temporal-server', { id: `t-${Object.keys(credentials).join('-')}`, address: '127.0.0.1:7233' }, credentials) as unknown as TemporalServerNode).target();
    const named = (field: string) => (e: unknown) => e instanceof InputError && e.field === field;
    assert.throws(target({ clientCertificate: PEM('CERTIFICATE') }), named(labels.clientKey!));
    assert.throws(target({ clientKey: PEM('PRIVATE KEY') }), named(labels.clientCertificate!));
    assert.throws(target({ caCertificate: 'MIIB' }), named(labels.caCertificate!));
  });

  it('hands msg.payload to its saga on the configured task queue and sends the workflow id on', async () => {
    const e = sale();
    const node = red.create('terminal-to-temporal', { id: 'to', server: 'tmp' });
    const { sent, error } = await node.receive({ ...e, match: { decision: 'create' } }, { topic: 'keep me' });
    assert.equal(error, undefined);
    assert.deepEqual(sent!.payload, { workflowId: `payment-stripe:${e.paymentId}`, runId: 'run-1', eventId: e.id, paymentKey: `stripe:${e.paymentId}`, taskQueue: 'tq-red' });
    assert.equal(sent!.topic, 'keep me');
    assert.deepEqual(recorded.calls.map((c) => [c.method, c.type, c.options.taskQueue]), [['signalWithStart', 'paymentSaga', 'tq-red']]);
    assert.deepEqual(recorded.calls[0]!.options.signalArgs, [e]);
  });

  it('a payload that is not a payment event goes to done(err) naming msg.payload, without connecting', async () => {
    const node = red.create('terminal-to-temporal', { id: 'to', server: 'tmp' });
    const { sent, error } = await node.receive({ hello: 'world' });
    assert.equal(sent, undefined);
    assert.match(String(error?.message), /msg\.payload is not a valid PaymentEvent/);
    assert.equal(connects, 0);
  });

  it('no Temporal account selected: the error says which box to fill in', async () => {
    const node = red.create('terminal-to-temporal', { id: 'to', server: '' });
    const { error } = await node.receive(sale());
    assert.match(String(error?.message), /^Temporal account: none is selected/);
  });

  it('backfill: the settings, overridden by msg.payload fields, start the window\'s workflow', async () => {
    const node = red.create('terminal-backfill', { id: 'bf', server: 'tmp', operation: 'start', source: 'stripe', since: '2026-01-01', until: '', crm: '', limit: '', restart: false });
    const { sent, error } = await node.receive({ source: 'square', until: '2026-03-01', limit: 50 });
    assert.equal(error, undefined);
    const input = { source: 'square', since: '2026-01-01T00:00:00.000Z', until: '2026-03-01T00:00:00.000Z', limit: 50 };
    assert.deepEqual(sent!.payload, { operation: 'start', workflowId: 'backfill-square-2026-01-01T00:00:00.000Z..2026-03-01T00:00:00.000Z', started: true, state: 'RUNNING' });
    assert.deepEqual(recorded.calls.map((c) => [c.method, c.type, c.options.taskQueue, c.options.args]), [['start', 'backfill', 'tq-red', [input]]]);
  });

  it('backfill: a bad operation or date is refused naming the field, without connecting', async () => {
    const node = red.create('terminal-backfill', { id: 'bf', server: 'tmp', operation: 'start', source: 'stripe', since: '2026-01-01' });
    // A value the message set is named as msg.payload.<field>: the node's own setting is not what is wrong.
    assert.match(String((await node.receive({ operation: 'stop' })).error?.message), /^msg\.payload\.operation: "stop" is not a backfill operation/);
    assert.match(String((await node.receive({ since: 'soon' })).error?.message), /^msg\.payload\.since: "soon" is not a date/);
    const own = red.create('terminal-backfill', { id: 'bf2', server: 'tmp', operation: 'start', source: 'stripe', since: 'soon' });
    assert.match(String((await own.receive(Date.now())).error?.message), /^Since: "soon" is not a date/);
    assert.match(String((await node.receive({ crm: 'hubspt' })).error?.message), /^msg\.payload\.crm: "hubspt" is not a CRM the pack has an adapter for/);
    const ownCrm = red.create('terminal-backfill', { id: 'bf3', server: 'tmp', operation: 'start', source: 'stripe', since: '2026-01-01', crm: 'Hubspot CRM' });
    assert.match(String((await ownCrm.receive(Date.now())).error?.message), /^CRM: "hubspot crm" is not a CRM the pack has an adapter for\. Fix: choose one of: hubspot, salesforce/);
    assert.equal(connects, 0);
  });

  it('backfill: an override it cannot take is refused instead of running the node\'s own operation', { timeout: 10_000 }, async () => {
    const node = red.create('terminal-backfill', { id: 'bf', server: 'tmp', operation: 'start', source: 'stripe', since: '2026-01-01' });
    const text = await node.receive('pause');
    assert.match(String(text.error?.message), /^msg\.payload: is the text "pause", and only the fields of an object override the settings\. Fix: send an object such as \{"operation": "pause"\}/);
    assert.equal(text.sent, undefined);
    for (const operation of [5, true]) {
      const r = await node.receive({ operation });
      assert.match(String(r.error?.message), new RegExp(`^msg\\.payload\\.operation: ${String(operation)} is not a backfill operation`));
    }
    // A misspelt field would ride along unread while the node started its own operation.
    for (const [key, meant] of [['opration', 'operation'], ['Operation', 'operation'], ['sinse', 'since'], ['untill', 'until'], ['limt', 'limit']] as const) {
      const r = await node.receive({ [key]: 'pause' });
      assert.match(String(r.error?.message), new RegExp(`^msg\\.payload\\.${key}: is not a field this node reads .*Fix: call it ${meant};`), key);
    }
    assert.equal(recorded.calls.length, 0, 'no backfill was started');
    // An Inject's timestamp carries no overrides, and keys far from every field are other data: the node's settings run.
    assert.equal((await node.receive(Date.now())).error, undefined);
    assert.equal((await node.receive({ requestedBy: 'ops-dashboard', _msgid: 'x' })).error, undefined);
    assert.deepEqual(recorded.calls.map((c) => c.method), ['start', 'start']);
  });
});
