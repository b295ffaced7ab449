import type { ShippedTemplate } from './template-catalog';

/** What n8n's public API takes for a new workflow; it refuses any other property (pinData, meta, tags, id). */
const WORKFLOW_FIELDS = ['name', 'nodes', 'connections', 'settings', 'staticData'] as const;

export interface InstalledWorkflow {
  id: string;
  name: string;
  /** Where the operator opens it to fill in credentials. */
  editorUrl: string;
}

/**
 * Creates the template as a new, inactive workflow through n8n's public API (`POST /api/v1/workflows`, an API key
 * from Settings → n8n API). Credentials stay for the operator to choose: templates carry none.
 */
export async function installIntoN8n(baseUrl: string, apiKey: string, template: ShippedTemplate): Promise<InstalledWorkflow> {
  const source = template.content as Record<string, unknown>;
  const body: Record<string, unknown> = {};
  for (const field of WORKFLOW_FIELDS) if (source[field] !== undefined) body[field] = source[field];
  body.settings ??= {};
  const url = `${baseUrl.replace(/\/+$/, '')}/api/v1/workflows`;
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', 'X-N8N-API-KEY': apiKey }, body: JSON.stringify(body) });
  } catch (e) {
    throw new Error(`n8n at ${baseUrl} did not answer (${(e as Error).message}): check --n8n, and that n8n is running`);
  }
  const text = await res.text();
  if (res.status === 401 || res.status === 403) throw new Error(`n8n refused the API key (HTTP ${res.status}): create one under Settings → n8n API and pass it with --api-key or N8N_API_KEY`);
  if (res.status === 404) throw new Error(`n8n at ${baseUrl} has no public API (HTTP 404): it is switched off by N8N_PUBLIC_API_DISABLED=true`);
  if (!res.ok) throw new Error(`n8n did not take ${template.name} (HTTP ${res.status}): ${text.slice(0, 500)}`);
  const created = JSON.parse(text) as { id: string; name: string };
  return { id: created.id, name: created.name, editorUrl: `${baseUrl.replace(/\/+$/, '')}/workflow/${created.id}` };
}
