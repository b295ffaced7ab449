import type { INode } from 'n8n-workflow';
import type { RestSession } from './rest-session';

export interface CredentialSpec {
  type: string;
  name: string;
  data: Record<string, string>;
}

export interface ImportedWorkflow {
  id: string;
  versionId: string;
}

/** Creates credentials as the editor's credential dialog does; returns {type: {id, name}} for assignCredentials. */
export async function createCredentials(rest: RestSession, specs: CredentialSpec[]): Promise<Record<string, { id: string; name: string }>> {
  const refs: Record<string, { id: string; name: string }> = {};
  for (const spec of specs) {
    const created = await rest.request<{ id: string; name: string }>('POST', '/credentials', spec);
    refs[spec.type] = { id: created.id, name: created.name };
  }
  return refs;
}

/** Saves the workflow and publishes it (n8n 2.x's "Publish", formerly "Active"), which registers its webhooks. */
export async function importAndPublish(rest: RestSession, workflow: { name: string; nodes: INode[]; connections: unknown; settings?: unknown }): Promise<ImportedWorkflow> {
  const { name, nodes, connections, settings } = workflow;
  const saved = await rest.request<{ id: string; versionId: string }>('POST', '/workflows', { name, nodes, connections, settings, active: false });
  const published = await rest.request<{ id: string; versionId: string; activeVersionId?: string | null }>('POST', `/workflows/${saved.id}/activate`, { versionId: saved.versionId });
  return { id: published.id, versionId: published.versionId };
}
