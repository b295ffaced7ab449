import { LocalSqlCrm } from '../../../../nodes/core/crm/local-sql-crm';
import { migrate } from '../../../../nodes/core/store/migrations';
import type { SqlDatabase } from '../../../../nodes/core/store/sql-database';
import type { DialectStore } from '../../../support/both-dialects';

/**
 * A store of that dialect at the newest schema, holding the customer the events of events.ts name, for `use`; closed
 * after, whatever `use` does.
 */
export async function withLedgerStore(store: DialectStore, use: (db: SqlDatabase, crm: LocalSqlCrm) => Promise<void>): Promise<void> {
  const db = await store.open();
  try {
    await migrate(db);
    const created = '2025-03-01T10:00:00.000Z';
    await db.run("INSERT INTO customers (id, created_at, updated_at) VALUES ('cus_ana', ?, ?)", [created, created]);
    await use(db, new LocalSqlCrm(db));
  } finally {
    await db.close();
  }
}
