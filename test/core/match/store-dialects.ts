import { join } from 'node:path';
import { after, before } from 'node:test';
import { LocalSqlCrm } from '../../../nodes/core/crm/local-sql-crm';
import { closeAllDatabases, openDatabase } from '../../../nodes/core/store/open-database';
import type { SqlDatabase } from '../../../nodes/core/store/sql-database';
import { startPostgresServer, type PostgresServer } from '../../support/postgres-server';
import { tempDir } from '../../support/temp-store';

export interface DialectStore {
  db: SqlDatabase;
  /** What openDatabase, the CLI's --store and the faces' store settings take to reach it. */
  url: string;
  crm: LocalSqlCrm;
  remove(): Promise<void>;
}

/**
 * A fresh local CRM per test on each store dialect: SQLite files, and databases on one PostgreSQL server
 * started for the file. Registers the file's before/after hooks; call at the top level of a test file.
 */
export function dialectStores(prefix: string): { dialect: 'sqlite' | 'postgres'; open(): Promise<DialectStore> }[] {
  let server: PostgresServer | undefined;
  const dir = tempDir(`${prefix}-`);
  let n = 0;
  before(async () => {
    server = await startPostgresServer();
  });
  after(async () => {
    await closeAllDatabases();
    await server?.stop();
    dir.remove();
  });
  const wrap = async (url: string): Promise<DialectStore> => {
    const db = await openDatabase(url);
    // closed with every other store when the file ends (closeAllDatabases)
    return { db, url, crm: new LocalSqlCrm(db), remove: async () => undefined };
  };
  return [
    { dialect: 'sqlite', open: () => wrap(`sqlite:${join(dir.path, `store-${++n}.db`)}`) },
    { dialect: 'postgres', open: async () => wrap(await server!.createDatabase(prefix.replace(/\W/g, '_'))) },
  ];
}
