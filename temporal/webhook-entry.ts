import { ENV } from '../nodes/core/config/settings';
import { axiosTransport } from '../nodes/core/http/axios-transport';
import { SqlInbox } from '../nodes/core/inbox/inbox';
import { configuredSourcesFromEnv } from '../nodes/core/sources/sources-from-env';
import { openDatabase, storeNamed } from '../nodes/core/store/open-database';
import { keyProviderFromSpec } from '../nodes/core/tokenize/key-provider';
import { connectClient } from './connect';
import { temporalConfigFromEnv } from './connection-config';
import { localWorkerClient } from './local-worker';
import { publicBaseUrlFromEnv } from './public-base-url';
import { startWebhookServer, type RunningWebhookServer } from './webhook-server';

/**
 * The webhook server as the CLI and the sandbox run it: every source at /webhooks/<source>, credentials from the
 * environment variables named after each source. A source without its secret still answers, with 500 and the
 * variable to set, so the processor retries until it is configured.
 */
export async function startWebhookEntryFromEnv(
  env: NodeJS.ProcessEnv,
  listen: { port: number; host?: string },
  log: (line: string) => void,
): Promise<RunningWebhookServer & { sources: string[] }> {
  const sources = configuredSourcesFromEnv(env);
  const config = temporalConfigFromEnv(env);
  const db = await storeNamed(ENV.storeUrl, () => openDatabase(env[ENV.storeUrl]));
  const client = await connectClient(config);
  const server = await startWebhookServer({
    client,
    localWorkerClient: () => localWorkerClient(config.namespace, config.taskQueue),
    sources,
    port: listen.port,
    host: listen.host,
    taskQueue: config.taskQueue,
    // Every worker's webhook entry is one consumer: the saga's workflow id already makes them one.
    inbox: new SqlInbox(db, env[ENV.tokenKeys]?.trim() ? keyProviderFromSpec(env[ENV.tokenKeys]!, ENV.tokenKeys) : undefined, 'temporal:webhook-entry'),
    store: db,
    http: axiosTransport(),
    publicBaseUrl: publicBaseUrlFromEnv(env),
    log,
  });
  return {
    url: server.url,
    sources: Object.keys(sources),
    close: async () => {
      await server.close();
      await client.connection.close();
    },
  };
}
