import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { InputError } from '../../nodes/core/errors';
import { normalizeStripeEvent } from '../../nodes/core/sources/stripe-terminal';
import { chargeObject, stripeEvent } from '../../sandbox/simulator/stripe-terminal-events';
import { backfillRequestOf } from '../../temporal/backfill-control';
import { handToTemporal, paymentEventOfItem } from '../../temporal/hand-to-temporal';
import { loadTemporal } from '../../temporal/optional-temporal';
import { temporalTargetOf } from '../../temporal/temporal-target';

const PEM = (what: string) => `-----BEGIN ${what}-----\nMIIB\n-----END ${what}-----\n`;
const sale = () => normalizeStripeEvent(stripeEvent('charge.succeeded', chargeObject({ amount: 900, email: 'b@example.com' })));
const inputError = (field: string, pattern: RegExp) => (e: unknown) => e instanceof InputError && e.field === field && pattern.test(e.message);

describe("the faces' Temporal target", () => {
  it('defaults to the local dev server, default namespace, terminal-crm queue, no TLS', () => {
    assert.deepEqual(temporalTargetOf({}), { address: '127.0.0.1:7233', namespace: 'default', taskQueue: 'terminal-crm' });
  });

  it('an API key turns TLS on; certificate and key become an mTLS pair; the CA and server name are kept', () => {
    const cloud = temporalTargetOf({ address: 'ns.a1b2c.tmprl.cloud:7233', namespace: 'ns.a1b2c', apiKey: ' key ' });
    assert.deepEqual(cloud, { address: 'ns.a1b2c.tmprl.cloud:7233', namespace: 'ns.a1b2c', taskQueue: 'terminal-crm', tls: {}, apiKey: 'key' });
    const mtls = temporalTargetOf({ clientCertificate: PEM('CERTIFICATE'), clientKey: PEM('PRIVATE KEY'), caCertificate: PEM('CERTIFICATE'), serverName: 'temporal.internal' });
    assert.equal(mtls.tls?.clientCertPair?.crt.toString(), PEM('CERTIFICATE'));
    assert.equal(mtls.tls?.clientCertPair?.key.toString(), PEM('PRIVATE KEY'));
    assert.equal(mtls.tls?.serverNameOverride, 'temporal.internal');
    assert.ok(mtls.tls?.serverRootCACertificate);
    assert.deepEqual(temporalTargetOf({ tls: 'true' }).tls, {});
  });

  it('names the field and the fix for a URL as address, half an mTLS pair, or text that is not PEM', () => {
    assert.throws(() => temporalTargetOf({ address: 'https://x.tmprl.cloud:7233' }), inputError('Address', /not host:port/));
    assert.throws(() => temporalTargetOf({ clientCertificate: PEM('CERTIFICATE') }), inputError('Client Key', /both/));
    assert.throws(() => temporalTargetOf({ caCertificate: 'abc' }), inputError('CA Certificate', /not PEM/));
  });
});

describe('Hand to Temporal: the item', () => {
  it('takes the event as a trigger or Tokenize outputs it, with step fields beside it, or wrapped in { event }', () => {
    const e = sale();
    assert.deepEqual(paymentEventOfItem(e), e);
    assert.deepEqual(paymentEventOfItem({ ...e, match: { decision: 'create' }, crm: { outcome: 'recorded' } }), e);
    assert.deepEqual(paymentEventOfItem({ event: e, note: 'wrapped' }), e);
  });

  it('refuses what is not a payment event, naming the field and the item', () => {
    assert.throws(() => paymentEventOfItem('x', 'item 3'), inputError('item 3', /not an object/));
    const { paymentId: _dropped, ...noPayment } = sale();
    assert.throws(() => paymentEventOfItem(noPayment, 'item 0'), (e: unknown) => e instanceof InputError && /paymentId/.test(e.message) && /item 0/.test(e.message));
  });

  it("signal-with-starts the payment's saga with the event and answers with its ids", async () => {
    const e = sale();
    const seen: { type: string; options: Record<string, unknown> }[] = [];
    const client = {
      workflow: {
        signalWithStart: async (type: string, options: Record<string, unknown>) => {
          seen.push({ type, options });
          return { workflowId: options.workflowId, signaledRunId: 'run-7' };
        },
      },
    } as unknown as Client;
    const handed = await handToTemporal(client, 'tq', { ...e, crm: { outcome: 'x' } });
    assert.deepEqual(handed, { workflowId: `payment-stripe:${e.paymentId}`, runId: 'run-7', eventId: e.id, paymentKey: `stripe:${e.paymentId}`, taskQueue: 'tq' });
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.type, 'paymentSaga');
    assert.equal(seen[0]!.options.taskQueue, 'tq');
    assert.deepEqual(seen[0]!.options.signalArgs, [e], 'the event alone, without the fields later steps added');
  });
});

