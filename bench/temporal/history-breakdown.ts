import { Context } from '@temporalio/activity';
import type { WorkflowHandle } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';
import { quantile } from '../engines/latency-stats';

type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;
type HistoryEvent = NonNullable<History['events']>[number];

/** One finished saga: when its webhook was POSTed (wall clock, as the server stamps its events) and its history. */
export interface TimedRun {
  postedAtMs: number;
  answeredAtMs: number;
  rowAtMs: number;
  history: History;
  /** When each activity of the run started and ended in the worker (wall clock), in call order. */
  activities?: ActivityTiming[];
}

export interface ActivityTiming {
  name: string;
  local: boolean;
  startMs: number;
  endMs: number;
}

/** Times every activity call in the worker, per workflow id: local activities leave no timestamps in the history. */
export class ActivityTimings {
  private readonly byWorkflow = new Map<string, ActivityTiming[]>();
  wrap<T extends object>(activities: T): T {
    return Object.fromEntries(
      Object.entries(activities).map(([name, fn]) => [
        name,
        async (...args: unknown[]) => {
          const info = Context.current().info;
          const workflowId = info.workflowExecution?.workflowId ?? '?';
          const startMs = Date.now();
          try {
            return await (fn as (...a: unknown[]) => unknown)(...args);
          } finally {
            const list = this.byWorkflow.get(workflowId) ?? [];
            list.push({ name, local: info.isLocal, startMs, endMs: Date.now() });
            this.byWorkflow.set(workflowId, list);
          }
        },
      ]),
    ) as T;
  }
  of(workflowId: string): ActivityTiming[] {
    return this.byWorkflow.get(workflowId) ?? [];
  }
}

export interface BreakdownRow {
  step: string;
  /** Median time from the POST to this event (ms). */
  p50: number;
}

function label(event: HistoryEvent, activityOf: Map<string, string>): string {
  const kind = Object.keys(event).find((k) => k.endsWith('EventAttributes') && (event as Record<string, unknown>)[k])?.replace(/EventAttributes$/, '') ?? 'unknown';
  const a = event.activityTaskScheduledEventAttributes;
  if (a) {
    activityOf.set(String(event.eventId), a.activityType?.name ?? '?');
    return `${kind} ${a.activityType?.name ?? ''}`;
  }
  const scheduledId = event.activityTaskStartedEventAttributes?.scheduledEventId ?? event.activityTaskCompletedEventAttributes?.scheduledEventId;
  if (scheduledId !== undefined && scheduledId !== null) return `${kind} ${activityOf.get(String(scheduledId)) ?? ''}`;
  // A local activity leaves one marker when the workflow task that ran it completes.
  if (event.markerRecordedEventAttributes) return `${kind} ${event.markerRecordedEventAttributes.markerName ?? ''}`;
  return kind;
}

/**
 * Where the time of webhook → ledger row goes, from the server's own event timestamps: for the i-th event of
 * the runs' histories (they share one shape when they took one path), the median time from the POST to it,
 * beside the answer and the row as the bench saw them. Runs of another shape than the first are left out.
 */
export function breakdown(runs: readonly TimedRun[]): BreakdownRow[] {
  if (runs.length === 0) return [];
  const shapeOf = (r: TimedRun) => {
    const activityOf = new Map<string, string>();
    return (r.history.events ?? []).map((e) => label(e, activityOf));
  };
  const shape = shapeOf(runs[0]!);
  const same = runs.filter((r) => shapeOf(r).join('|') === shape.join('|'));
  const rows: BreakdownRow[] = [
    { step: 'webhook answered (inbox row + signal-with-start)', p50: quantile(same.map((r) => r.answeredAtMs - r.postedAtMs), 0.5) },
    { step: 'ledger row seen by the bench', p50: quantile(same.map((r) => r.rowAtMs - r.postedAtMs), 0.5) },
  ];
  shape.forEach((step, i) => {
    rows.push({ step: `#${i + 1} ${step}`, p50: quantile(same.map((r) => tsToMs(r.history.events![i]!.eventTime) - r.postedAtMs), 0.5) });
  });
  const calls = same[0]!.activities ?? [];
  calls.forEach((call, i) => {
    const of = (pick: (t: ActivityTiming) => number) => quantile(same.flatMap((r) => (r.activities?.[i] ? [pick(r.activities[i]!) - r.postedAtMs] : [])), 0.5);
    const kind = call.local ? 'local activity' : 'activity';
    rows.push({ step: `${kind} ${call.name} starts`, p50: of((t) => t.startMs) }, { step: `${kind} ${call.name} ends`, p50: of((t) => t.endMs) });
  });
  return rows;
}
