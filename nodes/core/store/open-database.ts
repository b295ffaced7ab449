import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { InputError, renamedField } from '../errors';
import { migrate } from './migrations';
import { PostgresDatabase } from './postgres-database';
import { postgresLocation } from './postgres-url';
import type { SqlDatabase } from './sql-database';
import { SqliteDatabase } from './sqlite-database';
import { STORE_FIELD } from './store-field';

export const DEFAULT_STORE_PATH = join(homedir(), '.terminal-crm', 'store.db');

/**
 * One open database per location per process. This is a connection cache, not state: everything that matters
 * is in the database, so a restart loses nothing.
 */
const open = new Map<string, Promise<SqlDatabase>>();

/**
 * Where the store is. `path` is what messages show: the file for SQLite, the URL without its password for
 * Postgres (the same as `location`).
 */
export type StoreLocation =
  | { dialect: 'sqlite'; path: string; location: string }
  | { dialect: 'postgres'; url: string; path: string; location: string };

/** Accepts "postgres://user:pass@host:5432/db", "sqlite:/abs/file.db", "sqlite::memory:", a plain file path, or "" for the default. */
export function resolveStoreUrl(url: string | undefined): StoreLocation {
  const raw = (url ?? '').trim();
  if (raw === '') return sqlite(DEFAULT_STORE_PATH);
  if (/^postgres(ql)?:\/\//i.test(raw)) {
    const location = postgresLocation(raw);
    return { dialect: 'postgres', url: raw, path: location, location };
  }
  const path = raw.startsWith('sqlite:') ? raw.slice('sqlite:'.length) : raw;
  if (path === ':memory:') return sqlite(path);
  if (/^[a-z]+:\/\//i.test(path)) {
    throw new InputError(STORE_FIELD, `"${raw}" is not a store location this pack understands`, 'use postgres://user:password@host:5432/database, sqlite:/path/to/store.db or a file path');
  }
  return sqlite(isAbsolute(path) ? path : resolve(path));
}

function sqlite(path: string): StoreLocation {
  return { dialect: 'sqlite', path, location: `sqlite:${path}` };
}

export function openDatabase(url?: string): Promise<SqlDatabase> {
  const where = resolveStoreUrl(url);
  // Postgres is keyed by the full URL: the same server with other credentials is another pool.
  const key = where.dialect === 'postgres' ? where.url : where.path;
  let db = open.get(key);
  if (!db || key === ':memory:') {
    db = (async () => {
      const d = where.dialect === 'postgres' ? new PostgresDatabase(where.url) : new SqliteDatabase(where.path);
      try {
        await migrate(d);
      } catch (e) {
        await d.close().catch(() => undefined);
        throw e;
      }
      return d;
    })();
    open.set(key, db);
    db.catch(() => open.delete(key));
  }
  return db;
}

/**
 * Runs `open` (openDatabase, or a CRM over the store), its errors about where the store is naming it as the face's
 * operator set it: the CLI's --store, the worker's TERMINAL_CRM_STORE_URL, Node-RED's store node.
 */
export async function storeNamed<T>(name: string, open: () => Promise<T>): Promise<T> {
  try {
    return await open();
  } catch (e) {
    throw renamedField(e, STORE_FIELD, name);
  }
}

/** Closes every database this process opened (tests, graceful shutdown). */
export async function closeAllDatabases(): Promise<void> {
  const all = [...open.values()];
  open.clear();
  await Promise.all(all.map(async (p) => (await p.catch(() => undefined))?.close()));
}