describe('the Temporal SDK as an optional peer dependency', () => {
  it('a missing @temporalio package is an InputError naming it and how to install it; other errors pass through', () => {
    const missing = Object.assign(new Error("Cannot find module '@temporalio/client'\nRequire stack: x"), { code: 'MODULE_NOT_FOUND' });
    assert.throws(() => loadTemporal(() => { throw missing; }), (e: unknown) => e instanceof InputError && e.field === '@temporalio/client' && /npm install @temporalio\/client@1\.24\.0/.test(e.fix));
    const other = Object.assign(new Error("Cannot find module './gone'"), { code: 'MODULE_NOT_FOUND' });
    assert.throws(() => loadTemporal(() => { throw other; }), (e: unknown) => e === other);
    assert.equal(loadTemporal(() => 42), 42);
  });
});

describe('Backfill operation: the arguments', () => {
  it('reads days as UTC midnight, keeps only what is set, and starts by default', () => {
    assert.deepEqual(backfillRequestOf({ source: 'stripe', since: '2026-01-01', until: '', crm: '', limit: 0, restart: false }), {
      operation: 'start',
      input: { source: 'stripe', since: '2026-01-01T00:00:00.000Z' },
    });
    assert.deepEqual(backfillRequestOf({ operation: 'pause', source: 'square', since: '2026-01-01', until: '2026-02-01T12:00:00Z', crm: 'hubspot', limit: '50', restart: 'true' }), {
      operation: 'pause',
      input: { source: 'square', since: '2026-01-01T00:00:00.000Z', until: '2026-02-01T12:00:00.000Z', crm: 'hubspot', limit: 50, restart: true },
    });
  });

  it('names the field for an unknown operation or source, a missing or bad day, an empty window, a bad page size', () => {
    assert.throws(() => backfillRequestOf({ operation: 'stop', source: 'stripe', since: '2026-01-01' }), inputError('Operation', /"stop"/));
    assert.throws(() => backfillRequestOf({ source: 'adyen', since: '2026-01-01' }), inputError('Source', /"adyen"/));
    assert.equal(backfillRequestOf({ source: 'sumup', since: '2026-01-01' }).input.source, 'sumup', 'SumUp has a history to read');
    assert.throws(() => backfillRequestOf({ source: 'stripe' }), inputError('Since', /missing/));
    assert.throws(() => backfillRequestOf({ source: 'stripe', since: 'last tuesday' }), inputError('Since', /not a date/));
    assert.throws(() => backfillRequestOf({ source: 'stripe', since: '2026-02-01', until: '2026-01-01' }), inputError('Until', /not after/));
    assert.throws(() => backfillRequestOf({ source: 'stripe', since: '2026-01-01', limit: 2.5 }), inputError('Page Size', /whole number/));
  });

  it('carries an Offline Grace (Hours) for Stripe and Square as offlineGraceHours (0 or empty: the source\'s own, left out), refused by name out of range or for another source', () => {
    assert.deepEqual(backfillRequestOf({ source: 'stripe', since: '2026-01-01', offlineGrace: 96 }).input, { source: 'stripe', since: '2026-01-01T00:00:00.000Z', offlineGraceHours: 96 });
    assert.equal(backfillRequestOf({ source: 'square', since: '2026-01-01', offlineGrace: ' 36 ' }).input.offlineGraceHours, 36);
    assert.ok(!('offlineGraceHours' in backfillRequestOf({ source: 'stripe', since: '2026-01-01', offlineGrace: 0 }).input));
    assert.throws(() => backfillRequestOf({ source: 'stripe', since: '2026-01-01', offlineGrace: 1000 }), inputError('Offline Grace (Hours)', /1000 is not a whole number of hours from 1 to 720/));
    assert.throws(() => backfillRequestOf({ source: 'clover', since: '2026-01-01', offlineGrace: 12 }, { offlineGrace: 'msg.payload.offlineGrace' }), inputError('msg.payload.offlineGrace', /takes no offline grace/));
  });

  it('refuses a CRM it has no adapter for before the workflow starts (the worker would fail it), naming CRM; reads its name as the CLI does', () => {
    assert.throws(() => backfillRequestOf({ source: 'stripe', since: '2026-01-01', crm: 'hubspt' }), inputError('CRM', /"hubspt" is not a CRM/));
    assert.throws(() => backfillRequestOf({ source: 'stripe', since: '2026-01-01', crm: 'local' }), inputError('CRM', /"local"/));
    assert.throws(() => backfillRequestOf({ source: 'stripe', since: '2026-01-01', crm: 'zoho crm' }, { crm: 'msg.payload.crm' }), inputError('msg.payload.crm', /"zoho crm"/));
    assert.equal(backfillRequestOf({ source: 'stripe', since: '2026-01-01', crm: ' HubSpot ' }).input.crm, 'hubspot');
  });
});
