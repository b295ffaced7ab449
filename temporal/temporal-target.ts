import type { Client } from '@temporalio/client';
import { InputError } from '../nodes/core/errors';
import { DEFAULT_ADDRESS, DEFAULT_NAMESPACE, temporalAddressFault, type TemporalConfig } from './connection-config';
import { DEFAULT_TASK_QUEUE } from './start-payment/task-queue';
import { temporalClientModule } from './optional-temporal';

/** A Temporal server as an n8n credential or a Node-RED config node describes it (plain strings, PEM text). */
export interface TemporalTargetRecord {
  address?: unknown;
  namespace?: unknown;
  taskQueue?: unknown;
  apiKey?: unknown;
  /** true / "true": TLS without certificates (Temporal Cloud with an API key sets it by itself). */
  tls?: unknown;
  serverName?: unknown;
  caCertificate?: unknown;
  clientCertificate?: unknown;
  clientKey?: unknown;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
const pem = (field: string, v: unknown): Buffer | undefined => {
  const s = text(v);
  if (s === undefined) return undefined;
  if (!s.includes('-----BEGIN ')) throw new InputError(field, 'is not PEM text', 'paste the whole file, from -----BEGIN to -----END');
  return Buffer.from(`${s}\n`);
};

/** How a face labels the fields an error can name (an n8n credential, a Node-RED config node). */
export type TemporalTargetLabels = Record<'address' | 'clientCertificate' | 'clientKey' | 'caCertificate', string>;

const LABELS: TemporalTargetLabels = { address: 'Address', clientCertificate: 'Client Certificate', clientKey: 'Client Key', caCertificate: 'CA Certificate' };

/**
 * The faces' Temporal settings as the TemporalConfig the worker reads from its environment (same rules). A wrong
 * field is named by `labels`, as the face's form shows it.
 */
export function temporalTargetOf(record: TemporalTargetRecord, labels: Partial<TemporalTargetLabels> = {}): TemporalConfig {
  const l = { ...LABELS, ...labels };
  const address = text(record.address) ?? DEFAULT_ADDRESS;
  const fault = temporalAddressFault(address);
  if (fault) {
    throw new InputError(l.address, fault, 'write the frontend address, such as 127.0.0.1:7233 or your-ns.a1b2c.tmprl.cloud:7233 (no scheme)');
  }
  const crt = pem(l.clientCertificate, record.clientCertificate);
  const key = pem(l.clientKey, record.clientKey);
  if (!crt !== !key) throw new InputError(crt ? l.clientKey : l.clientCertificate, 'mTLS needs both the certificate and its key, only one is set', 'fill in both, or neither');
  const ca = pem(l.caCertificate, record.caCertificate);
  const serverName = text(record.serverName);
  const apiKey = text(record.apiKey);
  const tls = record.tls === true || text(record.tls)?.toLowerCase() === 'true' || Boolean(crt || ca || serverName || apiKey);
  return {
    address,
    namespace: text(record.namespace) ?? DEFAULT_NAMESPACE,
    taskQueue: text(record.taskQueue) ?? DEFAULT_TASK_QUEUE,
    ...(tls
      ? { tls: { ...(crt && key ? { clientCertPair: { crt, key } } : {}), ...(ca ? { serverRootCACertificate: ca } : {}), ...(serverName ? { serverNameOverride: serverName } : {}) } }
      : {}),
    ...(apiKey ? { apiKey } : {}),
  };
}

/**
 * A client for the target (loads @temporalio/client on first use). The connection is checked here, so a wrong
 * address fails with the address in the message. Close it with `client.connection.close()`.
 */
export async function connectTemporalTarget(target: TemporalConfig, connectTimeoutMs = 10_000): Promise<Client> {
  const { Client, Connection } = temporalClientModule();
  try {
    const connection = await Connection.connect({
      address: target.address,
      connectTimeout: connectTimeoutMs,
      ...(target.tls ? { tls: target.tls } : {}),
      ...(target.apiKey ? { apiKey: target.apiKey } : {}),
    });
    return new Client({ connection, namespace: target.namespace });
  } catch (e) {
    throw new InputError('Address', `cannot reach Temporal at ${target.address} (${e instanceof Error ? e.message : String(e)})`, 'check the address, TLS and API key, and that the server runs');
  }
}
