import { join } from 'node:path';
import { after } from 'node:test';
import { PostgresDatabase } from '../../nodes/core/store/postgres-database';
import type { SqlDatabase } from '../../nodes/core/store/sql-database';
import { SqliteDatabase } from '../../nodes/core/store/sqlite-database';
import { suitePostgresDatabases } from './suite-postgres';
import { tempDir } from './temp-store';

export interface DialectStore {
  dialect: 'sqlite' | 'postgres';
  /** An empty store of that dialect: a SQLite file of the file's own, or a new database on its PostgreSQL server. */
  open: () => Promise<SqlDatabase>;
}

/**
 * One store of each dialect the pack runs on, for a test file that holds both to the same outcome (a migration, a
 * query). Call at the top of the file: it starts the file's PostgreSQL server and removes the SQLite files after.
 */
export function bothDialects(name: string): DialectStore[] {
  const dir = tempDir(`tcrm-${name}-`);
  const newPostgresDatabase = suitePostgresDatabases();
  after(() => dir.remove());
  return [
    { dialect: 'sqlite', open: async () => new SqliteDatabase(join(dir.path, 'old.db')) },
    { dialect: 'postgres', open: async () => new PostgresDatabase(await newPostgresDatabase(`tcrm_${name.replace(/-/g, '_')}`)) },
  ];
}
