import { installIntoN8n } from '../../bin/templates/install-n8n';
import { installIntoNodeRed } from '../../bin/templates/install-node-red';
import { shippedTemplates } from '../../bin/templates/template-catalog';
import { assignCredentials, nodeTypes } from '../../sandbox/run/n8n/payment-workflow';
import type { CredentialRefs, N8nWorkflowFile } from '../../sandbox/run/n8n/workflow-file';
import type { N8nEditor } from './start-editors';

/** Only for the editors' own folders: a token key and a signing secret that protect nothing. */
const EDITOR_TOKEN_KEYS = `k1:${'cd'.repeat(32)}`;
const EDITOR_SIGNING_SECRET = 'whsec_editor_pictures_only';
const EDITOR_HUBSPOT_TOKEN = 'pat-na1-00000000-0000-0000-0000-000000000000';

export interface InstalledTemplate {
  name: string;
  title: string;
  /** n8n: the workflow id; Node-RED: the tab's id. */
  id: string;
}

/**
 * The credentials an operator creates for the templates, as the e2e tests fill them: Stripe with a signing secret
 * only, the store with its location and token keys, n8n's SMTP credential for the mail steps, and HubSpot's for
 * the SaaS CRM template's CRM Upsert and CRM Sync (a token of HubSpot's form that reaches no account).
 */
async function createCredentials(n8n: N8nEditor, storeUrl: string): Promise<CredentialRefs> {
  const wanted = [
    { type: 'stripeTerminalApi', name: 'Stripe Terminal', data: { secretKey: '', signingSecret: EDITOR_SIGNING_SECRET } },
    { type: 'terminalCrmStore', name: 'Terminal CRM Store', data: { storeUrl, tokenKeys: EDITOR_TOKEN_KEYS, defaultRegion: 'US' } },
    { type: 'smtp', name: 'Shop mail', data: { user: '', password: '', host: '127.0.0.1', port: 1025, secure: false, disableStartTls: true, hostName: '' } },
    { type: 'terminalHubSpotApi', name: 'HubSpot', data: { accessToken: EDITOR_HUBSPOT_TOKEN } },
  ];
  const refs: CredentialRefs = {};
  for (const spec of wanted) {
    const saved = await n8n.rest.request<{ id: string; name: string }>('POST', '/credentials', spec);
    refs[spec.type] = { id: saved.id, name: saved.name };
  }
  return refs;
}

/**
 * Every n8n template put in by the code behind `terminal-crm templates install all --n8n` (the public API, a new
 * inactive workflow each), then given its credentials the way an operator picks them in the editor.
 */
export async function installN8nTemplates(n8n: N8nEditor, storeUrl: string): Promise<InstalledTemplate[]> {
  const refs = await createCredentials(n8n, storeUrl);
  const types = await nodeTypes(n8n.rest);
  const out: InstalledTemplate[] = [];
  for (const t of shippedTemplates().filter((x) => x.engine === 'n8n')) {
    const created = await installIntoN8n(n8n.baseUrl, n8n.apiKey, t);
    const saved = await n8n.rest.request<N8nWorkflowFile & { versionId: string }>('GET', `/workflows/${created.id}`);
    const { nodes } = await assignCredentials(n8n.rest, saved, refs, types);
    await n8n.rest.request('PATCH', `/workflows/${created.id}`, { nodes, versionId: saved.versionId });
    out.push({ name: t.name, title: t.title, id: created.id });
  }
  return out;
}

/** Every Node-RED example put in by the code behind `terminal-crm templates install all --node-red`: a tab each, as shipped. */
export async function installNodeRedTemplates(baseUrl: string): Promise<InstalledTemplate[]> {
  const out: InstalledTemplate[] = [];
  for (const t of shippedTemplates().filter((x) => x.engine === 'node-red')) {
    const flow = await installIntoNodeRed(baseUrl, t);
    out.push({ name: t.name, title: flow.label, id: flow.id });
  }
  return out;
}
