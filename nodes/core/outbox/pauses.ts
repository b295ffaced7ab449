import type { SqlExecutor } from '../store/sql-database';

/** A CRM nothing is sent to until `until` (a daily or monthly cap was reached), and why. */
export interface CrmPause {
  crm: string;
  until: string;
  reason: string;
}

/** The pause in force for `crm` at `now`, if any: every drainer of the store reads it before sending. */
export async function activePause(db: SqlExecutor, crm: string, now: number): Promise<CrmPause | undefined> {
  const row = await db.get<{ paused_until: string; reason: string }>('SELECT paused_until, reason FROM crm_pauses WHERE crm = ? AND paused_until > ?', [crm, new Date(now).toISOString()]);
  return row ? { crm, until: row.paused_until, reason: row.reason } : undefined;
}

export async function pauseCrm(db: SqlExecutor, crm: string, until: number, reason: string, now: number): Promise<void> {
  await db.run(
    `INSERT INTO crm_pauses (crm, paused_until, reason, created_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (crm) DO UPDATE SET paused_until = excluded.paused_until, reason = excluded.reason, created_at = excluded.created_at`,
    [crm, new Date(until).toISOString(), reason, new Date(now).toISOString()],
  );
}

/** Every pause still in force, for the operator's view. */
export async function activePauses(db: SqlExecutor, now: number): Promise<CrmPause[]> {
  const rows = await db.all<{ crm: string; paused_until: string; reason: string }>('SELECT crm, paused_until, reason FROM crm_pauses WHERE paused_until > ? ORDER BY crm', [new Date(now).toISOString()]);
  return rows.map((r) => ({ crm: r.crm, until: r.paused_until, reason: r.reason }));
}
