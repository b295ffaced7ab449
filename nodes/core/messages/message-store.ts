import type { SqlDatabase, SqlExecutor } from '../store/sql-database';
import type { Attempt } from './decline-rate';
import type { MessageKind } from './outgoing-message';

/**
 * Claims a message key: true the first time, false ever after (a duplicate delivery, a replayed execution, the
 * second of Stripe's two events about one payment). Queued or sent, the row is the proof it was composed.
 */
export async function claimMessage(
  tx: SqlExecutor,
  m: { key: string; kind: MessageKind; subjectId: string | null; dueAt: Date; queued: boolean; item: object; now: Date },
): Promise<boolean> {
  const { changes } = await tx.run(
    `INSERT INTO outgoing_messages (message_key, kind, subject_id, state, due_at, item, created_at, released_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (message_key) DO NOTHING`,
    [m.key, m.kind, m.subjectId, m.queued ? 'queued' : 'released', m.dueAt.toISOString(), JSON.stringify(m.item), m.now.toISOString(), m.queued ? null : m.now.toISOString()],
  );
  return changes === 1;
}

/** When the last message of this kind about this subject was composed, or null. */
export async function lastMessageAt(tx: SqlExecutor, kind: MessageKind, subjectId: string): Promise<Date | null> {
  const row = await tx.get<{ created_at: string }>(
    'SELECT created_at FROM outgoing_messages WHERE kind = ? AND subject_id = ? ORDER BY created_at DESC LIMIT 1',
    [kind, subjectId],
  );
  return row ? new Date(row.created_at) : null;
}

/**
 * Queued messages whose quiet hours are over, marked released in the same transaction so two flushes (two
 * engine instances, a schedule overlapping a manual run) never hand out one message twice; of one `kind` when
 * given. One `withdraw` says is owed no more is marked "withdrawn" instead and not handed out.
 */
export async function releaseDue(
  db: SqlDatabase,
  now: Date,
  limit = 100,
  withdraw?: (tx: SqlExecutor, kind: string, item: object) => Promise<boolean>,
  kind?: MessageKind,
): Promise<object[]> {
  return db.transaction(async (tx) => {
    const rows = await tx.all<{ message_key: string; kind: string; item: string }>(
      `SELECT message_key, kind, item FROM outgoing_messages WHERE state = 'queued' AND due_at <= ?${kind ? ' AND kind = ?' : ''} ORDER BY due_at, message_key LIMIT ?`,
      kind ? [now.toISOString(), kind, limit] : [now.toISOString(), limit],
    );
    const out: object[] = [];
    for (const row of rows) {
      const item = JSON.parse(row.item) as object;
      const state = withdraw && (await withdraw(tx, row.kind, item)) ? 'withdrawn' : 'released';
      const { changes } = await tx.run("UPDATE outgoing_messages SET state = ?, released_at = ? WHERE message_key = ? AND state = 'queued'", [state, now.toISOString(), row.message_key]);
      if (changes === 1 && state === 'released') out.push(item);
    }
    return out;
  });
}

/**
 * Records one payment attempt where it was made, once by its id (kept in the `event_id` column): a decline's event
 * id, or "sale:<source>:<paymentId>" for a sale, so a repeat of the event or another event about the same sale
 * changes nothing.
 */
export async function recordAttempt(tx: SqlExecutor, a: { attemptId: string; scope: string; failed: boolean; reason: string | null; occurredAt: string }): Promise<void> {
  await tx.run(
    'INSERT INTO payment_attempts (event_id, scope, failed, reason, occurred_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING',
    [a.attemptId, a.scope, a.failed ? 1 : 0, a.reason, new Date(a.occurredAt).toISOString()],
  );
}

export async function attemptsIn(tx: SqlExecutor, scope: string, from: Date, to: Date): Promise<Attempt[]> {
  const rows = await tx.all<{ failed: number; reason: string | null }>(
    'SELECT failed, reason FROM payment_attempts WHERE scope = ? AND occurred_at > ? AND occurred_at <= ?',
    [scope, from.toISOString(), to.toISOString()],
  );
  return rows.map((r) => ({ failed: Number(r.failed) === 1, reason: r.reason }));
}

/** The customer as the store knows them, for a name, address or phone the event itself lacked. */
export async function storedCustomer(tx: SqlExecutor, customerId: string | null | undefined): Promise<{ name?: string; email?: string; phone?: string }> {
  if (!customerId) return {};
  const row = await tx.get<{ name: string | null; given_name: string | null; email: string | null; phone: string | null }>(
    'SELECT name, given_name, email, phone FROM customers WHERE id = ?',
    [customerId],
  );
  return { name: row?.name ?? row?.given_name ?? undefined, email: row?.email ?? undefined, phone: row?.phone ?? undefined };
}
