import { parseSecrets, ENV } from '../nodes/core/config/settings';
import { InputError } from '../nodes/core/errors';
import { connectClient } from './connect';
import { temporalConfigFromEnv } from './connection-config';
import { startWebhookServer, type RunningWebhookServer } from './webhook-server';

/** The webhook server as the CLI and the sandbox run it: Temporal connection and secrets from the environment. */
export async function startWebhookEntryFromEnv(
  env: NodeJS.ProcessEnv,
  listen: { port: number; host?: string },
  log: (line: string) => void,
): Promise<RunningWebhookServer> {
  const secrets = parseSecrets(env[ENV.stripeWebhookSecret]);
  if (secrets.length === 0) {
    throw new InputError(ENV.stripeWebhookSecret, 'no Stripe webhook signing secret is set', 'set it to the endpoint\'s whsec_… secret from the Stripe Dashboard');
  }
  const config = temporalConfigFromEnv(env);
  const client = await connectClient(config);
  const server = await startWebhookServer({ client, secrets: { stripe: secrets }, port: listen.port, host: listen.host, taskQueue: config.taskQueue, log });
  return {
    url: server.url,
    close: async () => {
      await server.close();
      await client.connection.close();
    },
  };
}
