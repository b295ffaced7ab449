import type { RestSession } from '../../../../sandbox/run/n8n/rest-session';

/**
 * n8n's REST API sends an execution's data in the "flatted" layout: one JSON array in which every object and
 * every string is an entry, and a string inside an object is the index of the entry it stands for. This reads it
 * back into plain objects (the editor uses the flatted package for the same).
 */
export function parseFlatted(text: string): unknown {
  const table = JSON.parse(text) as unknown[];
  const revived = new Map<number, unknown>();
  const resolve = (ref: string): unknown => {
    const index = Number(ref);
    if (revived.has(index)) return revived.get(index);
    const entry = table[index];
    if (typeof entry !== 'object' || entry === null) return entry;
    const copy: Record<string, unknown> | unknown[] = Array.isArray(entry) ? [] : {};
    revived.set(index, copy);
    for (const [key, value] of Object.entries(entry)) (copy as Record<string, unknown>)[key] = typeof value === 'string' ? resolve(value) : value;
    return copy;
  };
  return resolve('0');
}

type RunData = Record<string, Array<{ data?: { main?: Array<Array<{ json: Record<string, unknown> }> | null> } }>>;

/** The items each output of `nodeName` carried in its last run of that execution, as the editor shows them. */
export async function nodeOutputs(rest: RestSession, executionId: string, nodeName: string): Promise<Array<Array<Record<string, unknown>>>> {
  const execution = await rest.request<{ data: string }>('GET', `/executions/${executionId}`);
  const data = parseFlatted(execution.data) as { resultData: { runData: RunData } };
  const runs = data.resultData.runData[nodeName];
  if (!runs?.length) throw new Error(`node "${nodeName}" did not run in execution ${executionId}`);
  return (runs.at(-1)!.data?.main ?? []).map((items) => (items ?? []).map((i) => i.json));
}
