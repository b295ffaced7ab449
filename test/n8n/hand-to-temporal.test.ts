import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IExecuteFunctions, INode } from 'n8n-workflow';
import { HandToTemporal } from '../../nodes/n8n/HandToTemporal/HandToTemporal.node';
import { temporalTargetOfCredential } from '../../nodes/n8n/shared/temporal-credential';
import { TerminalBackfill } from '../../nodes/n8n/TerminalBackfill/TerminalBackfill.node';
import { TerminalTemporalApi } from '../../credentials/TerminalTemporalApi.credentials';
import { InputError } from '../../nodes/core/errors';

const PEM = (what: string) => `-----BEGIN ${what}-----\nMIIB\n-----END ${what}-----`;
// Nothing listens on port 1: a node that tried to connect would fail with "cannot reach", not the error asserted.
const CREDENTIAL = { address: '127.0.0.1:1', namespace: 'default', taskQueue: 'tq', apiKey: '', tls: false };

/** The slice of n8n's execute context the two nodes use. */
function context(items: object[], parameters: Record<string, unknown> = {}, continueOnFail = false): IExecuteFunctions {
  const node = { name: 'Node', type: 'test', typeVersion: 1, position: [0, 0], parameters: {} } as unknown as INode;
  return {
    getCredentials: async () => CREDENTIAL,
    getInputData: () => items.map((json) => ({ json })),
    getNodeParameter: (name: string, _i: number, fallback?: unknown) => (name in parameters ? parameters[name] : fallback),
    continueOnFail: () => continueOnFail,
    getNode: () => node,
  } as unknown as IExecuteFunctions;
}

describe('n8n: Hand to Temporal and Terminal Backfill, their arguments', () => {
  it('the credential is read as the core target; its private key field is the mTLS key', () => {
    const target = temporalTargetOfCredential({ ...CREDENTIAL, address: 'temporal.internal:7233', clientCertificate: PEM('CERTIFICATE'), privateKey: PEM('PRIVATE KEY') });
    assert.equal(target.address, 'temporal.internal:7233');
    assert.equal(target.tls?.clientCertPair?.key.toString().trim(), PEM('PRIVATE KEY'));
    assert.throws(() => temporalTargetOfCredential({ clientCertificate: PEM('CERTIFICATE') }), /^InputError: Client Private Key: mTLS needs both/);
  });

  it('a wrong PEM field is named as the credential labels it (Client Private Key, not the core\'s Client Key)', () => {
    const labels = Object.fromEntries(new TerminalTemporalApi().properties.map((p) => [p.name, p.displayName]));
    const named = (field: string) => (e: unknown) => e instanceof InputError && e.field === field;
    assert.throws(() => temporalTargetOfCredential({ clientCertificate: PEM('CERTIFICATE') }), named(labels.privateKey!));
    assert.throws(() => temporalTargetOfCredential({ privateKey: PEM('PRIVATE KEY') }), named(labels.clientCertificate!));
    assert.throws(() => temporalTargetOfCredential({ clientCertificate: PEM('CERTIFICATE'), privateKey: 'MIIB' }), named(labels.privateKey!));
    assert.throws(() => temporalTargetOfCredential({ clientCertificate: 'MIIB', privateKey: PEM('PRIVATE KEY') }), named(labels.clientCertificate!));
    assert.throws(() => temporalTargetOfCredential({ caCertificate: 'MIIB' }), named(labels.caCertificate!));
    assert.throws(() => temporalTargetOfCredential({ address: 'https://x:7233' }), named(labels.address!));
  });

  it('an item that is not a payment event fails naming the item, before any connection', async () => {
    await assert.rejects(new HandToTemporal().execute.call(context([{ hello: 'world' }])), /item 0 is not a valid PaymentEvent/);
  });

  it('with Continue On Fail the bad item becomes { error } alone', async () => {
    const [out] = await new HandToTemporal().execute.call(context([{ hello: 'world', card: 'x' }], {}, true));
    assert.equal(out!.length, 1);
    assert.deepEqual(Object.keys(out![0]!.json), ['error']);
    assert.match(String(out![0]!.json.error), /not a valid PaymentEvent/);
  });

  it('Backfill refuses a missing Since or a bad operation naming the field, before any connection', async () => {
    await assert.rejects(new TerminalBackfill().execute.call(context([{}], { operation: 'start', source: 'stripe', since: '' })), /Since: is missing/);
    await assert.rejects(new TerminalBackfill().execute.call(context([{}], { operation: 'progress', source: 'stripe', since: '2026-01-01', until: '2025-01-01' })), /Until: is not after Since/);
  });

  it('with valid arguments it does connect, and an unreachable server is named by its address', async () => {
    await assert.rejects(new TerminalBackfill().execute.call(context([{}], { operation: 'progress', source: 'stripe', since: '2026-01-01' })), /cannot reach Temporal at 127\.0\.0\.1:1/);
  });
});
