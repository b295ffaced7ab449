import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type Client, type ScheduleSpec } from '@temporalio/client';
import { InputError } from '../nodes/core/errors';
import type { segmentBatch } from '../workflows/segment-batch';
import { isTimeZone } from '../nodes/core/config/time-zone';
import { keepingOperatorSettings } from './schedule-update';

export const SEGMENT_SCHEDULE_ID = 'terminal-crm-segment-batch';
export const SEGMENT_SCHEDULE_ENV = 'TERMINAL_CRM_SEGMENT_SCHEDULE';
/** Daily at 03:00 UTC: after the day's trade, before the next one opens. */
export const DEFAULT_SEGMENT_SCHEDULE = '0 3 * * *';

const MACROS = /^@(yearly|annually|monthly|weekly|daily|midnight|hourly)$/i;
const EVERY = /^@every\s+\d+(\.\d+)?(ms|s|m|h|d)(\d+(ms|s|m|h|d))*(\/\S+)?$/i;
const FIELD = /^[0-9A-Za-z*?/,#LW-]+$/;
/** Each cron field's numbers as Temporal takes them (minute, hour, day of month, month, day of week; 7 is Sunday too). */
const FIELD_RANGES = [
  ['minute', 0, 59],
  ['hour', 0, 23],
  ['day of month', 1, 31],
  ['month', 1, 12],
  ['day of week', 0, 7],
] as const;

/**
 * Why a cron field's numbers are out of its range, or undefined: "99 * * * *" has the form, and would be refused only
 * when the worker, already connected, writes the schedule (the segment batch's then goes missing with a log line).
 */
function fieldRangeFault(field: string, index: number): string | undefined {
  const [name, lo, hi] = FIELD_RANGES[index]!;
  for (const part of field.split(',')) {
    const [range, step] = part.split('/');
    if (step !== undefined && !(/^\d+$/.test(step) && Number(step) >= 1)) return `the ${name} step "${step}" is not a whole number from 1`;
    // After # comes the week of the month (5#3: the third Friday), not a day of the week.
    for (const n of range!.split('#')[0]!.match(/\d+/g) ?? []) if (Number(n) < lo || Number(n) > hi) return `the ${name} ${n} is not from ${lo} to ${hi}`;
  }
  return undefined;
}

/**
 * When the batch runs, from TERMINAL_CRM_SEGMENT_SCHEDULE: a cron expression in UTC ("0 3 * * *", the default),
 * with a "CRON_TZ=Europe/Berlin " prefix for the shop's own time, "@daily"-style shorthands, "@every 6h", or
 * "off". Returns the cron text, or null for off.
 */
export function segmentScheduleFromEnv(env: NodeJS.ProcessEnv = process.env): string | null {
  const value = env[SEGMENT_SCHEDULE_ENV]?.trim().replace(/\s+/g, ' ');
  if (!value) return DEFAULT_SEGMENT_SCHEDULE;
  if (['off', 'none', 'false', '0', 'no'].includes(value.toLowerCase())) return null;
  const tz = /^CRON_TZ=(\S+) (.*)$/.exec(value);
  const body = tz ? tz[2]! : value;
  if (tz && !isTimeZone(tz[1]!)) {
    throw new InputError(SEGMENT_SCHEDULE_ENV, `"${tz[1]}" is not a time zone`, 'use an IANA name such as CRON_TZ=Europe/Berlin, or leave the prefix out for UTC');
  }
  const fields = body.split(' ');
  if (MACROS.test(body) || EVERY.test(body)) return value;
  const cron = fields.length === 5 && fields.every((f) => FIELD.test(f));
  const fault = cron ? fields.map(fieldRangeFault).find((f) => f !== undefined) : undefined;
  if (cron && !fault) return value;
  throw new InputError(
    SEGMENT_SCHEDULE_ENV,
    `"${value}" is not a schedule${fault ? `: ${fault}` : ''}`,
    'give five cron fields in UTC such as "0 3 * * *" (daily at 03:00), optionally prefixed with CRON_TZ=<zone>, or "@every 6h", or "off"',
  );
}

export type ScheduleChange = 'created' | 'updated' | 'removed' | 'absent';

/**
 * Creates the Temporal Schedule that starts the segment batch, or brings an existing one in line with this worker's
 * settings; every worker does this at start, so the call must be idempotent. Overlap SKIP: a run still going when the
 * next is due makes that one skip, never two at once. A run missed while the cluster was down is made up within a day.
 * What an operator set on the schedule stays (paused, its note, a limit on its actions, pause-on-failure). `cron` null
 * removes the schedule.
 */
export async function ensureSegmentSchedule(client: Client, o: { taskQueue: string; cron: string | null }): Promise<ScheduleChange> {
  const handle = client.schedule.getHandle(SEGMENT_SCHEDULE_ID);
  if (o.cron === null) {
    try {
      await handle.delete();
      return 'removed';
    } catch (e) {
      if (e instanceof ScheduleNotFoundError) return 'absent';
      throw e;
    }
  }
  const spec: ScheduleSpec = { cronExpressions: [o.cron] };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: 'segmentBatch',
    taskQueue: o.taskQueue,
    workflowId: SEGMENT_SCHEDULE_ID,
    args: [] as Parameters<typeof segmentBatch>,
  };
  const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' as const };
  try {
    try {
      await client.schedule.create<typeof segmentBatch>({ scheduleId: SEGMENT_SCHEDULE_ID, spec, action, policies });
      return 'created';
    } catch (e) {
      if (!(e instanceof ScheduleAlreadyRunning)) throw e;
      await handle.update<typeof segmentBatch>(keepingOperatorSettings({ spec, action, policies }));
      return 'updated';
    }
  } catch (e) {
    // The server parses the cron text; its complaint is about the variable the operator set.
    if (e instanceof TypeError) throw new InputError(SEGMENT_SCHEDULE_ENV, `"${o.cron}" was refused by Temporal (${e.message})`, 'correct the cron expression, e.g. "0 3 * * *"');
    throw e;
  }
}
