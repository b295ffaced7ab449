import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type Client, type ScheduleSpec } from '@temporalio/client';
import { InputError } from '../nodes/core/errors';
import { pollableSourceNames } from '../nodes/core/pipeline/poll-source';
import type { PollSourceInput } from '../workflows/activity-contracts/poll-activities';
import { SEGMENT_SCHEDULE_ENV, segmentScheduleFromEnv, type ScheduleChange } from './segment-schedule';
import type { pollSource } from '../workflows/poll-source';
import { keepingOperatorSettings } from './schedule-update';

export const POLL_SOURCES_ENV = 'TERMINAL_CRM_POLL_SOURCES';
export const POLL_SCHEDULE_ENV = 'TERMINAL_CRM_POLL_SCHEDULE';
export const DEFAULT_POLL_SCHEDULE = '@every 1m';

export const pollScheduleId = (source: string) => `terminal-crm-poll-${source}`;

/** TERMINAL_CRM_POLL_SOURCES: comma-separated sources to poll ("square,stripe"); none when unset. */
export function pollSourcesFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  const names = [...new Set((env[POLL_SOURCES_ENV] ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean))];
  const pollable = pollableSourceNames();
  const wrong = names.filter((n) => !pollable.includes(n));
  if (wrong.length > 0) {
    throw new InputError(POLL_SOURCES_ENV, `${wrong.map((n) => `"${n}"`).join(', ')} cannot be polled`, `list sources with a list API, comma-separated: ${pollable.join(', ')}`);
  }
  return names;
}

/**
 * TERMINAL_CRM_POLL_SCHEDULE: how often each source is polled, "@every 1m" by default. The same grammar as the
 * segment batch's schedule (cron in UTC with an optional CRON_TZ= prefix, "@hourly"-style shorthands, "@every 30s",
 * "off"), read by the same rule.
 */
export function pollScheduleFromEnv(env: NodeJS.ProcessEnv = process.env): string | null {
  const value = env[POLL_SCHEDULE_ENV]?.trim();
  if (!value) return DEFAULT_POLL_SCHEDULE;
  try {
    return segmentScheduleFromEnv({ [SEGMENT_SCHEDULE_ENV]: value });
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    const problem = e.message.slice(e.field.length + 2, e.message.length - `. Fix: ${e.fix}`.length);
    throw new InputError(POLL_SCHEDULE_ENV, problem, 'give "@every 1m" (the default), "@every 30s", five cron fields in UTC such as "*/5 * * * *", or "off"');
  }
}

/**
 * One Temporal Schedule per polled source, created or brought in line with this worker's settings (every worker does
 * this at start, so it is idempotent); the schedules of sources no longer listed are removed. Overlap SKIP: a poll
 * still running when the next is due makes that one skip. Missed runs are not made up one by one: the next run reads
 * everything since the cursor anyway. What an operator set on the schedule stays (paused, its note, a limit on its
 * actions, pause-on-failure).
 */
export async function ensurePollSchedules(client: Client, o: { taskQueue: string; sources: readonly string[]; cron: string | null }): Promise<Record<string, ScheduleChange>> {
  const changes: Record<string, ScheduleChange> = {};
  for (const source of pollableSourceNames()) {
    const handle = client.schedule.getHandle(pollScheduleId(source));
    if (o.cron === null || !o.sources.includes(source)) {
      try {
        await handle.delete();
        changes[source] = 'removed';
      } catch (e) {
        if (!(e instanceof ScheduleNotFoundError)) throw e;
        changes[source] = 'absent';
      }
      continue;
    }
    const spec: ScheduleSpec = { cronExpressions: [o.cron] };
    const action = {
      type: 'startWorkflow' as const,
      workflowType: 'pollSource',
      taskQueue: o.taskQueue,
      workflowId: pollScheduleId(source),
      args: [{ source } satisfies PollSourceInput] as Parameters<typeof pollSource>,
    };
    const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' as const };
    try {
      try {
        await client.schedule.create<typeof pollSource>({ scheduleId: pollScheduleId(source), spec, action, policies });
        changes[source] = 'created';
      } catch (e) {
        if (!(e instanceof ScheduleAlreadyRunning)) throw e;
        await handle.update<typeof pollSource>(keepingOperatorSettings({ spec, action, policies }));
        changes[source] = 'updated';
      }
    } catch (e) {
      if (e instanceof TypeError) throw new InputError(POLL_SCHEDULE_ENV, `"${o.cron}" was refused by Temporal (${e.message})`, 'correct the schedule, e.g. "@every 1m"');
      throw e;
    }
  }
  return changes;
}

/**
 * What the worker calls at start: the poll schedules the environment asks for. A wrong setting stops the worker
 * (InputError); a cluster that refuses to manage schedules only costs polling, not the webhooks' payments.
 */
export async function ensurePollSchedulesFromEnv(client: Client, env: NodeJS.ProcessEnv, taskQueue: string, log: (line: string) => void = console.log): Promise<void> {
  const sources = pollSourcesFromEnv(env);
  const cron = sources.length ? pollScheduleFromEnv(env) : null;
  try {
    const changes = await ensurePollSchedules(client, { taskQueue, sources, cron });
    for (const [source, change] of Object.entries(changes)) {
      if (change !== 'absent') log(`Poll schedule "${pollScheduleId(source)}" ${change}${change === 'removed' ? '' : ` (${cron})`}`);
    }
  } catch (e) {
    if (e instanceof InputError) throw e;
    log(`Poll schedules not set up: ${e instanceof Error ? e.message : String(e)}; webhooks are processed all the same`);
  }
}
