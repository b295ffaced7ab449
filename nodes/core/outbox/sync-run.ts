import type { CrmAdapter } from '../crm/saas/crm-adapter';
import { InputError } from '../errors';
import type { SqlDatabase } from '../store/sql-database';
import { drain, type DrainOptions, type DrainResult, type DrainStop } from './drain';
import type { OutboxAlert, OutboxKind } from './types';

/**
 * A scheduled sync run stops starting batches after this long unless told otherwise, so a run every minute never
 * overlaps the next one (several would be safe, claims are leased, but they would only share the CRM's budget).
 */
export const DEFAULT_SYNC_DEADLINE_SECONDS = 50;
export const MAX_SYNC_DEADLINE_SECONDS = 3_600;

export interface CrmSyncLimits {
  maxBatches?: number;
  deadlineMs: number;
}

/**
 * "Max Batches" (blank or 0: no limit) and "Deadline (Seconds)" (blank or 0: the default) as a face's form gives
 * them; `fields` names them as the operator sees them.
 */
export function crmSyncLimits(input: { maxBatches?: unknown; deadlineSeconds?: unknown }, fields = { maxBatches: 'maxBatches', deadlineSeconds: 'deadlineSeconds' }): CrmSyncLimits {
  const number = (v: unknown) => (v === undefined || v === null || v === '' ? 0 : typeof v === 'number' ? v : Number(String(v).trim()));
  const batches = number(input.maxBatches);
  if (!Number.isInteger(batches) || batches < 0) throw new InputError(fields.maxBatches, `"${String(input.maxBatches)}" is not a number of batches`, 'give a whole number such as 10, or 0 for no limit');
  const seconds = number(input.deadlineSeconds);
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > MAX_SYNC_DEADLINE_SECONDS) {
    throw new InputError(fields.deadlineSeconds, `"${String(input.deadlineSeconds)}" is not a deadline`, `give seconds from 1 to ${MAX_SYNC_DEADLINE_SECONDS}, or 0 for ${DEFAULT_SYNC_DEADLINE_SECONDS}`);
  }
  return { ...(batches > 0 ? { maxBatches: batches } : {}), deadlineMs: Math.round((seconds || DEFAULT_SYNC_DEADLINE_SECONDS) * 1000) };
}

/** What one sync run did, small enough for one n8n item or Node-RED message whatever the outbox held. */
export interface CrmSyncSummary {
  crm: string;
  ended: DrainResult['ended'];
  stop?: DrainStop;
  batches: number;
  synced: number;
  rejected: number;
  retry: number;
  dead: number;
  rateLimited: number;
  /** Records of this CRM still waiting, and when the first is due (null: none). */
  waiting: number;
  nextAttemptAt: string | null;
  /** The records the CRM refused in this run, with its reason (fix the record; `terminal-crm outbox` lists them all). */
  rejections: { kind: OutboxKind; externalId: string; reason: string }[];
  /** What the CRM's adapter falls back on that an operator should know, with what to do (none: left out). */
  notes?: string[];
}

export interface CrmSyncRun {
  summary: CrmSyncSummary;
  /** One per record given up on in this run, with the CRM's reason. */
  alerts: OutboxAlert[];
}

/** At most this many rejections are carried in a summary; the outbox keeps every one. */
const MAX_REJECTIONS = 100;

export function crmSyncSummaryOf(r: DrainResult): CrmSyncSummary {
  const rejections: CrmSyncSummary['rejections'] = [];
  for (const o of r.outcomes) if (o.status === 'rejected' && rejections.length < MAX_REJECTIONS) rejections.push({ kind: o.kind, externalId: o.externalId, reason: o.reason });
  return {
    crm: r.crm,
    ended: r.ended,
    ...(r.stop ? { stop: r.stop } : {}),
    batches: r.batches,
    synced: r.counts.synced,
    rejected: r.counts.rejected,
    retry: r.counts.retry,
    dead: r.counts.dead,
    rateLimited: r.rateLimited,
    waiting: r.waiting,
    nextAttemptAt: r.nextAttemptAt,
    rejections,
    ...(r.notes?.length ? { notes: r.notes } : {}),
  };
}

/** "12 synced, 1 rejected, 0 to retry, 1 dead", for a node's status line or a log. */
export function crmSyncStatusText(s: CrmSyncSummary): string {
  const counts = `${s.crm}: ${s.synced} synced, ${s.rejected} rejected, ${s.retry} to retry, ${s.dead} dead`;
  if (s.stop) return `${counts}; stopped: ${s.stop.message}`;
  return s.waiting ? `${counts}; ${s.waiting} waiting` : counts;
}

/**
 * One run of CRM Sync, for every face (the n8n and Node-RED nodes, the Temporal activity): drains the outbox for
 * the adapter's CRM within the limits. A CRM that refuses the credential or the setup is an InputError naming
 * `accountField` (the records wait, no attempt is counted), so a schedule's run fails where an operator looks;
 * everything else (rate limits, a CRM that is down, rejected or dead records) is in the summary and the alerts.
 */
export async function runCrmSync(
  db: SqlDatabase,
  adapter: CrmAdapter,
  limits: CrmSyncLimits,
  accountField: string,
  options: Omit<DrainOptions, 'db' | 'adapter' | 'maxBatches' | 'deadlineMs'> = {},
): Promise<CrmSyncRun> {
  const result = await drain({ ...options, db, adapter, deadlineMs: limits.deadlineMs, ...(limits.maxBatches ? { maxBatches: limits.maxBatches } : {}) });
  if (result.stop?.kind === 'auth' || result.stop?.kind === 'config') {
    const fix = result.stop.kind === 'auth' ? `check the ${adapter.name} credential, then run again` : `correct the ${adapter.name} settings named above, then run again`;
    throw new InputError(accountField, `${adapter.name} refused: ${result.stop.message}`, `${fix}; the records wait in the outbox and lose no attempt`);
  }
  return { summary: crmSyncSummaryOf(result), alerts: result.alerts };
}
