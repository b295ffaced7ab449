import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { connectWorker } from '../../temporal/connect';
import { temporalConfigFromEnv } from '../../temporal/connection-config';

/** A port nothing listens on: taken from the OS, then let go. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('connecting to Temporal', { timeout: 20_000 }, () => {
  it('names the server it tried and what to set when nothing answers there', async () => {
    const address = `127.0.0.1:${await closedPort()}`;
    await assert.rejects(
      connectWorker(temporalConfigFromEnv({ TEMPORAL_ADDRESS: address })),
      (e: Error) => {
        assert.match(String(e), new RegExp(`^InputError: TEMPORAL_ADDRESS: cannot connect to the Temporal server at ${address}: .+\\. Fix: start one \\(terminal-crm sandbox, or temporal server start-dev\\), or set TEMPORAL_ADDRESS`));
        return true;
      },
    );
  });
});
