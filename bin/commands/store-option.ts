import { ENV } from '../../nodes/core/config/settings';
import { closeAllDatabases, openDatabase, resolveStoreUrl, storeNamed } from '../../nodes/core/store/open-database';
import type { SqlDatabase } from '../../nodes/core/store/sql-database';

/** The --store option every command that works on the store shares. */
export const STORE_HELP = `  --store URL    the store: a file path, sqlite:/path/store.db or postgres://…
                 (default $TERMINAL_CRM_STORE_URL, else ~/.terminal-crm/store.db)`;

export interface OpenStore {
  db: SqlDatabase;
  /** Where the store is, as messages show it (a Postgres URL without its password). */
  where: string;
  /** The same, with its kind: "sqlite:/path/store.db", "postgres://host/db". */
  location: string;
}

/** Runs `use` against the store named by --store or the environment, and closes it afterwards. */
export async function withStore<T>(storeFlag: string | undefined, use: (store: OpenStore) => Promise<T>): Promise<T> {
  const url = storeFlag ?? process.env[ENV.storeUrl];
  const { db, resolved } = await storeNamed(storeFlag !== undefined ? '--store' : ENV.storeUrl, async () => ({ resolved: resolveStoreUrl(url), db: await openDatabase(url) }));
  try {
    return await use({ db, where: resolved.path, location: resolved.location });
  } finally {
    await closeAllDatabases();
  }
}
