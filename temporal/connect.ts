import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { TemporalConfig } from './connection-config';

function connectionOptions(config: TemporalConfig) {
  return { address: config.address, ...(config.tls ? { tls: config.tls } : {}), ...(config.apiKey ? { apiKey: config.apiKey } : {}) };
}

/** A client for starting and inspecting payment workflows. Close it with `client.connection.close()`. */
export async function connectClient(config: TemporalConfig): Promise<Client> {
  const connection = await Connection.connect(connectionOptions(config));
  return new Client({ connection, namespace: config.namespace });
}

/** The connection a Worker polls through (the worker needs the native one, not the client's). */
export function connectWorker(config: TemporalConfig): Promise<NativeConnection> {
  return NativeConnection.connect(connectionOptions(config));
}
