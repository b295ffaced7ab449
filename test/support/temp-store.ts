import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalSqlCrm } from '../../nodes/core/crm/local-sql-crm';
import { openDatabase } from '../../nodes/core/store/open-database';
import type { SqlDatabase } from '../../nodes/core/store/sql-database';
import { keyProviderFromSpec } from '../../nodes/core/tokenize/key-provider';

export const TEST_TOKEN_KEYS = `k1:${'ab'.repeat(32)}`;
export const TEST_WEBHOOK_SECRET = 'whsec_test_secret_for_terminal_crm';

export function tempDir(prefix = 'tcrm-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A fresh SQLite store file and the local CRM over it. */
export async function tempStore(): Promise<{ db: SqlDatabase; crm: LocalSqlCrm; url: string; remove(): Promise<void> }> {
  const dir = tempDir('tcrm-store-');
  const url = `sqlite:${join(dir.path, 'store.db')}`;
  const db = await openDatabase(url);
  return {
    db,
    crm: new LocalSqlCrm(db),
    url,
    remove: async () => {
      await db.close();
      dir.remove();
    },
  };
}

export const testKeys = () => keyProviderFromSpec(TEST_TOKEN_KEYS);
