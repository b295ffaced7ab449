import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { InputError } from '../nodes/core/errors';
import { TEMPORAL_ENV, type TemporalConfig } from './connection-config';

function connectionOptions(config: TemporalConfig) {
  return { address: config.address, ...(config.tls ? { tls: config.tls } : {}), ...(config.apiKey ? { apiKey: config.apiKey } : {}) };
}

/** A client for starting and inspecting payment workflows. Close it with `client.connection.close()`. */
export async function connectClient(config: TemporalConfig): Promise<Client> {
  const connection = await reaching(config, Connection.connect(connectionOptions(config)));
  return new Client({ connection, namespace: config.namespace });
}

/** The connection a Worker polls through (the worker needs the native one, not the client's). */
export function connectWorker(config: TemporalConfig): Promise<NativeConnection> {
  return reaching(config, NativeConnection.connect(connectionOptions(config)));
}

/**
 * The SDK says only "Failed to connect before the deadline": the operator is told which server was tried and
 * what to set. The SDK's own words stay in the message (a TLS or API key refusal reads differently).
 */
async function reaching<T>(config: TemporalConfig, connecting: Promise<T>): Promise<T> {
  try {
    return await connecting;
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new InputError(
      TEMPORAL_ENV.address,
      `cannot connect to the Temporal server at ${config.address}${config.tls ? ' (TLS)' : ''}: ${why}`,
      `start one (terminal-crm sandbox, or temporal server start-dev), or set ${TEMPORAL_ENV.address} to your cluster's host:port (Temporal Cloud: with ${TEMPORAL_ENV.apiKey} or ${TEMPORAL_ENV.tlsCert} and ${TEMPORAL_ENV.tlsKey})`,
    );
  }
}
