import { createHash } from 'node:crypto';
import { CRM_ACCOUNT_TYPE } from '../../../nodes/node-red/shared/crm-account-node';
import type { SandboxCrm } from '../crm/sandbox-crm';
import type { FlowNode } from './admin-api';

/** The sandbox's CRM account config node has one fixed id, so a restart replaces it rather than adding another. */
export const SANDBOX_CRM_ACCOUNT_ID = createHash('sha256').update('terminal-crm sandbox crm-account').digest('hex').slice(0, 16);

/**
 * A crm-account config node for the sandbox's CRM. Its plain fields read `${VARIABLE}`, which Node-RED replaces
 * from its environment when it creates the node, so flows.json names the variables and holds no value; the
 * secrets go in as credentials (Node-RED keeps the ones the node declares, encrypted, and drops the rest).
 */
export function crmAccountNode(crm: Exclude<SandboxCrm, { name: 'local' }>): FlowNode {
  return {
    id: SANDBOX_CRM_ACCOUNT_ID,
    type: CRM_ACCOUNT_TYPE,
    name: `${crm.name} (sandbox, from the environment)`,
    crm: crm.name,
    ...Object.fromEntries(Object.entries(crm.variables).map(([field, variable]) => [field, `\${${variable}}`])),
    credentials: Object.fromEntries(Object.entries(crm.record).map(([k, v]) => [k, String(v)])),
  };
}

/**
 * The flows with the CRM Upserts of the sandbox's flows (`upsertIds`) writing to the sandbox's CRM: through the
 * sandbox's CRM account for a SaaS CRM (added or replaced), the store alone for `local` (the account removed).
 */
export function withSandboxCrm(flows: readonly FlowNode[], upsertIds: ReadonlySet<string>, crm: SandboxCrm): FlowNode[] {
  const out = flows
    .filter((n) => n.id !== SANDBOX_CRM_ACCOUNT_ID)
    .map((n) => (n.type === 'terminal-crm-upsert' && upsertIds.has(n.id) ? { ...n, crm: crm.name, account: crm.name === 'local' ? '' : SANDBOX_CRM_ACCOUNT_ID } : n));
  return crm.name === 'local' ? out : [...out, crmAccountNode(crm)];
}
