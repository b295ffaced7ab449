import type { Client } from '@temporalio/client';

interface LocalWorker {
  client: Client;
  namespace: string;
  taskQueue: string;
}

let current: LocalWorker | undefined;

/**
 * The worker of this process announces itself here once it polls, with a client on its own connection; the webhook
 * entry of the same process (`terminal-crm worker --webhook-port`) then starts new sagas eagerly on it. Returns the
 * call that withdraws it (before the worker stops).
 */
export function announceLocalWorker(worker: LocalWorker): () => void {
  current = worker;
  return () => {
    if (current === worker) current = undefined;
  };
}

/** The client of this process's worker when it polls this namespace's task queue; undefined otherwise. */
export function localWorkerClient(namespace: string, taskQueue: string): Client | undefined {
  return current && current.namespace === namespace && current.taskQueue === taskQueue ? current.client : undefined;
}
