/** The worker's workflows plus a no-op, so the bench compares sagas with the server's own floor on one worker. */
export * from '../../workflows';

export async function noopWorkflow(): Promise<void> {
  // Nothing: a start, a workflow task and a completion are what every workflow pays.
}
