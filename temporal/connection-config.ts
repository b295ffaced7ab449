import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
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

function flag(env: NodeJS.ProcessEnv, name: string): boolean | undefined {
  const value = env[name]?.trim().toLowerCase();
  if (!value) return undefined;
  if (['1', 'true', 'yes', 'on'].includes(value)) return true;
  if (['0', 'false', 'no', 'off'].includes(value)) return false;
  throw new InputError(name, `"${env[name]}" is neither true nor false`, 'set it to true or false');
}

/** host:port as the SDK's gRPC connection takes it: a scheme or a port out of range would fail only on connect. */
function addressOf(address: string): string {
  const fix = 'write host:port, such as 127.0.0.1:7233 or <namespace>.<account>.tmprl.cloud:7233 (TLS comes from TEMPORAL_TLS or TEMPORAL_API_KEY, not a scheme)';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(address) || /[/?#\s]/.test(address)) throw new InputError(TEMPORAL_ENV.address, `"${address}" is not host:port`, fix);
  const port = /:(\d*)$/.exec(address)?.[1];
  if (port !== undefined && !(Number(port) >= 1 && Number(port) <= 65535)) throw new InputError(TEMPORAL_ENV.address, `"${address}" has no port from 1 to 65535`, fix);
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
  const useTls = flag(env, TEMPORAL_ENV.tls) ?? Boolean(crt || ca || serverName || apiKey);
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
