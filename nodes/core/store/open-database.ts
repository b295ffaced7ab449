import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { InputError } from '../errors';
import { migrate } from './migrations';
import type { SqlDatabase } from './sql-database';
import { SqliteDatabase } from './sqlite-database';

export const DEFAULT_STORE_PATH = join(homedir(), '.terminal-crm', 'store.db');

/**
 * One open database per location per process. This is a connection cache, not state: everything that matters
 * is in the database, so a restart loses nothing.
 */
const open = new Map<string, Promise<SqlDatabase>>();

/** Accepts "sqlite:/abs/file.db", "sqlite::memory:", a plain file path, or "" for the default. */
export function resolveStoreUrl(url: string | undefined): { dialect: 'sqlite'; path: string } {
  const raw = (url ?? '').trim();
  if (raw === '') return { dialect: 'sqlite', path: DEFAULT_STORE_PATH };
  if (/^postgres(ql)?:\/\//.test(raw)) {
    throw new InputError('storeUrl', 'the Postgres store is not available in this version', 'use a SQLite file (sqlite:/path/store.db) for now');
  }
  const path = raw.startsWith('sqlite:') ? raw.slice('sqlite:'.length) : raw;
  if (path === ':memory:') return { dialect: 'sqlite', path };
  if (/^[a-z]+:\/\//i.test(path)) {
    throw new InputError('storeUrl', `"${raw}" is not a store location this pack understands`, 'use sqlite:/path/to/store.db or a file path');
  }
  return { dialect: 'sqlite', path: isAbsolute(path) ? path : resolve(path) };
}

export function openDatabase(url?: string): Promise<SqlDatabase> {
  const { path } = resolveStoreUrl(url);
  const key = path;
  let db = open.get(key);
  if (!db || path === ':memory:') {
    db = (async () => {
      const d = new SqliteDatabase(path);
      await migrate(d);
      return d;
    })();
    open.set(key, db);
    db.catch(() => open.delete(key));
  }
  return db;
}

/** Closes every database this process opened (tests, graceful shutdown). */
export async function closeAllDatabases(): Promise<void> {
  const all = [...open.values()];
  open.clear();
  await Promise.all(all.map(async (p) => (await p.catch(() => undefined))?.close()));
}
