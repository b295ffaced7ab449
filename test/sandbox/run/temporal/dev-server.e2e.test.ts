import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ensureTemporal } from '../../../../sandbox/install';
import { freePort } from '../../../../sandbox/run/shared/free-port';
import { startTemporalDevServer, type RunningTemporalDevServer } from '../../../../sandbox/run/temporal/dev-server';
import { tempDir } from '../../../support/temp-store';

function listenOn(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    // Holds the port and nothing more: a probe that reaches it is hung up on at once.
    const server = createServer((socket) => socket.destroy());
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/**
 * A port the OS called free can be taken before the dev server binds it (the sandbox's e2e run once failed so). The
 * HTTP API's port is the launcher's own pick: taken, it picks another; the caller's gRPC port is never swapped.
 */
describe('the Temporal dev server when a port it was given is already taken', { timeout: 120_000 }, () => {
  let temporalCli: string;
  let squatter: Server;
  let squattedPort: number;
  let server: RunningTemporalDevServer | undefined;
  const dir = tempDir('tcrm-temporal-ports-');

  before(async () => {
    [{ temporalCli }, squattedPort] = await Promise.all([ensureTemporal(), freePort()]);
    squatter = await listenOn(squattedPort);
  });
  after(async () => {
    await server?.stop();
    await new Promise((r) => squatter.close(r));
    dir.remove();
  });

  it('starts on a new HTTP API port when the one picked first was taken', { timeout: 60_000 }, async () => {
    const picked: number[] = [];
    const port = await freePort();
    server = await startTemporalDevServer({
      temporalCli, port, dbFile: join(dir.path, 'retry.db'),
      pickHttpPort: async () => {
        const next = picked.length === 0 ? squattedPort : await freePort();
        picked.push(next);
        return next;
      },
    });
    assert.equal(picked.length, 2, `HTTP API ports tried: ${picked.join(', ')}`);
    assert.equal(server.address, `127.0.0.1:${port}`);
    const res = await fetch(`http://127.0.0.1:${picked[1]}/api/v1/namespaces/default`);
    assert.equal(res.status, 200);
    await res.body?.cancel();
  });

  it('fails at once, naming the port, when the gRPC port the caller chose is taken', { timeout: 60_000 }, async () => {
    let tries = 0;
    await assert.rejects(
      startTemporalDevServer({
        temporalCli, port: squattedPort, dbFile: join(dir.path, 'taken.db'),
        pickHttpPort: () => (tries++, freePort()),
      }),
      (e: Error) => e.message.includes(`127.0.0.1:${squattedPort}`) && /address already in use/.test(e.message),
    );
    assert.equal(tries, 1, 'the caller\'s port is not retried');
  });
});
