import type { Client } from '@temporalio/client';
import { waitUntil } from '../../../sandbox/run/shared/wait-until';
import type { paymentSaga } from '../../../workflows/payment-saga';
import { resultWithin } from './result-within';

/**
 * What every run of a payment's saga did with one event, oldest run first. A redelivery or redrive that reaches a
 * finished saga starts a run whose steps find the event recorded ("duplicate"), so exactly-once shows as one
 * "recorded" across the runs, not as one run. Visibility (the list) trails the runs by a moment: it is waited for.
 */
export async function sagaOutcomesOf(client: Client, workflowId: string, eventId: string): Promise<string[]> {
  const runs = await waitUntil(`${workflowId} listed`, 10_000, async () => {
    const listed: { workflowId: string; runId: string; startTime: Date }[] = [];
    for await (const wf of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) listed.push(wf);
    return listed.length ? listed : undefined;
  }, 100);
  const outcomes: string[] = [];
  for (const wf of runs.sort((a, b) => a.startTime.getTime() - b.startTime.getTime())) {
    const result = await resultWithin(client.workflow.getHandle<typeof paymentSaga>(wf.workflowId, wf.runId));
    outcomes.push(...result.events.filter((e) => e.eventId === eventId).map((e) => e.outcome));
  }
  return outcomes;
}
