import { existsSync } from 'node:fs';
import { ENV } from '../../nodes/core/config/settings';
import { InputError } from '../../nodes/core/errors';
import { closeAllDatabases, openDatabase, resolveStoreUrl, storeNamed } from '../../nodes/core/store/open-database';
import type { SqlDatabase } from '../../nodes/core/store/sql-database';

/** The --store option every command that works on the store shares, its text at `column` as the command's other options. */
export function storeHelp(column = 17): string {
  const indent = ' '.repeat(column);
  return `${'  --store URL'.padEnd(column)}the store: a file path, sqlite:/path/store.db or postgres://…
${indent}(default $TERMINAL_CRM_STORE_URL, else ~/.terminal-crm/store.db)`;
}

export const STORE_HELP = storeHelp();

export interface OpenStore {
  db: SqlDatabase;
  /** Where the store is, as messages show it (a Postgres URL without its password). */
  where: string;
  /** The same, with its kind: "sqlite:/path/store.db", "postgres://host/db". */
  location: string;
}

export interface StoreUse {
  /**
   * The command may start a store (backfill, reconcile --repair bring payments in). The others read or change what
   * a store holds: a file path that names none is a typo, which would otherwise become an empty store and answer
   * "no payments" as if that were so.
   */
  create?: boolean;
}

/** Runs `use` against the store named by --store or the environment, and closes it afterwards. */
export async function withStore<T>(storeFlag: string | undefined, use: (store: OpenStore) => Promise<T>, options: StoreUse = {}): Promise<T> {
  const fromEnv = storeFlag === undefined && process.env[ENV.storeUrl] !== undefined;
  const url = storeFlag ?? process.env[ENV.storeUrl];
  const name = fromEnv ? ENV.storeUrl : '--store';
  const { db, resolved } = await storeNamed(name, async () => {
    const resolved = resolveStoreUrl(url);
    if (!options.create && resolved.dialect === 'sqlite' && resolved.path !== ':memory:' && !existsSync(resolved.path)) {
      throw new InputError(
        name,
        `there is no store at ${resolved.path}${url?.trim() ? '' : ' (the default, as neither --store nor TERMINAL_CRM_STORE_URL is set)'}`,
        'name the store your flows, the worker or the sandbox write to (their TERMINAL_CRM_STORE_URL, or the Store Location of the Terminal CRM Store credential); a store is made by the first payment recorded in it, or by terminal-crm backfill',
      );
    }
    return { resolved, db: await openDatabase(url) };
  });
  try {
    return await use({ db, where: resolved.path, location: resolved.location });
  } finally {
    await closeAllDatabases();
  }
}
