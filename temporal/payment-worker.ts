import { Worker, type NativeConnection, type WorkerOptions, type WorkflowBundleOption } from '@temporalio/worker';
import { scrubbedFailures } from './activities/scrubbed-failures';
import type { TerminalCrmActivities } from './activities/worker-activities';

/**
 * The compiled workflows entry beside this file (build/ in tests, dist/ once published), bundled by the worker
 * at start-up: a prebuilt bundle would go stale the moment the workflow code changes.
 */
export const WORKFLOWS_PATH = require.resolve('../workflows');

export interface PaymentWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  taskQueue: string;
  activities: TerminalCrmActivities;
  /** A bundle made once with bundleWorkflowCode, for processes that start several workers (tests). */
  workflowBundle?: WorkflowBundleOption;
  /** Another workflows entry than the pack's (the bench adds a no-op workflow beside them). */
  workflowsPath?: string;
}

export function createPaymentWorker(o: PaymentWorkerOptions): Promise<Worker> {
  return Worker.create(paymentWorkerOptions(o));
}

/** What the worker is created with. */
export function paymentWorkerOptions(o: PaymentWorkerOptions): WorkerOptions {
  return {
    connection: o.connection,
    namespace: o.namespace,
    taskQueue: o.taskQueue,
    activities: o.activities,
    ...(o.workflowBundle ? { workflowBundle: o.workflowBundle } : { workflowsPath: o.workflowsPath ?? WORKFLOWS_PATH }),
    // An upsert that has started gets to finish before the process exits; it is seconds at most.
    shutdownGraceTime: '10 seconds',
    // No card data in an activity's failure, whatever error it quotes: the failure stays in the workflow's history.
    interceptors: { activity: [scrubbedFailures] },
  };
}
