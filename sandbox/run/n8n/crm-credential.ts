import { crmCredentialOf } from '../../../nodes/n8n/shared/crm-credentials';
import type { SandboxCrm } from '../crm/sandbox-crm';
import type { CredentialRefs, N8nWorkflowFile } from './workflow-file';
import type { RestSession } from './rest-session';

const CRM_UPSERT_SUFFIX = '.crmUpsert';

/** CRM Upsert's parameters for the sandbox's CRM: HubSpot's Authentication follows from which variables are set. */
export function crmUpsertParameters(crm: SandboxCrm): Record<string, string> {
  if (crm.name === 'local') return { crm: 'local' };
  if (crm.name !== 'hubspot') return { crm: crm.name };
  return { crm: 'hubspot', authentication: crm.record.accessToken ? 'accessToken' : 'oAuth2' };
}

/** The n8n credential type CRM Upsert shows for the sandbox's CRM (crm-credentials.ts); none for the local store. */
export function crmCredentialType(crm: SandboxCrm): string | undefined {
  if (crm.name === 'local') return undefined;
  return crmCredentialOf(crm.name, crmUpsertParameters(crm).authentication).type;
}

interface CredentialTypeDescription {
  name: string;
  displayName: string;
  properties: Array<{ name: string; type?: string; default?: unknown }>;
}

/**
 * The CRM credential made from the environment, or updated in place, as the credential dialog would save it: the
 * form's defaults, then the account fields. For the OAuth2 types (HubSpot OAuth, Zoho) the refresh token goes
 * where n8n keeps a connected account's tokens, so n8n refreshes it on the first request.
 */
export async function upsertCrmCredential(rest: RestSession, crm: SandboxCrm): Promise<CredentialRefs> {
  const type = crmCredentialType(crm);
  if (!type || crm.name === 'local') return {};
  const described = (await rest.editorFile<CredentialTypeDescription[]>('/types/credentials.json')).find((t) => t.name === type);
  if (!described) throw new Error(`the installed pack has no n8n credential type ${type} for ${crm.name}`);
  const { refreshToken, ...fields } = crm.record;
  const data: Record<string, unknown> = {
    ...Object.fromEntries(described.properties.filter((p) => p.type !== 'notice').map((p) => [p.name, p.default ?? ''])),
    ...fields,
    ...(refreshToken ? { oauthTokenData: { refresh_token: refreshToken } } : {}),
  };
  const name = `${described.displayName} (sandbox)`;
  const existing = await rest.request<Array<{ id: string; name: string; type: string }>>('GET', '/credentials');
  const found = existing.find((c) => c.type === type && c.name === name);
  const body = { type, name, data };
  const saved = found
    ? await rest.request<{ id: string; name: string }>('PATCH', `/credentials/${found.id}`, body)
    : await rest.request<{ id: string; name: string }>('POST', '/credentials', body);
  return { [type]: { id: saved.id, name: saved.name } };
}

type WorkflowNode = N8nWorkflowFile['nodes'][number];

/** Every CRM Upsert of the workflow set to the sandbox's CRM (its credential picked later by assignCredentials). */
export function withCrm<W extends { nodes: WorkflowNode[] }>(workflow: W, crm: SandboxCrm): W {
  const parameters = crmUpsertParameters(crm);
  const nodes = workflow.nodes.map((n) => {
    if (!n.type.endsWith(CRM_UPSERT_SUFFIX)) return n;
    // HubSpot's Authentication is left out for the other CRMs, as the editor saves it.
    const kept = Object.entries((n.parameters ?? {}) as Record<string, unknown>).filter(([k]) => k !== 'crm' && k !== 'authentication');
    return { ...n, parameters: { ...Object.fromEntries(kept), ...parameters } };
  });
  return { ...workflow, nodes };
}

/** Whether a saved workflow's CRM Upserts write to the sandbox's CRM with its credential. */
export function hasCrm(nodes: readonly WorkflowNode[], crm: SandboxCrm, refs: CredentialRefs): boolean {
  const parameters = crmUpsertParameters(crm);
  const type = crmCredentialType(crm);
  return nodes
    .filter((n) => n.type.endsWith(CRM_UPSERT_SUFFIX))
    .every((n) => {
      const p = (n.parameters ?? {}) as Record<string, unknown>;
      const sameParameters = Object.entries(parameters).every(([k, v]) => (p[k] ?? (k === 'crm' ? 'local' : 'accessToken')) === v);
      return sameParameters && (!type || n.credentials?.[type]?.id === refs[type]?.id);
    });
}
