import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { bundleWorkflowCode, DefaultLogger, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { BatchActivities } from '../../../workflows/activity-contracts/batch-activities';
import type { DevServer } from './dev-server';
import type { shortHeartbeatBatch, shortHeartbeatReview } from './short-heartbeat-batch-workflow';

/** The scheduled runs' 30 s scaled down with the tests' stores. */
export const SHORT_HEARTBEAT_TIMEOUT = '2 seconds';

/** The workflows of short-heartbeat-batch-workflow.ts, bundled once per test file. */
export function bundleShortHeartbeatWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath: join(__dirname, 'short-heartbeat-batch-workflow.js'), logger: new DefaultLogger('WARN') });
}

type ShortHeartbeatWorkflow = typeof shortHeartbeatBatch | typeof shortHeartbeatReview;

/**
 * Runs one of those workflows (a single attempt under SHORT_HEARTBEAT_TIMEOUT) on a worker with the given activities
 * until it ends: its result and the attempts Temporal timed out (none, when the activity heartbeat in time).
 */
export async function runUnderShortHeartbeat<W extends ShortHeartbeatWorkflow>(
  server: DevServer,
  bundle: WorkflowBundleWithSourceMap,
  activities: BatchActivities,
  workflow: 'shortHeartbeatBatch' | 'shortHeartbeatReview',
  asOf: string,
): Promise<{ result: Awaited<ReturnType<W>>; timedOut: unknown[] }> {
  const taskQueue = `short-heartbeat-${randomUUID()}`;
  const worker = await Worker.create({
    connection: server.env.nativeConnection, taskQueue, workflowBundle: bundle, shutdownGraceTime: '500ms', activities,
    // The SDK sends heartbeats at most every 80 % of the timeout (1.6 s here); at most every 0.5 s leaves room on a
    // loaded machine. The activities' own pauses (50 ms of work) are what these tests are about.
    maxHeartbeatThrottleInterval: '500ms',
  });
  const workflowId = `short-heartbeat-${randomUUID()}`;
  const result = (await worker.runUntil(server.env.client.workflow.execute(workflow, { workflowId, taskQueue, args: [asOf, SHORT_HEARTBEAT_TIMEOUT] }))) as Awaited<ReturnType<W>>;
  const history = await server.env.client.workflow.getHandle(workflowId).fetchHistory();
  return { result, timedOut: history.events!.filter((e) => e.activityTaskTimedOutEventAttributes) };
}
