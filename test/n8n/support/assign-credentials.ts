import type { INode } from 'n8n-workflow';
import { packageNodeTypes } from './package-node-types';

export type CredentialRefs = Record<string, { id: string; name: string }>;

/**
 * Points every node of the pack at the credential of each type it declares, as an operator does by picking
 * credentials after importing the template (which ships without any).
 */
export function assignCredentials<T extends { nodes: INode[] }>(workflow: T, refs: CredentialRefs): T {
  const types = packageNodeTypes();
  const nodes = workflow.nodes.map((node) => {
    if (!node.type.startsWith('@terminal-crm/')) return node;
    const declared = (types.getByNameAndVersion(node.type, node.typeVersion).description.credentials ?? []).map((c) => c.name);
    const credentials = Object.fromEntries(declared.filter((name) => refs[name]).map((name) => [name, refs[name]!]));
    return { ...node, credentials };
  });
  return { ...workflow, nodes };
}
