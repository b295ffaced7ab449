import { after, before } from 'node:test';
import { startPostgresServer, type PostgresServer } from './postgres-server';

/**
 * One throwaway PostgreSQL server for a test file, started before its tests and stopped after them; what it gives is
 * a new empty database per call, so each test opens a store of its own.
 */
export function suitePostgresDatabases(): (prefix: string) => Promise<string> {
  let server: PostgresServer | undefined;
  before(async () => {
    server = await startPostgresServer();
  });
  after(async () => {
    await server?.stop();
  });
  return (prefix) => {
    if (!server) throw new Error('the suite\'s PostgreSQL server is not started: call suitePostgresDatabases() at the top of the test file');
    return server.createDatabase(prefix);
  };
}
