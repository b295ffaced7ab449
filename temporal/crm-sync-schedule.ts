import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type Client, type ScheduleSpec } from '@temporalio/client';
import { SAAS_CRM_NAMES, isSaasCrmName, type SaasCrmName } from '../nodes/core/crm/crm-names';
import { crmAdapterFromEnv } from '../nodes/core/crm/saas/crm-factory';
import { InputError } from '../nodes/core/errors';
import type { CrmSyncInput } from '../workflows/activity-contracts/crm-sync-activities';
import { SEGMENT_SCHEDULE_ENV, segmentScheduleFromEnv, type ScheduleChange } from './segment-schedule';
import type { crmSync } from '../workflows/crm-sync';
import { keepingOperatorSettings } from './schedule-update';

export const CRM_SYNC_CRMS_ENV = 'TERMINAL_CRM_SYNC_CRMS';
export const CRM_SYNC_SCHEDULE_ENV = 'TERMINAL_CRM_SYNC_SCHEDULE';
export const DEFAULT_CRM_SYNC_SCHEDULE = '@every 1m';

export const crmSyncScheduleId = (crm: string) => `terminal-crm-sync-${crm}`;

/** TERMINAL_CRM_SYNC_CRMS: comma-separated CRMs to sync ("hubspot,zoho"); none when unset. */
export function crmSyncCrmsFromEnv(env: NodeJS.ProcessEnv = process.env): SaasCrmName[] {
  const names = [...new Set((env[CRM_SYNC_CRMS_ENV] ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean))];
  const wrong = names.filter((n) => !isSaasCrmName(n));
  if (wrong.length > 0) throw new InputError(CRM_SYNC_CRMS_ENV, `${wrong.map((n) => `"${n}"`).join(', ')} is not a CRM the pack syncs`, `list CRMs, comma-separated: ${SAAS_CRM_NAMES.join(', ')}`);
  return names as SaasCrmName[];
}

/**
 * TERMINAL_CRM_SYNC_SCHEDULE: how often each CRM is synced, "@every 1m" by default; the grammar of the segment
 * batch's schedule ("@every 30s", cron in UTC, "off"), read by the same rule.
 */
export function crmSyncScheduleFromEnv(env: NodeJS.ProcessEnv = process.env): string | null {
  const value = env[CRM_SYNC_SCHEDULE_ENV]?.trim();
  if (!value) return DEFAULT_CRM_SYNC_SCHEDULE;
  try {
    return segmentScheduleFromEnv({ [SEGMENT_SCHEDULE_ENV]: value });
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    const problem = e.message.slice(e.field.length + 2, e.message.length - `. Fix: ${e.fix}`.length);
    throw new InputError(CRM_SYNC_SCHEDULE_ENV, problem, 'give "@every 1m" (the default), "@every 30s", five cron fields in UTC such as "*/5 * * * *", or "off"');
  }
}

/**
 * One Temporal Schedule per synced CRM, created or brought in line with this worker's settings (every worker does this
 * at start, so it is idempotent); the schedules of CRMs no longer listed are removed. Overlap SKIP: a sync still
 * running when the next is due makes that one skip (two would only share the CRM's rate limit). Missed runs are not
 * made up: the next run sends everything that waits anyway. What an operator set on the schedule stays (paused, its
 * note, a limit on its actions, pause-on-failure).
 */
export async function ensureCrmSyncSchedules(client: Client, o: { taskQueue: string; crms: readonly string[]; cron: string | null }): Promise<Record<string, ScheduleChange>> {
  const changes: Record<string, ScheduleChange> = {};
  for (const crm of SAAS_CRM_NAMES) {
    const handle = client.schedule.getHandle(crmSyncScheduleId(crm));
    if (o.cron === null || !o.crms.includes(crm)) {
      try {
        await handle.delete();
        changes[crm] = 'removed';
      } catch (e) {
        if (!(e instanceof ScheduleNotFoundError)) throw e;
        changes[crm] = 'absent';
      }
      continue;
    }
    const spec: ScheduleSpec = { cronExpressions: [o.cron] };
    const action = {
      type: 'startWorkflow' as const,
      workflowType: 'crmSync',
      taskQueue: o.taskQueue,
      workflowId: crmSyncScheduleId(crm),
      args: [{ crm } satisfies CrmSyncInput] as Parameters<typeof crmSync>,
    };
    const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' as const };
    try {
      try {
        await client.schedule.create<typeof crmSync>({ scheduleId: crmSyncScheduleId(crm), spec, action, policies });
        changes[crm] = 'created';
      } catch (e) {
        if (!(e instanceof ScheduleAlreadyRunning)) throw e;
        await handle.update<typeof crmSync>(keepingOperatorSettings({ spec, action, policies }));
        changes[crm] = 'updated';
      }
    } catch (e) {
      if (e instanceof TypeError) throw new InputError(CRM_SYNC_SCHEDULE_ENV, `"${o.cron}" was refused by Temporal (${e.message})`, 'correct the schedule, e.g. "@every 1m"');
      throw e;
    }
  }
  return changes;
}

/**
 * What the worker calls at start: the CRM sync schedules the environment asks for. A wrong setting stops the worker
 * (InputError); a cluster that refuses to manage schedules only costs the syncs (`terminal-crm sync` still works).
 */
export async function ensureCrmSyncSchedulesFromEnv(client: Client, env: NodeJS.ProcessEnv, taskQueue: string, log: (line: string) => void = console.log): Promise<void> {
  const crms = crmSyncCrmsFromEnv(env);
  const cron = crms.length ? crmSyncScheduleFromEnv(env) : null;
  // A CRM listed without its credentials stops the worker here, naming the variable, not every run later.
  if (cron !== null) for (const crm of crms) crmAdapterFromEnv(crm, env);
  try {
    const changes = await ensureCrmSyncSchedules(client, { taskQueue, crms, cron });
    for (const [crm, change] of Object.entries(changes)) {
      if (change !== 'absent') log(`CRM sync schedule "${crmSyncScheduleId(crm)}" ${change}${change === 'removed' ? '' : ` (${cron})`}`);
    }
  } catch (e) {
    if (e instanceof InputError) throw e;
    log(`CRM sync schedules not set up: ${e instanceof Error ? e.message : String(e)}; payments are processed all the same`);
  }
}
