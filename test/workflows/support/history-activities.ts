import type { WorkflowHandle } from '@temporalio/client';

type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;

export interface HistoryActivity {
  type: string;
  local: boolean;
}

/**
 * The activities a history records, in order: a regular one by its scheduled event, a local one by the marker its
 * workflow task left (the SDK writes the activity type into the marker's `data` payload as JSON).
 */
export function activitiesOf(history: History): HistoryActivity[] {
  return (history.events ?? []).flatMap((e): HistoryActivity[] => {
    const scheduled = e.activityTaskScheduledEventAttributes?.activityType?.name;
    if (scheduled) return [{ type: scheduled, local: false }];
    const marker = e.markerRecordedEventAttributes;
    if (marker?.markerName !== 'core_local_activity') return [];
    const data = marker.details?.data?.payloads?.[0]?.data;
    const parsed = data ? (JSON.parse(Buffer.from(data).toString('utf8')) as { activity_type?: string }) : {};
    return [{ type: parsed.activity_type ?? '?', local: true }];
  });
}

/** The patches a history's markers record (patched() / deprecatePatch()). */
export function patchesOf(history: History): string[] {
  return (history.events ?? []).flatMap((e) => {
    const marker = e.markerRecordedEventAttributes;
    if (marker?.markerName !== 'core_patch') return [];
    const data = marker.details?.['patch-data']?.payloads?.[0]?.data;
    return data ? [(JSON.parse(Buffer.from(data).toString('utf8')) as { id: string }).id] : [];
  });
}
