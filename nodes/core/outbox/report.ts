import type { SqlDatabase, SqlValue } from '../store/sql-database';
import { activePauses, type CrmPause } from './pauses';
import { OUTBOX_STATES, rowFromRecord, ROW_COLUMNS, type OutboxRow, type OutboxRowRecord, type OutboxState } from './types';

export interface OutboxReport {
  /** Rows per CRM and state (every state, whatever the filter). */
  counts: { crm: string; state: OutboxState; rows: number }[];
  /** The rows the filter selects, oldest first. */
  rows: OutboxRow[];
  /** Rows the filter selects beyond `limit`. */
  more: number;
  pauses: CrmPause[];
  alerts: { crm: string; recordKind: string; externalId: string; reason: string; at: string }[];
}

export interface OutboxQuery {
  crm?: string;
  /** Default: what waits or was refused (pending, inflight, rejected, dead). */
  states?: readonly OutboxState[];
  limit?: number;
  now?: number;
}

/** What the outbox holds, for an operator: what waits (and why), what the CRM refused, what was given up on. */
export async function outboxReport(db: SqlDatabase, q: OutboxQuery = {}): Promise<OutboxReport> {
  const states = q.states ?? OUTBOX_STATES.filter((s) => s !== 'synced');
  const limit = q.limit ?? 50;
  const byCrm = q.crm ? ' AND crm = ?' : '';
  const crmParam: SqlValue[] = q.crm ? [q.crm] : [];
  const counts = await db.all<{ crm: string; state: string; n: number }>(`SELECT crm, state, COUNT(*) AS n FROM outbox WHERE 1 = 1${byCrm} GROUP BY crm, state ORDER BY crm, state`, crmParam);
  const where = `state IN (${states.map(() => '?').join(', ') || 'NULL'})${byCrm}`;
  const params: SqlValue[] = [...states, ...crmParam];
  const rows = await db.all<OutboxRowRecord>(`SELECT ${ROW_COLUMNS} FROM outbox WHERE ${where} ORDER BY created_at, id LIMIT ?`, [...params, limit]);
  const total = await db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM outbox WHERE ${where}`, params);
  const alerts = await db.all<{ crm: string; record_kind: string; external_id: string; reason: string; created_at: string }>(
    `SELECT crm, record_kind, external_id, reason, created_at FROM outbox_alerts WHERE 1 = 1${byCrm} ORDER BY created_at DESC, id LIMIT 20`,
    crmParam,
  );
  const pauses = (await activePauses(db, q.now ?? Date.now())).filter((p) => !q.crm || p.crm === q.crm);
  return {
    counts: counts.map((c) => ({ crm: c.crm, state: c.state as OutboxState, rows: Number(c.n) })),
    rows: rows.map(rowFromRecord),
    more: Math.max(0, Number(total?.n ?? 0) - rows.length),
    pauses,
    alerts: alerts.map((a) => ({ crm: a.crm, recordKind: a.record_kind, externalId: a.external_id, reason: a.reason, at: a.created_at })),
  };
}
