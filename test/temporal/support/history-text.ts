import type { WorkflowHandle } from '@temporalio/client';

type HistoryEvent = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>[number];

/**
 * Every string a history event holds, payload bytes decoded as UTF-8 (the JSON converter's encoding), so a
 * test can look for a value wherever the server stored it.
 */
export function eventText(event: HistoryEvent): string {
  const parts: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') parts.push(v);
    else if (v instanceof Uint8Array) parts.push(Buffer.from(v).toString('utf8'));
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(event);
  return parts.join('\n');
}

export function eventTypeName(event: HistoryEvent): string {
  return Object.keys(event).find((k) => k.endsWith('EventAttributes') && (event as Record<string, unknown>)[k]) ?? 'unknown';
}
