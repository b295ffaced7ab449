import type { SqlExecutor } from '../store/sql-database';

/**
 * Where long-running readers keep their place: a source's polling cursor, a CRM's changed-customers cursor, a
 * backfill's page, the time a loyalty program's tiers were last reviewed as of. In the store, so a restart, another
 * instance or another worker carries on from it. Over the store, or inside a transaction (`db` a transaction's executor).
 */
export class CursorStore {
  constructor(private readonly db: SqlExecutor) {}

  async get(name: string): Promise<string | null> {
    const row = await this.db.get<{ cursor: string | null }>('SELECT cursor FROM sync_cursors WHERE name = ?', [name]);
    return row?.cursor ?? null;
  }

  /** Saves inside the caller's transaction when given one, so the cursor moves with what was written. */
  async set(name: string, cursor: string | null, tx: SqlExecutor = this.db, at = new Date()): Promise<void> {
    await tx.run(
      `INSERT INTO sync_cursors (name, cursor, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at`,
      [name, cursor, at.toISOString()],
    );
  }

  /**
   * A cursor that is a time, moved forward only: it keeps the later of the time stored and `time`, in one statement, so
   * a writer with an earlier time (an operator's run as of a past date, a replayed schedule), alone or at once with one
   * with a later time, never takes it back. Stored as Date.toISOString writes it, a form that orders as text. Returns
   * the cursor as it now stands (the later of the two), inside the caller's transaction when given one.
   */
  async advanceTime(name: string, time: Date, tx: SqlExecutor = this.db, at = new Date()): Promise<string> {
    await tx.run(
      `INSERT INTO sync_cursors (name, cursor, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at
       WHERE sync_cursors.cursor IS NULL OR sync_cursors.cursor < excluded.cursor`,
      [name, time.toISOString(), at.toISOString()],
    );
    return (await new CursorStore(tx).get(name))!;
  }
}
