/** The bits of n8n's execution context that name a node within its workflow. */
interface NodeInWorkflow {
  getWorkflow(): { id?: string };
  getNode(): { id: string };
}

/**
 * How a node of an n8n workflow names itself to the store's once-per-consumer records (the inbox, Loyalty
 * Enroll): each workflow's node is its own consumer, so two workflows on one store each get an event once.
 */
export function n8nConsumer(ctx: NodeInWorkflow): string {
  return `n8n:${ctx.getWorkflow().id ?? ''}:${ctx.getNode().id}`;
}
