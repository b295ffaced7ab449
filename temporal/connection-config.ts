import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import { envFlag } from '../nodes/core/config/flag';
import { PORT_PATTERN } from '../nodes/core/config/port';
import { InputError } from '../nodes/core/errors';
import { DEFAULT_TASK_QUEUE } from './start-payment/task-queue';

/** Where the worker and the clients find Temporal. Variable names follow the `temporal` CLI's own. */
export const TEMPORAL_ENV = {
  address: 'TEMPORAL_ADDRESS',
  namespace: 'TEMPORAL_NAMESPACE',
  taskQueue: 'TEMPORAL_TASK_QUEUE',
  tls: 'TEMPORAL_TLS',
  tlsCert: 'TEMPORAL_TLS_CERT',
  tlsKey: 'TEMPORAL_TLS_KEY',
  tlsCa: 'TEMPORAL_TLS_CA',
  tlsServerName: 'TEMPORAL_TLS_SERVER_NAME',
  apiKey: 'TEMPORAL_API_KEY',
} as const;

export const DEFAULT_ADDRESS = '127.0.0.1:7233';
export const DEFAULT_NAMESPACE = 'default';

export interface TemporalConfig {
  address: string;
  namespace: string;
  taskQueue: string;
  /** Undefined: plain connection (a local dev server). */
  tls?: TLSConfig;
  apiKey?: string;
}

function readPem(env: NodeJS.ProcessEnv, name: string, what: string): Buffer | undefined {
  const path = env[name]?.trim();
  if (!path) return undefined;
  try {
    return readFileSync(path);
  } catch (e) {
    throw new InputError(name, `cannot read ${what} "${path}" (${(e as NodeJS.ErrnoException).code ?? String(e)})`, `point ${name} at the ${what} file (PEM)`);
  }
}

/**
 * What a Temporal address may be, trimmed, wherever it is given (TEMPORAL_ADDRESS, an n8n credential, a Node-RED
 * config node, whose dialog marks the same through resources/editor-core.js): a host name or IPv4 address, or an IPv6
 * one in brackets, each with an optional port as the pack reads every port (config/port.ts), and no scheme or path,
 * as the SDK's gRPC connection takes it; anything else would fail only on connect.
 */
export const TEMPORAL_ADDRESS: readonly RegExp[] = [new RegExp(`^[^\\s:/?#\\[\\]]+(?::${PORT_PATTERN})?$`), new RegExp(`^\\[[0-9a-f:.]+\\](?::${PORT_PATTERN})?$`, 'i')];

/** Why `address` is no Temporal address: written as something else, or its port out of range; undefined when it is one. */
export function temporalAddressFault(address: string): string | undefined {
  if (TEMPORAL_ADDRESS.some((p) => p.test(address))) return undefined;
  const port = /^(?:[^\s:/?#\[\]]+|\[[0-9a-f:.]+\]):(\d+)$/i.exec(address)?.[1];
  return port === undefined ? `"${address}" is not host:port` : `"${address}" has no port from 1 to 65535`;
}

function addressOf(address: string): string {
  const fault = temporalAddressFault(address);
  if (fault) {
    throw new InputError(TEMPORAL_ENV.address, fault, 'write host:port, such as 127.0.0.1:7233 or <namespace>.<account>.tmprl.cloud:7233 (TLS comes from TEMPORAL_TLS or TEMPORAL_API_KEY, not a scheme)');
  }
  return address;
}

/**
 * Local dev server by default; Temporal Cloud with either an API key (TLS on, no certificates needed) or a
 * client certificate and key (mTLS).
 */
export function temporalConfigFromEnv(env: NodeJS.ProcessEnv = process.env): TemporalConfig {
  const crt = readPem(env, TEMPORAL_ENV.tlsCert, 'client certificate');
  const key = readPem(env, TEMPORAL_ENV.tlsKey, 'client private key');
  if (!crt !== !key) {
    const missing = crt ? TEMPORAL_ENV.tlsKey : TEMPORAL_ENV.tlsCert;
    throw new InputError(missing, 'mTLS needs both the client certificate and its private key, only one is set', `set ${missing} as well, or neither`);
  }
  const ca = readPem(env, TEMPORAL_ENV.tlsCa, 'server CA certificate');
  const serverName = env[TEMPORAL_ENV.tlsServerName]?.trim() || undefined;
  const apiKey = env[TEMPORAL_ENV.apiKey]?.trim() || undefined;
  const useTls = envFlag(env, TEMPORAL_ENV.tls) ?? Boolean(crt || ca || serverName || apiKey);
  if (!useTls && (crt || ca || apiKey)) {
    throw new InputError(TEMPORAL_ENV.tls, 'is false, but TLS certificates or an API key are set', `remove ${TEMPORAL_ENV.tls}=false; Temporal Cloud only accepts TLS`);
  }
  return {
    address: addressOf(env[TEMPORAL_ENV.address]?.trim() || DEFAULT_ADDRESS),
    namespace: env[TEMPORAL_ENV.namespace]?.trim() || DEFAULT_NAMESPACE,
    taskQueue: env[TEMPORAL_ENV.taskQueue]?.trim() || DEFAULT_TASK_QUEUE,
    ...(useTls
      ? {
          tls: {
            ...(crt && key ? { clientCertPair: { crt, key } } : {}),
            ...(ca ? { serverRootCACertificate: ca } : {}),
            ...(serverName ? { serverNameOverride: serverName } : {}),
          },
        }
      : {}),
    ...(apiKey ? { apiKey } : {}),
  };
}
