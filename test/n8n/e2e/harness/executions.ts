import type { RestSession } from '../../../../sandbox/run/n8n/rest-session';
import { waitUntil } from '../../../../sandbox/run/shared/wait-until';

interface ExecutionSummary {
  id: string;
  status: string;
}

/** The workflow's executions, newest first, as the editor's Executions tab lists them. */
export async function listExecutions(rest: RestSession, workflowId: string): Promise<ExecutionSummary[]> {
  const filter = encodeURIComponent(JSON.stringify({ workflowId }));
  const page = await rest.request<{ results: ExecutionSummary[] }>('GET', `/executions?filter=${filter}&limit=100`);
  return page.results;
}

const DONE = new Set(['success', 'error', 'crashed', 'canceled']);

/** Waits until the workflow has `count` executions and all of them have ended; returns them. */
export async function waitForExecutions(rest: RestSession, workflowId: string, count: number, timeoutMs = 30_000): Promise<ExecutionSummary[]> {
  return await waitUntil(`${count} finished execution(s) of workflow ${workflowId}`, timeoutMs, async () => {
    const all = await listExecutions(rest, workflowId);
    return all.length >= count && all.every((e) => DONE.has(e.status)) ? all : undefined;
  });
}
